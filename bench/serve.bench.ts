/**
 * Server benchmark: SigV4-signed GetRecord, BatchGetRecord (100 identifiers) and durable PutRecord
 * over the SageMaker path of `floe serve`, and GetRecord over the native path with a bearer token,
 * in the same run as two servers answering a GetRecord's body to every request: bare node:http
 * (the ceiling of this machine) and fastify with Floe's settings (what the framework alone leaves
 * of it). Each server and the load generator (autocannon, bench/load-generator.mjs) run in their
 * own processes, and both sides' CPU per request is printed: the client shares the machine's cores.
 * Requests are signed once by the official client and replayed (SigV4 allows it within its
 * 15-minute window); each connection cycles its own identifiers.
 *
 * Run: npm run bench:serve
 *   BENCH_SECONDS   seconds per scenario (default 5)
 *   BENCH_WARMUP_SECONDS  seconds of load before each scenario's measurement (default 3; with 1, the first
 *                   scenario after the seeding varied from 103 to 139 µs a request across runs; with 3, 93 to 99)
 *   BENCH_ONLY      comma-separated scenario keys to run: get, native, batch, put (default all)
 *   BENCH_WORKERS   comma-separated `floe serve --workers` counts, each measured in turn (default 1,2)
 *   BENCH_PROFILE   a directory: the server runs with --cpu-prof and writes its profile there
 *   BENCH_NODE_ARGS node flags for the server, space-separated (to compare GC settings, say)
 *   BENCH_LOG_LEVEL the server's log level (default info, as `floe serve`)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFeatureGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  BatchGetRecordCommand,
  BatchWriteRecordCommand,
  GetRecordCommand,
  PutRecordCommand,
  SageMakerFeatureStoreRuntimeClient,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { deriveBearerToken } from '../src/wire/index.js';
import { printTable } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = 32;
const RECORDS = 10_000;
const ONLY = process.env.BENCH_ONLY?.split(',');
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);
const PROFILE = process.env.BENCH_PROFILE;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const credentials = { accessKeyId: 'FLOEBENCHKEY00000001', secretAccessKey: 'bench-secret-bench-secret-bench-secret00' };

interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  clientCpuUs: number;
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      seen += String(d);
      const m = pattern.exec(seen);
      if (m) resolve(m);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`child exited with ${code}: ${seen}`)));
  });
}

/** Sends one call through the official client and keeps the signed request, to replay it. */
async function capture(client: SageMakerFeatureStoreRuntimeClient, send: (client: SageMakerFeatureStoreRuntimeClient) => Promise<unknown>): Promise<LoadRequest> {
  let captured: LoadRequest | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      const r = args.request as { method: string; path: string; query?: Record<string, string | string[]>; headers: Record<string, string>; body?: string | Uint8Array };
      const query = Object.entries(r.query ?? {})
        .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`))
        .join('&');
      // The load generator writes Content-Length itself (same value): a second one would be a bad request.
      const { 'content-length': _length, ...headers } = r.headers;
      captured = { method: r.method, path: query ? `${r.path}?${query}` : r.path, headers, ...(r.body ? { body: typeof r.body === 'string' ? r.body : new TextDecoder().decode(r.body) } : {}) };
      return next(args);
    },
    { step: 'deserialize', name: 'captureSigned', override: true },
  );
  await send(client);
  return captured!;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 per second on Linux)
  } catch {
    return undefined;
  }
}

/** CPU seconds of several processes together (a server and its workers). */
async function cpuSecondsOf(pids: number[]): Promise<number | undefined> {
  const each = await Promise.all(pids.map(cpuSeconds));
  return each.some((c) => c === undefined) ? undefined : each.reduce((a, b) => a! + b!, 0);
}

/** The processes a process started (Linux: /proc/<pid>/task/<tid>/children). */
async function childPids(pid: number): Promise<number[]> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const lists = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
    return lists.flatMap((l) => l.split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/**
 * Runs the load generator in its own process (one request list per connection) and, on Linux,
 * the CPU the measured process used per request once warm: unlike requests per second, it does
 * not depend much on how busy the machine is.
 */
function load(url: string, requests: LoadRequest[][], pids: number[], connections = CONNECTIONS): Promise<LoadResult & { cpuUs: number }> {
  const spec = JSON.stringify({ url, connections, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, requests });
  const child = spawn(process.execPath, [join(import.meta.dirname, 'load-generator.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  child.stdin.end(spec);
  let out = '';
  let cpuAtStart: Promise<number | undefined> | undefined;
  child.stdout.on('data', (d) => {
    out += String(d);
    if (!cpuAtStart && out.includes('measuring\n')) cpuAtStart = cpuSecondsOf(pids);
  });
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      void Promise.all([cpuAtStart, cpuSecondsOf(pids)]).then(([start, end]) => {
        const result = JSON.parse(out.slice(out.indexOf('measuring\n') + 10)) as LoadResult;
        const cpuUs = start === undefined || end === undefined ? Number.NaN : ((end - start) / result.requests) * 1e6;
        resolve({ ...result, cpuUs });
      });
    }),
  );
}

/** The requests dealt out to the connections, each connection with its own slice (at least one). */
function perConnection(requests: LoadRequest[]): LoadRequest[][] {
  return Array.from({ length: CONNECTIONS }, (_, c) => {
    const slice = requests.filter((_r, i) => i % CONNECTIONS === c);
    return slice.length > 0 ? slice : [requests[c % requests.length]!];
  });
}

const record = (i: number, eventTime = '2025-01-01T00:00:00Z') => [
  { FeatureName: 'user_id', ValueAsString: `user-${i}` },
  { FeatureName: 'event_time', ValueAsString: eventTime },
  { FeatureName: 'age', ValueAsString: String(i % 90) },
  { FeatureName: 'score', ValueAsString: String(i / 7) },
  { FeatureName: 'country', ValueAsString: 'PT' },
  { FeatureName: 'tags', ValueAsStringList: ['a', 'b'] },
];

/** Child processes of this run, ended on any exit (a failed run must not leave servers behind). */
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** The bare node:http server: the machine's ceiling. */
const BARE_SERVER = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); s.end(body); }); }).listen(0, '127.0.0.1', function () { console.log('listening on ' + this.address().port); });`;

/**
 * fastify with the settings of Floe's servers that touch a GetRecord (no logger, bodies kept as
 * bytes, the route's path parameter): what the framework leaves of the ceiling before Floe does
 * anything (no authentication, no lookup).
 */
const FRAMEWORK_SERVER = `const app = require('fastify')({ logger: false, requestIdHeader: false }); app.removeAllContentTypeParsers(); app.addContentTypeParser('*', { parseAs: 'buffer' }, (_q, b, done) => done(null, b)); app.get('/FeatureGroup/:FeatureGroupName', (_q, reply) => { reply.type('application/json').send(body); }); app.listen({ port: 0, host: '127.0.0.1' }).then(() => console.log('listening on ' + app.server.address().port));`;

/** A server answering a GetRecord's body to every request (BARE_SERVER or FRAMEWORK_SERVER), measured with the same requests. */
async function measureConstant(source: string, requests: LoadRequest[][]): Promise<LoadResult & { cpuUs: number }> {
  const server = spawn(process.execPath, ['-e', `const body = JSON.stringify({ Record: ${JSON.stringify(record(7))} }); ${source}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(server);
  const port = Number((await waitForLine(server, /listening on (\d+)/))[1]);
  try {
    return await load(`http://127.0.0.1:${port}`, requests, [server.pid!]);
  } finally {
    server.kill();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  let ceiling: number | undefined;
  for (const workers of WORKER_COUNTS) {
    const dataDir = await mkdtemp(join(tmpdir(), 'floe-bench-serve-'));
    try {
      ceiling = await run(dataDir, workers, rows, ceiling);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  console.log(
    `\n${CONNECTIONS} connections unless said, ${SECONDS} s per scenario after ${WARMUP_SECONDS} s of warm-up; server (with its workers), constant-body servers and load generator (autocannon) each in its own process on ${availableParallelism()} cores (load average ${loadavg()[0]!.toFixed(1)} at the end)\n`,
  );
  printTable(rows);
}

type Row = Record<string, string | number>;

/** Measures one server (`--workers workers`) into `rows`; the bare ceiling too, unless given. Returns the ceiling. */
async function run(dataDir: string, workers: number, rows: Row[], knownCeiling: number | undefined): Promise<number> {
  // No table maintenance: the seeding's small commits would start a compaction in the middle of a measurement.
  const server = spawn(
    process.execPath,
    [...((process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)), ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : []), '--import', 'tsx', 'src/cli/main.ts', 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', LOG_LEVEL, '--no-maintenance', '--workers', String(workers)],
    {
      env: { ...process.env, FLOE_ACCESS_KEY_ID: credentials.accessKeyId, FLOE_SECRET_ACCESS_KEY: credentials.secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(server);
  const url = (await waitForLine(server, /floe listening on (http:\/\/\S+)/))[1]!;
  server.stdout!.resume(); // info-level log lines go nowhere, but are written as in production
  const config = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 };
  const sagemaker = new SageMakerClient(config);
  await sagemaker.send(
    new CreateFeatureGroupCommand({
      FeatureGroupName: 'bench',
      RecordIdentifierFeatureName: 'user_id',
      EventTimeFeatureName: 'event_time',
      FeatureDefinitions: [
        { FeatureName: 'user_id', FeatureType: 'String' },
        { FeatureName: 'event_time', FeatureType: 'String' },
        { FeatureName: 'age', FeatureType: 'Integral' },
        { FeatureName: 'score', FeatureType: 'Fractional' },
        { FeatureName: 'country', FeatureType: 'String' },
        { FeatureName: 'tags', FeatureType: 'String', CollectionType: 'List' },
      ],
      OnlineStoreConfig: { EnableOnlineStore: true },
      OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://unused/' } },
    }),
  );
  sagemaker.destroy();
  const rt = new SageMakerFeatureStoreRuntimeClient(config);
  for (let i = 0; i < RECORDS; i += 25) {
    await rt.send(new BatchWriteRecordCommand({ Entries: Array.from({ length: 25 }, (_, j) => ({ FeatureGroupName: 'bench', Record: record(i + j) })) }));
  }
  const signer = new SageMakerFeatureStoreRuntimeClient(config);
  const signed = (send: (c: SageMakerFeatureStoreRuntimeClient) => Promise<unknown>) => capture(signer, send);
  const gets: LoadRequest[] = [];
  for (let i = 0; i < 8 * CONNECTIONS; i++) {
    const id = `user-${(i * 37) % RECORDS}`;
    gets.push(await signed((c) => c.send(new GetRecordCommand({ FeatureGroupName: 'bench', RecordIdentifierValueAsString: id }))));
  }
  // The native path: GET /v1/feature-groups/{name}/records/{id} with a bearer token, as the remote SDK sends it.
  const token = deriveBearerToken(credentials.accessKeyId, credentials.secretAccessKey, Math.floor(Date.now() / 1000) + 3600);
  const nativeGets: LoadRequest[] = gets.map((_g, i) => ({
    method: 'GET',
    path: `/v1/feature-groups/bench/records/user-${(i * 37) % RECORDS}`,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  }));
  const batches: LoadRequest[] = [];
  for (let i = 0; i < 2 * CONNECTIONS; i++) {
    const ids = Array.from({ length: 100 }, (_, j) => `user-${(i * 100 + j) % RECORDS}`);
    batches.push(await signed((c) => c.send(new BatchGetRecordCommand({ Identifiers: [{ FeatureGroupName: 'bench', RecordIdentifiersValueAsString: ids }] }))));
  }
  // Each put is a new identifier at a new time, so every one is a real write (online and offline).
  const puts: LoadRequest[] = [];
  for (let i = 0; i < 8 * CONNECTIONS; i++) {
    const eventTime = new Date(Date.UTC(2025, 1, 1) + i * 1000).toISOString();
    puts.push(await signed((c) => c.send(new PutRecordCommand({ FeatureGroupName: 'bench', Record: record(RECORDS + i, eventTime) }))));
  }
  signer.destroy();
  rt.destroy();

  const scenarios: Array<[key: string, label: string, requests: LoadRequest[], connections: number]> = [
    ['get', 'GetRecord (SigV4, SageMaker path)', gets, CONNECTIONS],
    ['native', 'GetRecord (bearer token, native path)', nativeGets, CONNECTIONS],
    ['batch', 'BatchGetRecord x100 (SigV4)', batches, CONNECTIONS],
    // One caller: the latency of a batch itself, without 31 others queued in front of it.
    ['batch', 'BatchGetRecord x100 (SigV4), 1 connection', batches, 1],
    ['put', 'PutRecord durable (SigV4)', puts, CONNECTIONS],
  ];
  const suffix = workers > 1 ? ` [${workers} workers]` : '';
  const row = (label: string, r: LoadResult & { cpuUs: number }, ceiling: number) => ({
    scenario: label + suffix,
    'req/s': r.perSecond,
    'p50 ms': r.p50Ms,
    'p99 ms': r.p99Ms,
    'max ms': r.maxMs,
    'server CPU µs/req': r.cpuUs,
    'client CPU µs/req': r.clientCpuUs,
    'non-2xx': r.non2xx,
    errors: r.errors,
    'ratio to bare': r.perSecond / ceiling,
  });
  let ceiling = knownCeiling;
  if (ceiling === undefined) {
    // Both parse the same signed GetRecord requests, and answer a GetRecord's body.
    const bareResult = await measureConstant(BARE_SERVER, perConnection(gets));
    ceiling = bareResult.perSecond;
    rows.push({ ...row('', bareResult, ceiling), scenario: 'bare node:http, constant body' });
    const frameworkResult = await measureConstant(FRAMEWORK_SERVER, perConnection(gets));
    rows.push({ ...row('', frameworkResult, ceiling), scenario: 'fastify, constant body (the framework alone)' });
  }
  const serverPids = [server.pid!, ...(await childPids(server.pid!))];
  for (const [key, label, requests, connections] of scenarios) {
    if (ONLY && !ONLY.includes(key)) continue;
    rows.push(row(label, await load(url, connections === CONNECTIONS ? perConnection(requests) : [requests], serverPids, connections), ceiling));
  }
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  return ceiling;
}

await main();
