/**
 * Server benchmark: SigV4-signed GetRecord, BatchGetRecord (100 identifiers) and PutRecord over
 * the SageMaker path of `floe serve` (a child process), against a bare node:http server answering
 * a constant body in the same run (the ceiling of this machine). 32 keep-alive connections.
 * Run: npx tsx bench/serve.bench.ts   (BENCH_SECONDS per scenario, default 5)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFeatureGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  BatchGetRecordCommand,
  BatchWriteRecordCommand,
  GetRecordCommand,
  PutRecordCommand,
  SageMakerFeatureStoreRuntimeClient,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { now, printTable, summarize } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
const credentials = { accessKeyId: 'FLOEBENCHKEY00000001', secretAccessKey: 'bench-secret' };

interface Captured {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
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

/** Sends one call through the official client and keeps the signed request, to replay it (valid for 15 minutes). */
async function capture(client: SageMakerFeatureStoreRuntimeClient, send: (client: SageMakerFeatureStoreRuntimeClient) => Promise<unknown>): Promise<Captured> {
  let captured: Captured | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      const r = args.request as { method: string; path: string; query?: Record<string, string | string[]>; headers: Record<string, string>; body?: string };
      const query = Object.entries(r.query ?? {})
        .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`))
        .join('&');
      captured = { method: r.method, path: query ? `${r.path}?${query}` : r.path, headers: { ...r.headers }, ...(r.body ? { body: r.body } : {}) };
      return next(args);
    },
    { step: 'deserialize', name: 'captureSigned', override: true },
  );
  await send(client);
  return captured!;
}

async function load(port: number, req: Captured): Promise<Record<string, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = now() + SECONDS * 1e9;
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      r.on('error', reject);
      r.end(req.body);
    });
  const start = now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (now() < deadline) {
        const t = now();
        const status = await one();
        latencies.push(now() - t);
        if (status !== 200) errors++;
      }
    }),
  );
  const s = summarize(latencies, now() - start);
  agent.destroy();
  return { 'req/s': s.opsPerSec, 'p50 µs': s.p50us, 'p99 µs': s.p99us, errors };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'floe-bench-serve-'));
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'warn'], {
    env: { ...process.env, FLOE_ACCESS_KEY_ID: credentials.accessKeyId, FLOE_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = (await waitForLine(server, /floe listening on (http:\/\/\S+)/))[1]!;
  const port = Number(new URL(url).port);
  const config = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 };
  await new SageMakerClient(config).send(
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
  const rt = new SageMakerFeatureStoreRuntimeClient(config);
  const record = (i: number) => [
    { FeatureName: 'user_id', ValueAsString: `user-${i}` },
    { FeatureName: 'event_time', ValueAsString: '2025-01-01T00:00:00Z' },
    { FeatureName: 'age', ValueAsString: String(i % 90) },
    { FeatureName: 'score', ValueAsString: String(i / 7) },
    { FeatureName: 'country', ValueAsString: 'PT' },
    { FeatureName: 'tags', ValueAsStringList: ['a', 'b'] },
  ];
  for (let i = 0; i < 1000; i += 25) {
    await rt.send(new BatchWriteRecordCommand({ Entries: Array.from({ length: 25 }, (_, j) => ({ FeatureGroupName: 'bench', Record: record(i + j) })) }));
  }
  const get = await capture(new SageMakerFeatureStoreRuntimeClient(config), (c) => c.send(new GetRecordCommand({ FeatureGroupName: 'bench', RecordIdentifierValueAsString: 'user-7' })));
  const batch = await capture(
    new SageMakerFeatureStoreRuntimeClient(config),
    (c) => c.send(new BatchGetRecordCommand({ Identifiers: [{ FeatureGroupName: 'bench', RecordIdentifiersValueAsString: Array.from({ length: 100 }, (_, i) => `user-${i}`) }] })),
  );
  const put = await capture(new SageMakerFeatureStoreRuntimeClient(config), (c) => c.send(new PutRecordCommand({ FeatureGroupName: 'bench', Record: record(5) })));
  const getBody = await new Promise<string>((resolve) => {
    const r = request({ host: '127.0.0.1', port, method: get.method, path: get.path, headers: get.headers }, (res) => {
      let b = '';
      res.on('data', (d) => (b += String(d)));
      res.on('end', () => resolve(b));
    });
    r.end();
  });

  const bare = spawn(
    process.execPath,
    [
      '-e',
      `const body = ${JSON.stringify(getBody)}; require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); s.end(body); }); }).listen(0, '127.0.0.1', function () { console.log('bare on ' + this.address().port); });`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const barePort = Number((await waitForLine(bare, /bare on (\d+)/))[1]);

  const rows: Array<Record<string, string | number>> = [];
  const ceiling = await load(barePort, { method: 'GET', path: '/', headers: {} });
  rows.push({ scenario: 'bare node:http, constant body', ...ceiling, 'ratio to bare': 1 });
  for (const [label, req] of [
    ['GetRecord (SigV4, SageMaker path)', get],
    ['BatchGetRecord x100 (SigV4)', batch],
    ['PutRecord durable (SigV4)', put],
  ] as const) {
    const r = await load(port, req);
    rows.push({ scenario: label, ...r, 'ratio to bare': r['req/s']! / ceiling['req/s']! });
  }
  console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per scenario, load generator on the same machine\n`);
  printTable(rows);
  bare.kill();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
}

await main();
