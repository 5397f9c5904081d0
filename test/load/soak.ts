// npm run test:soak: a sustained mixed load (SageMaker API reads and writes, SQL and datasets over
// the native API, maintenance every minute) against one real `floe serve` process.
// FLOE_SOAK_SECONDS (default 180) long, FLOE_SOAK_CONCURRENCY (default 16) callers, FLOE_SOAK_WITHOUT
// (kinds of request to leave out, comma-separated), FLOE_SOAK_RETENTION_SECONDS (default 600; 0 keeps
// every row). Event times follow the clock and the table keeps that much of them (retention runs
// with the maintenance), so after warm-up the data stays the same size, as in production: memory
// that grows with a growing table would hide a leak, or pass for one. Prints latency
// percentiles per minute, the server's RSS and open file descriptors sampled every 5 s, their slope
// after warm-up, and the errors (any error not caused by the client fails the run).
// FLOE_SOAK_WORKERS (default 1): `floe serve --workers`; RSS and descriptors are then the sums over
// the primary and its workers.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'node:http';
import { CreateFeatureGroupCommand, DescribeFeatureGroupCommand, SageMakerClient, SearchCommand } from '@aws-sdk/client-sagemaker';
import {
  BatchGetRecordCommand,
  BatchWriteRecordCommand,
  GetRecordCommand,
  ListRecordsCommand,
  PutRecordCommand,
  SageMakerFeatureStoreRuntimeClient,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { FeatureStore } from '../../src/sdk/index.js';
import { seededRandom } from '../support/seeded-random.js';

const SECONDS = Number(process.env.FLOE_SOAK_SECONDS ?? 180);
const CONCURRENCY = Number(process.env.FLOE_SOAK_CONCURRENCY ?? 16);
const IDS = 10_000;
const RETENTION_SECONDS = Number(process.env.FLOE_SOAK_RETENTION_SECONDS ?? 600);
// Warm-up lasts until the table has reached the size retention keeps (its period, and the minute
// until the next maintenance run), at most a third of the run.
const WARMUP_SECONDS = Math.min(Math.max(60, RETENTION_SECONDS + 120), Math.floor(SECONDS / 3));
const credentials = { accessKeyId: 'FLOESOAKKEY000000001', secretAccessKey: 'soak-secret-for-this-run-only' };
const main = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

const dataDir = await mkdtemp(join(tmpdir(), 'floe-soak-'));
// Maintenance (optimize, vacuum, retention) on a schedule of every minute, so it runs under the load.
const WORKERS = Number(process.env.FLOE_SOAK_WORKERS ?? 1);
const server = spawn(process.execPath, [main, 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'warn', '--maintenance-schedule', '* * * * *', '--workers', String(WORKERS)], {
  env: { ...process.env, FLOE_ACCESS_KEY_ID: credentials.accessKeyId, FLOE_SECRET_ACCESS_KEY: credentials.secretAccessKey },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverErr = '';
const url = await new Promise<string>((resolve, reject) => {
  server.stderr!.on('data', (d) => {
    serverErr += String(d);
    const m = /floe listening on (http:\/\/\S+)/.exec(serverErr);
    if (m) resolve(m[1]!);
  });
  server.on('exit', (code) => reject(new Error(`floe serve exited with ${code}: ${serverErr}`)));
});
let serverLog = '';
server.stdout!.on('data', (d) => (serverLog = (serverLog + String(d)).slice(-20_000)));

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
const config = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: { httpAgent: agent } };
const sm = new SageMakerClient(config);
const rt = new SageMakerFeatureStoreRuntimeClient(config);
const GROUP = 'soak';
// SQL and datasets go through the native API, as the remote SDK sends them.
const remote = await FeatureStore.connect({ endpoint: url, credentials });
await sm.send(
  new CreateFeatureGroupCommand({
    FeatureGroupName: GROUP,
    RecordIdentifierFeatureName: 'user_id',
    EventTimeFeatureName: 'event_time',
    FeatureDefinitions: [
      { FeatureName: 'user_id', FeatureType: 'String' },
      { FeatureName: 'event_time', FeatureType: 'Fractional' },
      { FeatureName: 'clicks', FeatureType: 'Integral' },
      { FeatureName: 'score', FeatureType: 'Fractional' },
      { FeatureName: 'country', FeatureType: 'String' },
    ],
    OnlineStoreConfig: { EnableOnlineStore: true },
    OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://unused' }, TableFormat: 'Iceberg' },
  }),
);
if (RETENTION_SECONDS > 0) await remote.featureGroup(GROUP).setTableProperties({ offline_retention_seconds: String(RETENTION_SECONDS) });
// Event times: the wall clock, strictly increasing (so each put is the newest of its identifier).
let clock = Date.now() / 1000;
const eventTime = () => (clock = Math.max(clock + 0.001, Date.now() / 1000));
const record = (i: number) => [
  { FeatureName: 'user_id', ValueAsString: `user-${i % IDS}` },
  { FeatureName: 'event_time', ValueAsString: eventTime().toFixed(3) },
  { FeatureName: 'clicks', ValueAsString: String(i % 1000) },
  { FeatureName: 'score', ValueAsString: String((i % 97) / 7) },
  { FeatureName: 'country', ValueAsString: ['NL', 'JP', 'BR', 'KE'][i % 4]! },
];
// Every identifier exists before the clock starts: gets measure hits, not misses.
for (let i = 0; i < IDS; i += 25) {
  await rt.send(new BatchWriteRecordCommand({ Entries: Array.from({ length: 25 }, (_, j) => ({ FeatureGroupName: GROUP, Record: record(i + j) })) }));
}

type Kind = 'get' | 'batchGet' | 'put' | 'batchWrite' | 'list' | 'search' | 'describe' | 'query' | 'dataset';
const FULL_MIX: Array<[Kind, number]> = [
  ['get', 0.44],
  ['batchGet', 0.15],
  ['put', 0.25],
  ['batchWrite', 0.05],
  ['list', 0.03],
  ['search', 0.02],
  ['describe', 0.02],
  ['query', 0.03],
  ['dataset', 0.01],
];
// FLOE_SOAK_WITHOUT=query,dataset leaves kinds out (the others keep their proportions): to find what a trend comes from.
const without = new Set(process.env.FLOE_SOAK_WITHOUT?.split(',').filter(Boolean));
const kept = FULL_MIX.filter(([kind]) => !without.has(kind));
const keptShare = kept.reduce((sum, [, share]) => sum + share, 0);
const MIX: Array<[Kind, number]> = kept.map(([kind, share]) => [kind, share / keptShare]);
const random = seededRandom(7);
const pick = (): Kind => {
  let r = random();
  for (const [kind, share] of MIX) if ((r -= share) < 0) return kind;
  return 'get';
};
async function call(kind: Kind, i: number): Promise<void> {
  const id = `user-${Math.floor(random() * IDS)}`;
  switch (kind) {
    case 'get':
      await rt.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: id }));
      return;
    case 'batchGet':
      await rt.send(new BatchGetRecordCommand({ Identifiers: [{ FeatureGroupName: GROUP, RecordIdentifiersValueAsString: Array.from({ length: 10 }, (_, k) => `user-${(i + k * 997) % IDS}`) }] }));
      return;
    case 'put':
      await rt.send(new PutRecordCommand({ FeatureGroupName: GROUP, Record: record(i) }));
      return;
    case 'batchWrite':
      await rt.send(new BatchWriteRecordCommand({ Entries: Array.from({ length: 10 }, (_, k) => ({ FeatureGroupName: GROUP, Record: record(i + k) })) }));
      return;
    case 'list':
      await rt.send(new ListRecordsCommand({ FeatureGroupName: GROUP, MaxResults: 100 }));
      return;
    case 'search':
      await sm.send(new SearchCommand({ Resource: 'FeatureGroup' }));
      return;
    case 'describe':
      await sm.send(new DescribeFeatureGroupCommand({ FeatureGroupName: GROUP }));
      return;
    case 'query':
      await remote.query(`SELECT country, count(*) AS n, avg(score) AS score FROM ${GROUP} WHERE NOT is_deleted GROUP BY country`);
      return;
    case 'dataset': {
      // A point-in-time join of 100 base rows against the whole table.
      const base = Array.from({ length: 100 }, (_, k) => ({ user_id: `user-${(i + k * 101) % IDS}`, event_time: clock - (k % 50) }));
      await remote.createDataset(base, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time' }).withFeatureGroup(GROUP).pointInTimeAccurateJoin().toRows();
    }
  }
}

