/**
 * Ingestion benchmark: durable putRecord with many concurrent callers, bulk ingest from Parquet,
 * offline visibility lag after acknowledgement, and query planning time as commits pile up.
 * Run: npm run bench:ingest
 *   BENCH_PUTS (default 100,000), BENCH_ROWS (default 1,000,000; the figure is 10,000,000),
 *   BENCH_COMMITS (default "1000,10000"), BENCH_MEMORY_LIMIT (the bulk ingest's DuckDB memory limit,
 *   default the ingest's own: peak RSS stays near it whatever the file's size). Every commit rewrites the table metadata, which lists every
 *   snapshot kept (no snapshot expiry here): the bench reports what a commit costs at that size,
 *   and splits a query's time into planning (metadata, manifest list and manifests read, until
 *   DuckDB gets the file list) and execution (DuckDB scanning one small file per commit).
 * Throughput depends on the CPU the process gets; the CPU time per record (all threads) is printed
 * beside it, with the rate it would allow on two unshared cores.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { FeatureStore } from '../src/index.js';
import { now, printTable, summarize } from './stats.js';

const PUTS = Number(process.env.BENCH_PUTS ?? 100_000);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const COMMITS = (process.env.BENCH_COMMITS ?? '1000,10000').split(',').map(Number);
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const CALLERS = 256;
const MEMORY_LIMIT = process.env.BENCH_MEMORY_LIMIT;
const ingestOptions = MEMORY_LIMIT ? { memoryLimit: MEMORY_LIMIT } : {};

const features = [
  { featureName: 'user_id', featureType: 'Integral' as const },
  { featureName: 'event_time', featureType: 'Fractional' as const },
  ...Array.from({ length: 8 }, (_, i) => ({ featureName: `f${i}`, featureType: i % 2 ? ('Fractional' as const) : ('Integral' as const) })),
];
const define = (store: FeatureStore, name: string) =>
  store.createFeatureGroup({ featureGroupName: name, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time', featureDefinitions: features });
const record = (i: number) => {
  const r: Record<string, number> = { user_id: i % 100_000, event_time: 1_700_000_000 + i };
  for (let f = 0; f < 8; f++) r[`f${f}`] = f % 2 ? i / (f + 1) : i * f;
  return r;
};

const dataDir = await mkdtemp(join(tmpdir(), 'floe-bench-ingest-'));
const store = await FeatureStore.open({ dataDir });
const results: Array<Record<string, string | number>> = [];
/** Each figure is also printed as soon as it is measured (a long run stopped early keeps what it had). */
const report = (row: Record<string, string | number>) => {
  results.push(row);
  console.error(`${row.measure}: ${typeof row.value === 'number' ? Math.round(row.value * 10) / 10 : row.value} ${row.unit}`);
};
try {
  // 1. Durable putRecord: each acknowledgement waits for the write-ahead log's fsync (group commit).
  await define(store, 'puts');
  const puts = store.featureGroup('puts');
  const latencies: number[] = new Array(PUTS);
  let next = 0;
  const start = now();
  const cpuStart = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      for (let i = next++; i < PUTS; i = next++) {
        const t = now();
        await puts.putRecord(record(i));
        latencies[i] = now() - t;
      }
    }),
  );
  const p = summarize(latencies, now() - start);
  const putCpuMicros = (cpuSeconds(cpuStart) * 1e6) / PUTS;
  report({ measure: `durable putRecord, ${CALLERS} callers`, value: p.opsPerSec, unit: 'records/s', 'p50 ms': p.p50us / 1000, 'p99 ms': p.p99us / 1000 });
  report({ measure: 'durable putRecord: CPU per record (all threads)', value: putCpuMicros, unit: 'µs', 'p50 ms': '', 'p99 ms': '' });
  report({ measure: 'durable putRecord: rate that CPU allows on 2 free cores', value: 2e6 / putCpuMicros, unit: 'records/s', 'p50 ms': '', 'p99 ms': '' });

  // 2. Offline visibility: time from acknowledgement until the record is in an offline snapshot.
  const lags: number[] = [];
  for (let i = 0; i < 200; i++) {
    await puts.putRecord(record(PUTS + i));
    const t = now();
    await puts.flush();
    lags.push(now() - t);
  }
  const lag = summarize(lags, 1);
  report({ measure: 'offline visibility after ack (flush)', value: lag.p99us / 1000, unit: 'ms p99', 'p50 ms': lag.p50us / 1000, 'p99 ms': lag.p99us / 1000 });

  // 3. Bulk ingest from a Parquet file.
  const dataFile = join(process.cwd(), '.bench-data', `ingest-${ROWS}.parquet`);
  await mkdir(join(process.cwd(), '.bench-data'), { recursive: true });
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const columns = features
    .slice(2)
    .map((f, i) => (f.featureType === 'Integral' ? `(i * ${i})::BIGINT AS ${f.featureName}` : `(i / ${i + 1})::DOUBLE AS ${f.featureName}`))
    .join(', ');
  await duck.run(`COPY (SELECT (i % 1000000)::BIGINT AS user_id, (1700000000 + i)::DOUBLE AS event_time, ${columns} FROM range(${ROWS}) t(i)) TO '${dataFile}' (FORMAT parquet)`);
  await define(store, 'bulk');
  await define(store, 'bulk-offline');
  const offlineStart = now();
  const offlineCpu = process.cpuUsage();
  const offlineOnly = await store.featureGroup('bulk-offline').ingest(dataFile, { targetStores: ['OfflineStore'], ...ingestOptions });
  const offlineSeconds = (now() - offlineStart) / 1e9;
  report({ measure: `bulk ingest to the offline store only`, value: offlineOnly.rowsWritten / offlineSeconds, unit: 'rows/s', 'p50 ms': '', 'p99 ms': '' });
  report({ measure: `  (CPU, all threads: ${cpuSeconds(offlineCpu).toFixed(1)} s for ${offlineSeconds.toFixed(1)} s)`, value: ROWS / cpuSeconds(offlineCpu), unit: 'rows/CPU-s', 'p50 ms': '', 'p99 ms': '' });
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const t = now();
  const bothCpu = process.cpuUsage();
  const result = await store.featureGroup('bulk').ingest(dataFile, ingestOptions);
  const seconds = (now() - t) / 1e9;
  clearInterval(sampler);
  report({ measure: `bulk ingest, ${ROWS.toLocaleString('en-US')} rows x 10 features (Parquet), both stores`, value: result.rowsWritten / seconds, unit: 'rows/s', 'p50 ms': '', 'p99 ms': '' });
  report({ measure: `  (CPU, all threads: ${cpuSeconds(bothCpu).toFixed(1)} s for ${seconds.toFixed(1)} s)`, value: ROWS / cpuSeconds(bothCpu), unit: 'rows/CPU-s', 'p50 ms': '', 'p99 ms': '' });
  report({ measure: `bulk ingest peak RSS (DuckDB memory limit ${MEMORY_LIMIT ?? 'default'})`, value: peakRss / 2 ** 20, unit: 'MiB', 'p50 ms': '', 'p99 ms': '' });

  // 4. Commit cost and query planning time as commits pile up (one putRecord, one commit).
  await define(store, 'commits');
  const commits = store.featureGroup('commits');
  let made = 0;
  for (const target of COMMITS) {
    const commitTimes: number[] = [];
    for (; made < target; made++) {
      const c = now();
      await commits.putRecord(record(made), { wait: 'offline' });
      if (target - made <= 50) commitTimes.push(now() - c);
    }
    const commit = summarize(commitTimes, 1);
    report({ measure: `put + commit at ${target.toLocaleString('en-US')} snapshots (last 50)`, value: commit.p50us / 1000, unit: 'ms p50', 'p50 ms': commit.p50us / 1000, 'p99 ms': commit.p99us / 1000 });
    const planning: number[] = [];
    const execution: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { timings } = await store.query('SELECT count(*) FROM commits');
      planning.push(timings!.planningMs * 1e6);
      execution.push(timings!.executionMs * 1e6);
    }
    const plan = summarize(planning, 1);
    const scan = summarize(execution, 1);
    report({ measure: `query planning after ${target.toLocaleString('en-US')} commits`, value: plan.p50us / 1000, unit: 'ms p50', 'p50 ms': plan.p50us / 1000, 'p99 ms': plan.p99us / 1000 });
    report({ measure: `query execution (${target.toLocaleString('en-US')} small files)`, value: scan.p50us / 1000, unit: 'ms p50', 'p50 ms': scan.p50us / 1000, 'p99 ms': scan.p99us / 1000 });
  }
} finally {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}
console.log('Ingestion benchmark (targets: >= 50,000 durable puts/s; >= 1,000,000 bulk rows/s; visibility p99 <= 1 s)\n');
printTable(results);
