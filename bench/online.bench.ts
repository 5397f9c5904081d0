/**
 * Online store benchmark: puts, gets and batch gets per second with p50/p99 latency, in-process,
 * for each store; Redis also against redis-benchmark GET on the same machine, in the same run.
 * One caller (latency) and many concurrent callers (throughput) are measured separately.
 * Run: npm run bench:online   (BENCH_N: number of records, default 100,000; BENCH_STORES: lmdb,redis)
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbOnlineStore, RedisOnlineStore, ioredisClient, type OnlineRecord, type OnlineStore } from '../src/online/index.js';
import { now, printTable, summarize } from './stats.js';

type Row = Record<string, string | number>;

const N = Number(process.env.BENCH_N ?? 100_000);
const CONCURRENCY = 64;
const BATCH = 100;
const SEQUENTIAL_PUTS = 2_000;
const GROUP = 'bench';
const REDIS_URL = 'redis://127.0.0.1:6379';

/** A realistic record: identifier, event time and eight features of every kind. */
const record = (i: number): OnlineRecord => ({
  values: {
    user_id: `user-${i}`,
    event_time: '2025-01-01T00:00:00Z',
    age: i % 90,
    score: i / 7,
    country: 'PT',
    plan: 'premium',
    clicks_7d: i * 3,
    spend_30d: i * 1.25,
    tags: ['a', 'b', 'c'],
    embedding: [0.1, 0.2, 0.3, 0.4],
  },
  eventTimeMicros: 1_735_689_600_000_000 + i,
});
/** Reads visit the records in a scattered order, not the order they were written in; ids made up front so that only the store is timed. */
const readOrder = Array.from({ length: N }, (_, i) => `user-${(i * 7919) % N}`);
const scattered = (i: number) => readOrder[i % N]!;
const STORES = (process.env.BENCH_STORES ?? 'lmdb,redis').split(',');

/** One caller: throughput from an untimed pass (a clock read costs as much as a fast get), latency from a timed one. */
async function sequential(operation: string, op: (i: number) => Promise<unknown>, count = N): Promise<Row> {
  const start = now();
  for (let i = 0; i < count; i++) await op(i);
  const opsPerSec = count / ((now() - start) / 1e9);
  const latencies: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const t = now();
    await op(i);
    latencies[i] = now() - t;
  }
  const s = summarize(latencies, 1);
  return { operation, callers: 1, 'ops/s': opsPerSec, 'p50 µs': s.p50us, 'p99 µs': s.p99us };
}

/** Many callers at once, each waiting for its own call before the next: throughput under load. */
async function concurrent(operation: string, op: (i: number) => Promise<unknown>, count = N): Promise<Row> {
  const latencies: number[] = new Array(count);
  let next = 0;
  const start = now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = now();
        await op(i);
        latencies[i] = now() - t;
      }
    }),
  );
  const s = summarize(latencies, now() - start);
  return { operation, callers: CONCURRENCY, 'ops/s': s.opsPerSec, 'p50 µs': s.p50us, 'p99 µs': s.p99us };
}

/** `aroundGets` runs just before and just after the get measurements (the Redis peers, so that both see the same machine load). */
async function benchStore(name: string, store: OnlineStore, aroundGets: () => void = () => {}): Promise<Row[]> {
  const rows: Row[] = [];
  const add = (row: Row) => {
    rows.push({ store: name, ...row });
    console.log(`  ${name} ${row.operation} (${row.callers} callers): ${Math.round(row['ops/s'] as number).toLocaleString('en-US')}/s`);
  };
  try {
    // One caller waits for each commit (LMDB: a transaction each): a sample is enough for its latency.
    add(await sequential('put', (i) => store.put(GROUP, `user-${i}`, record(i)), Math.min(N, SEQUENTIAL_PUTS)));
    add(await concurrent('put', (i) => store.put(GROUP, `user-${i}`, record(i))));
    aroundGets();
    add(await sequential('get', (i) => store.get(GROUP, scattered(i))));
    add(await concurrent('get', (i) => store.get(GROUP, scattered(i))));
    aroundGets();
    const keys = (i: number) => Array.from({ length: BATCH }, (_, j) => ({ group: GROUP, recordId: scattered(i * BATCH + j) }));
    const batches = Math.ceil(N / BATCH);
    add(await sequential(`getMany ${BATCH}`, (i) => store.getMany(keys(i)), batches));
    add(await concurrent(`getMany ${BATCH}`, (i) => store.getMany(keys(i)), batches));
    const found = await store.getMany(keys(0));
    if (found.some((r) => r === undefined)) throw new Error(`${name}: a benchmark record is missing`);
  } finally {
    await store.dropGroup(GROUP);
  }
  return rows;
}