interface Minute {
  latencies: Map<Kind, number[]>;
  served: number;
  clientErrors: number;
  serverErrors: number;
}
const newMinute = (): Minute => ({ latencies: new Map(), served: 0, clientErrors: 0, serverErrors: 0 });
const minutes: Minute[] = [newMinute()];
const errorSamples: string[] = [];
const started = Date.now();
const deadline = started + SECONDS * 1000;
let counter = 0;

async function worker(): Promise<void> {
  while (Date.now() < deadline) {
    const kind = pick();
    const i = counter++;
    const t0 = performance.now();
    const minute = minutes[Math.floor((Date.now() - started) / 60_000)] ?? minutes.at(-1)!;
    try {
      await call(kind, i);
      let list = minute.latencies.get(kind);
      if (!list) minute.latencies.set(kind, (list = []));
      list.push(performance.now() - t0);
      minute.served++;
    } catch (error) {
      const e = error as Error & { $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode ?? 0;
      if (status >= 400 && status < 500) minute.clientErrors++;
      else minute.serverErrors++;
      if (errorSamples.length < 10) errorSamples.push(`${kind}: ${status} ${e.name}: ${e.message}`);
    }
  }
}

interface Sample {
  t: number;
  rssMiB: number;
  /** Of the RSS, pages mapped from files (LMDB's memory map, Parquet files DuckDB maps): the OS may drop them. */
  rssFileMiB: number;
  /** The server's JavaScript heap in use, and memory outside it held by JavaScript objects (buffers), from /metrics. */
  heapMiB: number;
  externalMiB: number;
  fds: number;
}
const samples: Sample[] = [];
/** The processes a process started: the server's workers (Linux: /proc/<pid>/task/<tid>/children). */
function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}
const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
const sample = async () => {
  const t = (Date.now() - started) / 1000;
  // A worker being replaced may vanish between the listing and the reading: it counts for nothing.
  const alive = (pid: number) => {
    try {
      return { pid, status: readFileSync(`/proc/${pid}/status`, 'utf8'), fds: readdirSync(`/proc/${pid}/fd`).length };
    } catch {
      return undefined;
    }
  };
  const processes = [server.pid!, ...childPids(server.pid!)].map(alive).filter((p) => p !== undefined);
  const statuses = processes.map((p) => p.status);
  const sum = (read: (status: string) => number) => statuses.reduce((total, status) => total + read(status), 0);
  const rssKiB = sum((status) => Number(/VmRSS:\s+(\d+)/.exec(status)![1]));
  const fds = processes.reduce((total, p) => total + p.fds, 0);
  const metrics = await fetch(`${url}/metrics`).then((r) => r.text(), () => '');
  const rssFileKiB = sum((status) => Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? NaN));
  samples.push({ t, rssMiB: rssKiB / 1024, rssFileMiB: rssFileKiB / 1024, heapMiB: gauge(metrics, 'nodejs_heap_size_used_bytes'), externalMiB: gauge(metrics, 'nodejs_external_memory_bytes'), fds });
};
await sample();
const sampler = setInterval(() => void sample(), 5000);
const minuteTicker = setInterval(() => {
  const index = minutes.length - 1;
  const minute = minutes.at(-1)!;
  minutes.push(newMinute());
  void tableSize().then((rows) => report(index, minute, rows));
}, 60_000);
/** The table's size, printed beside the memory: what retention keeps (not counted as a request). */
function tableSize(): Promise<number> {
  return remote.query(`SELECT count(*) AS n FROM ${GROUP}`).then(
    ({ rows }) => Number(rows[0]!.n),
    () => NaN,
  );
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
function report(index: number, m: Minute, tableRows: number): void {
  const parts = [...m.latencies].map(([kind, list]) => {
    const sorted = list.sort((a, b) => a - b);
    return `${kind} n=${sorted.length} p50 ${pct(sorted, 50).toFixed(1)} p99 ${pct(sorted, 99).toFixed(1)} max ${sorted.at(-1)!.toFixed(0)}`;
  });
  const last = samples.at(-1)!;
  console.log(
    `minute ${index + 1}: ${m.served} served, ${m.clientErrors} client errors, ${m.serverErrors} server errors, table ${tableRows} rows, rss ${last.rssMiB.toFixed(0)} MiB ` +
      `(file-backed ${last.rssFileMiB.toFixed(0)}, JS heap ${last.heapMiB.toFixed(0)}, external ${last.externalMiB.toFixed(0)}), fds ${last.fds}; ms: ${parts.join('; ')}`,
  );
}

/** Least-squares slope of y over t (per minute). */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, [t]) => s + t, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [t, y]) => s + (t - mt) * (y - my), 0);
  const den = points.reduce((s, [t]) => s + (t - mt) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60;
}

