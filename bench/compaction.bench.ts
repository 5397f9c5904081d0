/**
 * Compaction benchmark: the small-file state streaming ingestion leaves, the seed's query ("the
 * latest record per identifier, without duplicates and without deleted records") before and
 * after OPTIMIZE and on the same rows in one well-written Parquet file (the limit), compaction
 * throughput, and planning time at many commits once manifests are merged.
 * Run: npm run bench:compaction
 *   BENCH_COMMITS (default 5,000 commits of BENCH_ROWS_PER_COMMIT = 40 rows),
 *   BENCH_PLANNING_COMMITS (default 10,000 one-row commits), BENCH_REPEAT (default 5: best of).
 * Data is generated under .bench-data/compaction (not committed). The commits go through the
 * Iceberg layer directly (one data file each, as the offline buffer writes them), with snapshot
 * expiry every 200 commits as a scheduled VACUUM would do, so metadata stays small, and without
 * fsync (the generated data is disposable; OPTIMIZE itself runs through the store, which syncs).
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { FeatureStore } from '../src/index.js';
import { openOfflineStore, type DataFile, type OfflineStore } from '../src/offline/index.js';
import { fieldIdsOption } from '../src/offline/parquet-writer.js';
import { QueryEngine, type QueryTable } from '../src/query/index.js';
import { openRegistry } from '../src/registry/index.js';
import { now, printTable } from './stats.js';

const COMMITS = Number(process.env.BENCH_COMMITS ?? 5_000);
const ROWS_PER_COMMIT = Number(process.env.BENCH_ROWS_PER_COMMIT ?? 40);
const PLANNING_COMMITS = Number(process.env.BENCH_PLANNING_COMMITS ?? 10_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const IDS = Math.max(1, Math.floor((COMMITS * ROWS_PER_COMMIT) / 10));

const root = resolve('.bench-data/compaction');
await rm(root, { recursive: true, force: true });
await mkdir(root, { recursive: true });
const dataDir = join(root, 'store');
const warehouse = join(dataDir, 'warehouse');

const store = await FeatureStore.open({ dataDir });
const registry = await openRegistry({ path: join(dataDir, 'registry.sqlite') });
// Generation skips fsync (the data is disposable); the store under test syncs as always.
const offline = await openOfflineStore({ warehouse, pointers: registry, sync: false });
const duck = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
const ms = (nanos: number) => nanos / 1e6;
const results: Array<Record<string, string | number>> = [];

const features = [
  { featureName: 'user_id', featureType: 'Integral' as const },
  { featureName: 'event_time', featureType: 'Fractional' as const },
  ...Array.from({ length: 6 }, (_, i) => ({ featureName: `f${i}`, featureType: i % 2 ? ('Fractional' as const) : ('Integral' as const) })),
];
const define = (name: string) =>
  store.createFeatureGroup({ featureGroupName: name, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time', featureDefinitions: features });

/**
 * Writes `commits` Parquet files of `rows` rows each with one DuckDB statement (the table's field
 * ids, zstd, as the store writes them), then commits them one append at a time. Row i: identifier
 * i % ids, event time rising; every 20th row repeats the previous row's identifier and event time
 * (a duplicate), every 25th is a delete marker.
 */
