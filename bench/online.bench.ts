/**
 * Online store benchmark: puts and gets per second and p50/p99 latency, in-process, for each
 * store; Redis also against redis-benchmark GET on the same machine, in the same run.
 * Run: npm run bench:online   (BENCH_N sets the number of records, default 100,000)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { LmdbOnlineStore, RedisOnlineStore, ioredisClient, type OnlineStore } from '../src/online/index.js';
import { now, printTable, summarize } from './stats.js';

const N = Number(process.env.BENCH_N ?? 100_000);
const CONCURRENCY = 64;
const GROUP = 'bench';
const record = (i: number) => ({
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

/** One caller: throughput from an untimed pass (clock reads cost as much as a fast get), latency from a timed one. */
async function sequential(label: string, op: (i: number) => Promise<unknown>, count = N): Promise<Record<string, string | number>> {
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
  return { operation: label, callers: 1, 'ops/s': opsPerSec, 'p50 µs': s.p50us, 'p99 µs': s.p99us };
}

async function concurrent(label: string, op: (i: number) => Promise<unknown>): Promise<Record<string, string | number>> {
  const latencies: number[] = new Array(N);
  let next = 0;
  const start = now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < N; i = next++) {
        const t = now();
        await op(i);
        latencies[i] = now() - t;
      }
    }),
  );
  const s = summarize(latencies, now() - start);
  return { operation: label, callers: CONCURRENCY, 'ops/s': s.opsPerSec, 'p50 µs': s.p50us, 'p99 µs': s.p99us };
}

async function benchStore(name: string, store: OnlineStore): Promise<Array<Record<string, string | number>>> {
  const rows: Array<Record<string, string | number>> = [];
  rows.push({ store: name, ...(await concurrent('put', (i) => store.put(GROUP, `user-${i}`, record(i)))) });
  rows.push({ store: name, ...(await sequential('get', (i) => store.get(GROUP, `user-${(i * 7919) % N}`))) });
  rows.push({ store: name, ...(await concurrent('get', (i) => store.get(GROUP, `user-${(i * 7919) % N}`))) });
  const batch = async (i: number) => store.getMany(Array.from({ length: 100 }, (_, j) => ({ group: GROUP, recordId: `user-${(i * 100 + j) % N}` })));
  rows.push({ store: name, ...(await sequential('getMany of 100', batch, Math.ceil(N / 100))) });
  await store.dropGroup(GROUP);
  return rows;
}

function redisBenchmarkGet(): number {
  const out = execFileSync('redis-benchmark', ['-h', '127.0.0.1', '-p', '6379', '-t', 'get', '-n', String(Math.max(N, 100_000)), '-c', '50', '-q'], {
    encoding: 'utf8',
  });
  const m = /GET: ([\d.]+) requests per second/.exec(out);
  if (!m) throw new Error(`cannot read redis-benchmark output: ${out}`);
  return Number(m[1]);
}

const dir = await mkdtemp(join(tmpdir(), 'floe-bench-online-'));
const lmdb = LmdbOnlineStore.open(dir);
const redis = new RedisOnlineStore(ioredisClient('redis://127.0.0.1:6379'), `floe-bench:${randomUUID()}:`);
console.log(`Online store benchmark: ${N.toLocaleString('en-US')} records of 10 features; concurrent runs use ${CONCURRENCY} callers.\n`);
const rows = [...(await benchStore('lmdb', lmdb)), ...(await benchStore('redis', redis))];
printTable(rows);
const peer = redisBenchmarkGet();
const adapter = rows.find((r) => r.store === 'redis' && r.operation === 'get' && r.callers === CONCURRENCY)!['ops/s'] as number;
const embedded = rows.find((r) => r.store === 'lmdb' && r.operation === 'get' && r.callers === 1)!;
console.log(`\nredis-benchmark GET (-c 50, no pipelining), same machine, same run: ${Math.round(peer).toLocaleString('en-US')} requests/s`);
console.log(`Redis adapter get (${CONCURRENCY} callers) / redis-benchmark GET: ${(adapter / peer).toFixed(2)} (target >= 0.50)`);
console.log(
  `Embedded get: ${Math.round(embedded['ops/s'] as number).toLocaleString('en-US')}/s (target >= 300,000), p99 ${(embedded['p99 µs'] as number).toFixed(1)} µs (target <= 20 µs)`,
);
await lmdb.close();
await redis.close();
await rm(dir, { recursive: true, force: true });