console.log(`soak: ${SECONDS} s, ${CONCURRENCY} callers, against floe serve (pid ${server.pid}, ${WORKERS} worker process(es)) at ${url}; mix ${MIX.map(([k, s]) => `${k} ${(s * 100).toFixed(0)}%`).join(', ')}`);
let failed = false;
try {
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
} finally {
  clearInterval(sampler);
  clearInterval(minuteTicker);
  await sample();
  const tail = minutes.at(-1)!;
  const tableRows = await tableSize();
  if (tail.served + tail.clientErrors + tail.serverErrors > 0) report(minutes.length - 1, tail, tableRows);
  const total = minutes.reduce((s, m) => ({ served: s.served + m.served, client: s.client + m.clientErrors, server: s.server + m.serverErrors }), { served: 0, client: 0, server: 0 });
  const after = samples.filter((s) => s.t >= WARMUP_SECONDS);
  const rss = after.map((s): [number, number] => [s.t, s.rssMiB]);
  const fds = after.map((s): [number, number] => [s.t, s.fds]);
  const fileBacked = after.map((s): [number, number] => [s.t, s.rssFileMiB]);
  const heap = after.map((s): [number, number] => [s.t, s.heapMiB]);
  const external = after.map((s): [number, number] => [s.t, s.externalMiB]);
  const elapsed = (Date.now() - started) / 1000;
  console.log(`requests served: ${total.served} (${(total.served / elapsed).toFixed(0)}/s), client errors: ${total.client}, server errors: ${total.server}`);
  console.log(
    `after ${WARMUP_SECONDS} s warm-up: rss ${Math.min(...rss.map(([, y]) => y)).toFixed(0)}..${Math.max(...rss.map(([, y]) => y)).toFixed(0)} MiB, slope ${slope(rss).toFixed(2)} MiB/min; ` +
      `fds ${Math.min(...fds.map(([, y]) => y))}..${Math.max(...fds.map(([, y]) => y))}, slope ${slope(fds).toFixed(2)}/min`,
  );
  console.log(`  of which file-backed slope ${slope(fileBacked).toFixed(2)} MiB/min, JS heap slope ${slope(heap).toFixed(2)} MiB/min, external slope ${slope(external).toFixed(2)} MiB/min (the rest is native: DuckDB, LMDB, the allocator)`);
  // The store keeps growing under the load (rows, files, snapshots until thinning holds them), so
  // the second half shows best whether memory has settled: its slope, and its mean beside the first half's.
  const half = elapsed / 2;
  const mean = (points: Array<[number, number]>) => points.reduce((sum, [, y]) => sum + y, 0) / Math.max(1, points.length);
  const secondHalf = rss.filter(([t]) => t >= half);
  console.log(
    `second half (from ${half.toFixed(0)} s): rss ${Math.min(...secondHalf.map(([, y]) => y)).toFixed(0)}..${Math.max(...secondHalf.map(([, y]) => y)).toFixed(0)} MiB, ` +
      `slope ${slope(secondHalf).toFixed(2)} MiB/min, mean ${mean(secondHalf).toFixed(0)} MiB (first half after warm-up: ${mean(rss.filter(([t]) => t < half)).toFixed(0)} MiB); ` +
      `JS heap slope ${slope(heap.filter(([t]) => t >= half)).toFixed(2)} MiB/min`,
  );
  if (errorSamples.length > 0) console.log(`errors seen:\n  ${errorSamples.join('\n  ')}`);
  failed = total.server > 0 || total.client > 0;
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  agent.destroy();
  await rm(dataDir, { recursive: true, force: true });
}
if (failed) {
  console.error('soak: FAILED (errors above; the load sends only valid requests, so every error counts)');
  process.exitCode = 1;
}
