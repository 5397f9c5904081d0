/**
 * Dataset benchmark: a point-in-time join of BENCH_BASE base rows with a feature group of
 * BENCH_FEATURES records (plus 1% duplicates and 2% delete markers) over BENCH_IDS identifiers,
 * read from Parquet files, compiled by Floe and run on DuckDB, against
 *   (a) a hand-written DuckDB ASOF JOIN over the same files (deduplicated, no delete markers,
 *       no base order: the floor), and
 *   (b) the row_number() window SQL SageMaker's SDK generates for Athena (dedup, delete markers,
 *       join then rank per base row), run on DuckDB.
 * and Floe end to end as a user runs it: `store.createDataset(...).toArrow()` over the group's
 * Iceberg table in a FeatureStore (the same records bulk-ingested once, delete markers as rows
 * with null features), the base file copied into the sandbox, the plan compiled and run there.
 * Each is timed twice, in a process of its own: materialised in DuckDB (engine time) and to an
 * Apache Arrow table; its peak RSS is the process's high-water mark.
 *
 * Run: npx tsx bench/dataset.bench.ts   (defaults 1,000,000 x 1,000,000 over 100,000 ids)
 *      BENCH_SCALE=issue npx tsx bench/dataset.bench.ts   (10M x 10M over 1M ids)
 *      BENCH_BASE, BENCH_FEATURES, BENCH_IDS set sizes; BENCH_EVENT_TIME=iso times the group in ISO-8601 text;
 *      BENCH_RUNS runs of each, the best reported (default 3, 1 at the issue's scale).
 * Data (and the store) is generated once into .bench-data/ (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Dataset, DatasetBuilder, DuckDBDatasetSource } from '../src/dataset/index.js';
import type { FeatureGroup } from '../src/domain/index.js';
import { FeatureStore } from '../src/index.js';
import { now, printTable } from './stats.js';

const issue = process.env.BENCH_SCALE === 'issue';
const BASE = Number(process.env.BENCH_BASE ?? (issue ? 10_000_000 : 1_000_000));
const FEATURES = Number(process.env.BENCH_FEATURES ?? (issue ? 10_000_000 : 1_000_000));
const IDS = Number(process.env.BENCH_IDS ?? (issue ? 1_000_000 : 100_000));
const ISO = process.env.BENCH_EVENT_TIME === 'iso';
const RUNS = Number(process.env.BENCH_RUNS ?? (issue ? 1 : 3));

const dir = join(process.cwd(), '.bench-data');
await mkdir(dir, { recursive: true });
const basePath = join(dir, `dataset-pit-base-${BASE}-${IDS}.parquet`);
const featurePath = join(dir, `dataset-pit-features-${FEATURES}-${IDS}${ISO ? '-iso' : ''}.parquet`);

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const duck = await instance.connect();

const exists = (path: string) => stat(path).then(() => true, () => false);
const SPAN = 10_000_000; // seconds of event times: about 116 days
if (!(await exists(basePath))) {
  await duck.run(
    `COPY (SELECT (i * 7919 % ${IDS})::BIGINT AS user_id, (1700000000 + (i * 7919) % ${SPAN} + 0.5)::DOUBLE AS event_time, (i % 2)::INTEGER AS label
     FROM range(${BASE}) t(i)) TO '${basePath}' (FORMAT parquet)`,
  );
}
if (!(await exists(featurePath))) {
  const eventTime = (seconds: string) => (ISO ? `strftime(to_timestamp(${seconds}), '%Y-%m-%dT%H:%M:%S.%f+00:00')` : `${seconds}::DOUBLE`);
  const row = (i: string, deleted: string, written: string) =>
    `(${i} % ${IDS})::BIGINT AS user_id, ${eventTime(`1700000000 + (${i} * 104729) % ${SPAN}`)} AS event_time,
     CASE WHEN ${deleted} THEN NULL ELSE (${i} % 97)::BIGINT END AS clicks, CASE WHEN ${deleted} THEN NULL ELSE (${i} / 3.0)::DOUBLE END AS spend,
     make_timestamptz(1750000000000000 + ${written}) AS write_time, make_timestamptz(1750000000000000 + ${written}) AS api_invocation_time, ${deleted} AS is_deleted`;
  await duck.run(
    `COPY (
       SELECT ${row('i', 'i % 50 = 7', 'i')} FROM range(${FEATURES}) t(i)
       UNION ALL SELECT ${row('i', 'false', `${FEATURES} + i`)} FROM range(0, ${FEATURES}, 100) t(i)
     ) TO '${featurePath}' (FORMAT parquet)`,
  );
}

// The same records in a store's Iceberg table, ingested once (the bulk ingest is bench:ingest's subject).
const storeDir = join(dir, `dataset-store-${FEATURES}-${IDS}${ISO ? '-iso' : ''}`);
const storeReady = join(storeDir, 'bench-ready');
if (process.env.BENCH_ONLY === undefined && !(await exists(storeReady))) {
  await rm(storeDir, { recursive: true, force: true });
  const projected = join(dir, `dataset-pit-store-features-${FEATURES}-${IDS}${ISO ? '-iso' : ''}.parquet`);
  await duck.run(`COPY (SELECT user_id, event_time, clicks, spend FROM read_parquet('${featurePath}')) TO '${projected}' (FORMAT parquet)`);
  const store = await FeatureStore.open({ dataDir: storeDir });
  await store.createFeatureGroup({
    featureGroupName: 'activity',
    recordIdentifierFeatureName: 'user_id',
    eventTimeFeatureName: 'event_time',
    featureDefinitions: [
      { featureName: 'user_id', featureType: 'Integral' },
      { featureName: 'event_time', featureType: ISO ? 'String' : 'Fractional' },
      { featureName: 'clicks', featureType: 'Integral' },
      { featureName: 'spend', featureType: 'Fractional' },
    ],
    onlineStoreConfig: { enableOnlineStore: false },
  });
  await store.featureGroup('activity').ingest(projected, { failOnError: true });
  await store.close();
  await rm(projected);
  await writeFile(storeReady, '');
}

/** Floe as a user runs it: the store's createDataset over the Iceberg table, to Arrow. */
async function storeDatasetArrow(): Promise<number> {
  const store = await FeatureStore.open({ dataDir: storeDir });
  try {
    const table = await store.createDataset({ path: basePath }, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time' }).withFeatureGroup('activity').pointInTimeAccurateJoin().toArrow();
    return table.numRows;
  } finally {
    await store.close();
  }
}

const activity: FeatureGroup = {
  featureGroupName: 'activity',
  featureGroupArn: 'arn:aws:sagemaker:local:000000000000:feature-group/activity',
  recordIdentifierFeatureName: 'user_id',
  eventTimeFeatureName: 'event_time',
  features: [
    ['user_id', 'Integral'],
    ['event_time', ISO ? 'String' : 'Fractional'],
    ['clicks', 'Integral'],
    ['spend', 'Fractional'],
  ].map(([featureName, featureType]) => ({ featureName: featureName!, featureType: featureType as 'Integral', parameters: [], creationTime: new Date(), lastModifiedTime: new Date() })),
  onlineStoreConfig: { enableOnlineStore: false, storageType: 'Standard' },
  offlineStoreConfig: { enableOfflineStore: true, tableFormat: 'Iceberg' },
  featureGroupStatus: 'Created',
  tags: [],
  creationTime: new Date(),
  lastModifiedTime: new Date(),
};

const base = `read_parquet('${basePath}')`;
const features = `read_parquet('${featurePath}')`;
const source = new DuckDBDatasetSource(duck, { groups: { activity: features } });
const floeSql = await new DatasetBuilder(source, { base: { path: basePath }, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time' })
  .withFeatureGroup(activity)
  .pointInTimeAccurateJoin()
  .toSQL();

const instant = (column: string) => (ISO ? `CAST(${column} AS TIMESTAMPTZ)` : `to_timestamp(${column})`);
const handWritten = `
  SELECT b.*, f.clicks, f.spend FROM ${base} b
  ASOF LEFT JOIN (
    SELECT user_id, ${instant('event_time')} AS et, clicks, spend FROM ${features}
    QUALIFY row_number() OVER (PARTITION BY user_id, event_time ORDER BY write_time DESC, api_invocation_time DESC) = 1
  ) f ON b.user_id = f.user_id AND to_timestamp(b.event_time) >= f.et`;

// The shape of sagemaker.feature_store.dataset_builder's query for one group, point-in-time, left join.
const sagemaker = `
  WITH fg_base AS (SELECT *, row_number() OVER () AS base_row FROM ${base}),
  table_0 AS (
    SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY origin_0.user_id, origin_0.event_time ORDER BY origin_0.api_invocation_time DESC, origin_0.write_time DESC) AS dedup_row_0
      FROM ${features} origin_0
    ) WHERE dedup_row_0 = 1
  ),
  deleted_0 AS (
    SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY origin_0.user_id ORDER BY origin_0.event_time DESC, origin_0.api_invocation_time DESC, origin_0.write_time DESC) AS deleted_row_0
      FROM ${features} origin_0 WHERE is_deleted
    ) WHERE deleted_row_0 = 1
  ),
  fg_0 AS (
    SELECT table_0.* FROM table_0 LEFT JOIN deleted_0 ON table_0.user_id = deleted_0.user_id WHERE deleted_0.user_id IS NULL
    UNION ALL
    SELECT table_0.* FROM deleted_0 JOIN table_0 ON table_0.user_id = deleted_0.user_id AND ${instant('table_0.event_time')} > ${instant('deleted_0.event_time')}
  )
  SELECT user_id, event_time, label, clicks, spend FROM (
    SELECT fg_base.*, fg_0.clicks, fg_0.spend,
      row_number() OVER (PARTITION BY fg_base.base_row ORDER BY ${instant('fg_0.event_time')} DESC, fg_0.api_invocation_time DESC, fg_0.write_time DESC) AS row_recent
    FROM fg_base LEFT JOIN fg_0 ON fg_base.user_id = fg_0.user_id AND to_timestamp(fg_base.event_time) >= ${instant('fg_0.event_time')}
  ) WHERE row_recent = 1 ORDER BY base_row`;

/** Peak resident set of this process (VmHWM): DuckDB's memory and the JS heap. */
async function highWaterMiB(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}

/** Wall time, and CPU time of this process (DuckDB's threads and JS): the latter moves less when the machine is shared. */
async function timed<T>(body: () => Promise<T>): Promise<{ seconds: number; cpuSeconds: number; value: T }> {
  const t = now();
  const cpu = process.cpuUsage();
  const value = await body();
  const used = process.cpuUsage(cpu);
  return { seconds: (now() - t) / 1e9, cpuSeconds: (used.user + used.system) / 1e6, value };
}

async function materialise(connection: DuckDBConnection, sql: string): Promise<number> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE bench_out AS ${sql}`);
  const n = Number((await connection.runAndReadAll('SELECT count(*) AS n FROM bench_out')).getRowObjectsJS()[0]!.n);
  await connection.run('DROP TABLE bench_out');
  return n;
}

const orDash = (x: number) => (Number.isFinite(x) ? x : '-');

const approaches: Array<[string, string]> = [
  ['Floe compiled plan', floeSql],
  ['(a) hand-written ASOF JOIN', handWritten],
  ['(b) SageMaker window SQL', sagemaker],
];

/** The best of RUNS (the machine is shared: the fastest run is the least disturbed). */
async function best<T>(body: () => Promise<T>): Promise<{ seconds: number; cpuSeconds: number; value: T }> {
  let result = await timed(body);
  for (let i = 1; i < RUNS; i++) {
    const next = await timed(body);
    if (next.seconds < result.seconds) result = next;
  }
  return result;
}

interface Measure {
  rows: number;
  engineSeconds: number;
  engineCpuSeconds: number;
  arrowSeconds: number;
  arrowCpuSeconds: number;
  peakMiB: number;
}

const only = process.env.BENCH_ONLY;
if (only !== undefined) {
  // A child run: one approach, so that its peak RSS is its own.
  const index = Number(only);
  let engine: { seconds: number; cpuSeconds: number; value: number };
  let arrow: { seconds: number; cpuSeconds: number; value: number };
  if (index === approaches.length) {
    // The store's engine is sandboxed (no CREATE TABLE): only its end-to-end Arrow time is measured.
    arrow = await best(storeDatasetArrow);
    engine = { seconds: Number.NaN, cpuSeconds: Number.NaN, value: arrow.value };
  } else {
    const sql = approaches[index]![1];
    engine = await best(() => materialise(duck, sql));
    arrow = await best(async () => (await new Dataset(duck, sql).arrow()).numRows);
  }
  const measure: Measure = {
    rows: engine.value,
    engineSeconds: engine.seconds,
    engineCpuSeconds: engine.cpuSeconds,
    arrowSeconds: arrow.seconds,
    arrowCpuSeconds: arrow.cpuSeconds,
    peakMiB: await highWaterMiB(),
  };
  console.log(JSON.stringify(measure));
} else {
  const loadBefore = loadavg();
  const measures: Measure[] = [];
  for (let i = 0; i <= approaches.length; i++) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!], { env: { ...process.env, BENCH_ONLY: String(i) }, encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) throw new Error(`approach ${i} failed: ${child.stderr}`);
    measures.push(JSON.parse(line) as Measure);
  }
  console.log(
    `Dataset benchmark: ${BASE.toLocaleString('en-US')} base rows x ${FEATURES.toLocaleString('en-US')} feature records (+1% duplicates, 2% delete markers) over ` +
      `${IDS.toLocaleString('en-US')} ids, event times as ${ISO ? 'ISO-8601 text' : 'epoch seconds'}, DuckDB 2 threads, best of ${RUNS}, one process per approach\n`,
  );
  printTable(
    measures.map((m, i) => ({
      approach: approaches[i]?.[0] ?? 'Floe store, from its Iceberg table',
      rows: m.rows,
      'engine s': orDash(m.engineSeconds),
      'engine rows/s': orDash(m.rows / m.engineSeconds),
      'engine CPU s': orDash(m.engineCpuSeconds),
      'to Arrow s': m.arrowSeconds,
      'Arrow rows/s': m.rows / m.arrowSeconds,
      'Arrow CPU s': m.arrowCpuSeconds,
      'peak RSS MiB': m.peakMiB,
    })),
  );
  const [floe, asof, window, store] = measures as [Measure, Measure, Measure, Measure];
  const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}x`;
  console.log(`\nFloe vs (a): ${ratio(floe.engineSeconds, asof.engineSeconds)} the engine time, ${ratio(floe.arrowSeconds, asof.arrowSeconds)} to Arrow (CPU: ${ratio(floe.engineCpuSeconds, asof.engineCpuSeconds)}, ${ratio(floe.arrowCpuSeconds, asof.arrowCpuSeconds)})`);
  console.log(`Floe store (Iceberg table to Arrow) vs (a): ${ratio(store.arrowSeconds, asof.arrowSeconds)} to Arrow (CPU: ${ratio(store.arrowCpuSeconds, asof.arrowCpuSeconds)}), ${Math.round(store.rows / store.arrowSeconds).toLocaleString('en-US')} rows/s`);
  console.log(`(b) vs Floe: ${ratio(window.engineSeconds, floe.engineSeconds)} the engine time, ${ratio(window.arrowSeconds, floe.arrowSeconds)} to Arrow (CPU: ${ratio(window.engineCpuSeconds, floe.engineCpuSeconds)}, ${ratio(window.arrowCpuSeconds, floe.arrowCpuSeconds)})`);
  console.log(`Targets: >= 3,000,000 rows/s to Arrow, within 1.25x of (a). Load average (1 min) on ${cpus().length} cores: ${loadBefore[0]!.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`);
}
duck.closeSync();
instance.closeSync();