async function streamingCommits(group: string, commits: number, rows: number, ids: number): Promise<{ seconds: number }> {
  const table = await offline.openTable(group);
  await table.refresh();
  const schema = table.schema();
  const staging = join(root, `staging-${group}`);
  const n = commits * rows;
  const fcols = Array.from({ length: 6 }, (_, f) => (f % 2 ? `CAST(i AS DOUBLE) / ${f + 1} AS f${f}` : `i * ${f} AS f${f}`)).join(', ');
  await duck.run(
    `COPY (SELECT CAST(i // ${rows} AS BIGINT) AS commit_no,
        CASE WHEN i % 20 = 19 THEN (i - 1) % ${ids} ELSE i % ${ids} END AS user_id,
        CAST(1700000000 + CASE WHEN i % 20 = 19 THEN i - 1 ELSE i END AS DOUBLE) AS event_time, ${fcols},
        make_timestamptz(CAST(1700000000000000 + i * 1000 AS BIGINT)) AS write_time,
        make_timestamptz(CAST(1700000000000000 + i * 1000 AS BIGINT)) AS api_invocation_time,
        i % 25 = 24 AS is_deleted
      FROM range(${n}) t(i))
     TO '${staging}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (commit_no), FIELD_IDS ${fieldIdsOption(schema)}, OVERWRITE_OR_IGNORE true)`,
  );
  const start = now();
  for (let c = 0; c < commits; c++) {
    const dir = join(staging, `commit_no=${c}`);
    const [name] = await readdir(dir);
    const uri = `${table.location}/data/stream-${c}.parquet`;
    const path = offline.io.localPath(uri)!;
    await mkdir(join(path, '..'), { recursive: true });
    await rename(join(dir, name!), path);
    const file: DataFile = { filePath: uri, recordCount: BigInt(rows), fileSizeInBytes: BigInt((await stat(path)).size) };
    await table.append([file]);
    if ((c + 1) % 200 === 0) await table.expireSnapshots({ olderThanMs: Date.now(), retainLast: 50 });
  }
  await rm(staging, { recursive: true, force: true });
  return { seconds: (now() - start) / 1e9 };
}

const SEED_QUERY = (t: string) => `
  SELECT count(*) AS records, sum(user_id) AS checksum FROM (
    SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY event_time DESC, api_invocation_time DESC) AS rn FROM ${t}
    ) WHERE rn = 1 AND NOT is_deleted
  )`;

async function best(run: () => Promise<unknown>): Promise<number> {
  await run(); // warm-up: file system cache, DuckDB metadata cache
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < REPEAT; i++) {
    const t = now();
    await run();
    fastest = Math.min(fastest, now() - t);
  }
  return fastest;
}

async function planning(group: string, cold: boolean): Promise<{ nanos: number; files: number }> {
  let files = 0;
  const nanos = await best(async () => {
    const source: OfflineStore = cold ? await openOfflineStore({ warehouse, pointers: registry }) : offline;
    files = (await source.tableFiles(group)).files.length;
  });
  return { nanos, files };
}