/** redis-benchmark GET requests per second with the given extra flags. */
function redisBenchmarkGet(flags: string[]): number {
  const out = execFileSync('redis-benchmark', ['-h', '127.0.0.1', '-p', '6379', '-t', 'get', '-n', '200000', '-q', ...flags], { encoding: 'utf8' });
  const m = /GET: ([\d.]+) requests per second/.exec(out);
  if (!m) throw new Error(`cannot read redis-benchmark output: ${out}`);
  return Number(m[1]);
}

const dir = await mkdtemp(join(tmpdir(), 'floe-bench-online-'));
console.log(`Online store benchmark: ${N.toLocaleString('en-US')} records of 10 features; concurrent runs use ${CONCURRENCY} callers.\n`);
const rows: Row[] = [];
if (STORES.includes('lmdb')) {
  const lmdb = LmdbOnlineStore.open(dir);
  try {
    rows.push(...(await benchStore('lmdb', lmdb)));
  } finally {
    await lmdb.close();
    await rm(dir, { recursive: true, force: true });
  }
}
const peers = [
  { flags: [], label: 'redis-benchmark -t get -n 200000 (-c 50, -P 1: the default)', callers: CONCURRENCY, runs: [] as number[] },
  { flags: ['-c', '1'], label: 'redis-benchmark -c 1 (one request at a time: the peer of one caller)', callers: 1, runs: [] as number[] },
  {
    flags: ['-c', '1', '-P', String(CONCURRENCY)],
    label: `redis-benchmark -c 1 -P ${CONCURRENCY} (one connection, up to ${CONCURRENCY} in flight: the peer of ${CONCURRENCY} callers on one connection)`,
    callers: CONCURRENCY,
    runs: [] as number[],
  },
];
if (STORES.includes('redis')) {
  const redis = new RedisOnlineStore(ioredisClient(REDIS_URL), `floe-bench:${randomUUID()}:`);
  try {
    rows.push(...(await benchStore('redis', redis, () => peers.forEach((peer) => peer.runs.push(redisBenchmarkGet(peer.flags))))));
  } finally {
    await redis.close();
  }
}

console.log('');
printTable(rows);
if (STORES.includes('redis')) {
  console.log('\nRedis adapter get against redis-benchmark GET, same machine, measured just before and after the adapter (mean):');
  for (const peer of peers) {
    const peerOps = peer.runs.reduce((a, b) => a + b, 0) / peer.runs.length;
    const adapter = rows.find((r) => r.store === 'redis' && r.operation === 'get' && r.callers === peer.callers)!['ops/s'] as number;
    console.log(`  ${peer.label}: ${Math.round(peerOps).toLocaleString('en-US')}/s; adapter (${peer.callers} callers) / it = ${(adapter / peerOps).toFixed(2)}`);
  }
  console.log('  (target: adapter >= 0.50 of redis-benchmark GET)');
}
const embedded = rows.find((r) => r.store === 'lmdb' && r.operation === 'get' && r.callers === 1);
if (embedded) {
  const [ops, p99] = [embedded['ops/s'] as number, embedded['p99 µs'] as number];
  console.log(`\nEmbedded get, one caller: ${Math.round(ops).toLocaleString('en-US')}/s (target >= 300,000), p99 ${p99.toFixed(1)} µs (target <= 20 µs)`);
}
