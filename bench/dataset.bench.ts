/**
 * Dataset benchmark: a point-in-time join of BENCH_BASE base rows with a group of BENCH_FEATURES
 * records over BENCH_IDS identifiers, end to end from the Iceberg table to an Arrow result, against
 * (a) a hand-written DuckDB ASOF JOIN over the same Parquet files (the limit) and (b) the
 * row_number() window SQL SageMaker's SDK generates for Athena, run on DuckDB (the peer).
 * Run: npm run bench:dataset   (defaults 1,000,000 x 1,000,000 over 100,000 ids; the issue's figure is 10M x 10M over 1M)
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { FeatureStore } from '../src/index.js';
import { now, printTable } from './stats.js';

const BASE = Number(process.env.BENCH_BASE ?? 1_000_000);
const FEATURES = Number(process.env.BENCH_FEATURES ?? 1_000_000);
const IDS = Number(process.env.BENCH_IDS ?? 100_000);

const dataDir = await mkdtemp(join(tmpdir(), 'floe-bench-dataset-'));
const benchData = join(process.cwd(), '.bench-data');
await mkdir(benchData, { recursive: true });
const basePath = join(benchData, `dataset-base-${BASE}-${IDS}.parquet`);
const featurePath = join(benchData, `dataset-features-${FEATURES}-${IDS}.parquet`);
const duck = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
await duck.run(`COPY (SELECT (i % ${IDS})::BIGINT AS user_id, (1700000000 + (i * 7919) % 10000000)::DOUBLE AS event_time, i % 2 AS label FROM range(${BASE}) t(i)) TO '${basePath}' (FORMAT parquet)`);
await duck.run(`COPY (SELECT (i % ${IDS})::BIGINT AS user_id, (1700000000 + (i * 104729) % 10000000)::DOUBLE AS event_time, (i % 97)::BIGINT AS clicks, (i / 3.0)::DOUBLE AS spend FROM range(${FEATURES}) t(i)) TO '${featurePath}' (FORMAT parquet)`);

const store = await FeatureStore.open({ dataDir });
const results: Array<Record<string, string | number>> = [];
try {
  await store.createFeatureGroup({
    featureGroupName: 'activity',
    recordIdentifierFeatureName: 'user_id',
    eventTimeFeatureName: 'event_time',
    featureDefinitions: [
      { featureName: 'user_id', featureType: 'Integral' },
      { featureName: 'event_time', featureType: 'Fractional' },
      { featureName: 'clicks', featureType: 'Integral' },
      { featureName: 'spend', featureType: 'Fractional' },
    ],
  });
  await store.featureGroup('activity').ingest(featurePath, { targetStores: ['OfflineStore'] });
  const dataFiles = join(dataDir, 'warehouse', 'activity', 'data');
  const files = (await readdir(dataFiles)).map((f) => join(dataFiles, f));
  const list = `[${files.map((f) => `'${f}'`).join(', ')}]`;

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  let t = now();
  const table = await store
    .createDataset({ path: basePath }, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time' })
    .withFeatureGroup('activity')
    .pointInTimeAccurateJoin()
    .toArrow();
  const floeSeconds = (now() - t) / 1e9;
  clearInterval(sampler);
  results.push({ approach: 'Floe dataset (Iceberg table -> Arrow)', rows: table.numRows, 'rows/s': table.numRows / floeSeconds, seconds: floeSeconds });

  t = now();
  const limit = await duck.runAndReadAll(`
    SELECT count(*) AS n FROM (
      SELECT b.*, f.clicks, f.spend FROM read_parquet('${basePath}') b
      ASOF LEFT JOIN (SELECT * FROM read_parquet(${list}) QUALIFY row_number() OVER (PARTITION BY user_id, event_time ORDER BY write_time DESC) = 1) f
      ON b.user_id = f.user_id AND b.event_time >= f.event_time)`);
  const limitSeconds = (now() - t) / 1e9;
  results.push({ approach: '(a) hand-written DuckDB ASOF JOIN', rows: Number(limit.getRowObjectsJS()[0]!.n), 'rows/s': BASE / limitSeconds, seconds: limitSeconds });

  t = now();
  const peer = await duck.runAndReadAll(`
    SELECT count(*) AS n FROM (
      SELECT * FROM (
        SELECT b.*, f.clicks, f.spend, row_number() OVER (PARTITION BY b.__row ORDER BY f.event_time DESC, f.write_time DESC) AS rn
        FROM (SELECT *, row_number() OVER () AS __row FROM read_parquet('${basePath}')) b
        LEFT JOIN read_parquet(${list}) f ON b.user_id = f.user_id AND f.event_time <= b.event_time
      ) WHERE rn = 1)`);
  const peerSeconds = (now() - t) / 1e9;
  results.push({ approach: '(b) SageMaker-style window SQL on DuckDB', rows: Number(peer.getRowObjectsJS()[0]!.n), 'rows/s': BASE / peerSeconds, seconds: peerSeconds });

  console.log(`Dataset benchmark: ${BASE.toLocaleString('en-US')} base rows x ${FEATURES.toLocaleString('en-US')} feature records over ${IDS.toLocaleString('en-US')} ids (targets: >= 3M rows/s, within 1.25x of (a))\n`);
  printTable(results);
  console.log(`\nFloe / (a): ${(floeSeconds / limitSeconds).toFixed(2)}x the time; (b) / Floe: ${(peerSeconds / floeSeconds).toFixed(2)}x; peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`);
} finally {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}