try {
  // 1. The small-file state, and the seed's query over it.
  await define('stream');
  const built = await streamingCommits('stream', COMMITS, ROWS_PER_COMMIT, IDS);
  console.log(`${COMMITS.toLocaleString('en-US')} commits of ${ROWS_PER_COMMIT} rows committed in ${built.seconds.toFixed(1)} s (${Math.round(COMMITS / built.seconds)} commits/s)`);
  const engine = await QueryEngine.create({ warehouseDir: warehouse });
  let answer: unknown;
  const seedQuery = async () => {
    const table = await offline.tableFiles('stream'); // planning is part of the query
    answer = (await engine.query(SEED_QUERY('stream'), [table as QueryTable])).rows[0];
  };
  const before = await best(seedQuery);
  const beforeAnswer = JSON.stringify(answer);
  console.log(`seed query before optimize: ${ms(before).toFixed(1)} ms (${beforeAnswer})`);

  // 2. OPTIMIZE, then the same query.
  const fg = store.featureGroup('stream');
  const t = now();
  const optimized = await fg.optimize();
  const optimizeNanos = now() - t;
  console.log(`optimize: ${ms(optimizeNanos).toFixed(0)} ms`);
  const after = await best(seedQuery);
  console.log(`seed query after optimize: ${ms(after).toFixed(1)} ms`);
  if (JSON.stringify(answer) !== beforeAnswer) throw new Error(`the answer changed after optimize: ${beforeAnswer} vs ${JSON.stringify(answer)}`);
  // The same compaction with the rows sorted by identifier and event time, as the limit file is.
  const sorted = await fg.optimize({ sortBy: ['user_id', 'event_time'] });
  const afterSorted = await best(seedQuery);
  console.log(`seed query after optimize sorted by identifier and event time: ${ms(afterSorted).toFixed(1)} ms`);
  if (JSON.stringify(answer) !== beforeAnswer) throw new Error('the answer changed after the sorted optimize');

  // 3. The limit: the same rows in one Parquet file written well (sorted by identifier and time, zstd).
  const current = await offline.tableFiles('stream');
  const limitDir = join(warehouse, '.bench-limit');
  await mkdir(limitDir, { recursive: true });
  const onePath = join(limitDir, 'one.parquet');
  const list = `[${current.files.map((f) => `'${f}'`).join(', ')}]`;
  await duck.run(`COPY (SELECT * FROM read_parquet(${list}) ORDER BY user_id, event_time) TO '${onePath}' (FORMAT parquet, COMPRESSION zstd)`);
  const limitTable: QueryTable = { name: 'stream', files: [onePath], columns: current.columns };
  const limit = await best(async () => {
    answer = (await engine.query(SEED_QUERY('stream'), [limitTable])).rows[0];
  });
  if (JSON.stringify(answer) !== beforeAnswer) throw new Error('the one-file answer differs');

  const rows = COMMITS * ROWS_PER_COMMIT;
  results.push(
    { measure: `seed query before optimize (${COMMITS} files)`, ms: ms(before), 'vs one file': `${(before / limit).toFixed(2)}x` },
    { measure: `seed query after optimize (${optimized.addedDataFilesCount} file(s))`, ms: ms(after), 'vs one file': `${(after / limit).toFixed(2)}x (target <= 1.2x)` },
    { measure: `seed query after optimize sortBy [user_id, event_time] (${sorted.addedDataFilesCount} file(s))`, ms: ms(afterSorted), 'vs one file': `${(afterSorted / limit).toFixed(2)}x` },
    { measure: 'seed query, same rows in one well-written file', ms: ms(limit), 'vs one file': '1.00x' },
    { measure: `optimize: ${optimized.rewrittenDataFilesCount} files, ${rows.toLocaleString('en-US')} rows`, ms: ms(optimizeNanos), 'vs one file': `${Math.round(rows / (optimizeNanos / 1e9)).toLocaleString('en-US')} rows/s` },
  );
  engine.close();

  // 4. Planning at many commits: merge-append's manifests as they stand, then after OPTIMIZE merged them.
  await define('planning');
  const planned = await streamingCommits('planning', PLANNING_COMMITS, 1, 1000);
  console.log(`${PLANNING_COMMITS.toLocaleString('en-US')} one-row commits in ${planned.seconds.toFixed(1)} s`);
  const table = await offline.openTable('planning');
  await table.refresh();
  const manifestsBefore = (await table.manifests(table.currentSnapshot()!)).length;
  const warmBefore = await planning('planning', false);
  const coldBefore = await planning('planning', true);
  const compacted = await store.featureGroup('planning').optimize();
  const warmAfter = await planning('planning', false);
  const coldAfter = await planning('planning', true);
  results.push(
    { measure: `planning at ${PLANNING_COMMITS} commits, ${manifestsBefore} manifests, ${warmBefore.files} live files`, ms: ms(warmBefore.nanos), 'vs one file': `cold (metadata parsed) ${ms(coldBefore.nanos).toFixed(1)} ms` },
    {
      measure: `planning after optimize: ${compacted.manifestsAfter} manifest, ${warmAfter.files} live file(s)`,
      ms: ms(warmAfter.nanos),
      'vs one file': `cold ${ms(coldAfter.nanos).toFixed(1)} ms (target <= 50 ms)`,
    },
  );
  printTable(results);
} finally {
  duck.closeSync();
  await offline.close();
  await registry.close();
  await store.close();
}
