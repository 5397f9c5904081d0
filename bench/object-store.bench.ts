/**
 * Object storage benchmark: the same table and queries on a local warehouse and on an S3
 * warehouse (s3rver on loopback, started here) read through the local cache, cold and warm; and
 * how the cache fetches one large object: one GET, ranged parts one at a time, ranged parts in
 * parallel. Loopback has no network latency, so it shows the cache's own cost, not what a
 * cloud store's round trips cost.
 * Run: npm run bench:objectstore   (BENCH_ROWS, default 2,000,000; BENCH_RUNS, default 3: best of)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { FeatureStore } from '../src/index.js';
import { ObjectCache } from '../src/offline/index.js';
import { S3ObjectStore } from '../src/offline/objectstore/s3-object-store.js';
import { startTestS3Server } from '../src/test-support/s3-server.js';
import { now, printTable } from './stats.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 2_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const QUERY = 'SELECT count(*) AS n, sum(f0) AS s, count(DISTINCT user_id) AS ids FROM events';

const dir = await mkdtemp(join(tmpdir(), 'floe-bench-objects-'));
const server = await startTestS3Server();
const results: Array<Record<string, string | number>> = [];
const ms = (t0: number) => (now() - t0) / 1e6;
const best = async (runs: number, body: () => Promise<unknown>) => {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await body();
    min = Math.min(min, ms(t0));
  }
  return min;
};

try {
  // One Parquet source file, ingested into both warehouses (one data file each).
  const source = join(dir, 'events.parquet');
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(
    `COPY (SELECT (i % 100000)::BIGINT AS user_id, (1700000000 + i)::DOUBLE AS event_time, (i * 7 % 1000)::BIGINT AS f0, (i / 3)::DOUBLE AS f1, md5(i::VARCHAR) AS f2
       FROM range(${ROWS}) t(i)) TO '${source}' (FORMAT parquet)`,
  );
  duck.closeSync();
  const define = (store: FeatureStore) =>
    store.createFeatureGroup({
      featureGroupName: 'events',
      recordIdentifierFeatureName: 'user_id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'user_id', featureType: 'Integral' },
        { featureName: 'event_time', featureType: 'Fractional' },
        { featureName: 'f0', featureType: 'Integral' },
        { featureName: 'f1', featureType: 'Fractional' },
        { featureName: 'f2', featureType: 'String' },
      ],
      onlineStoreConfig: { enableOnlineStore: false },
    });

  const local = await FeatureStore.open({ dataDir: join(dir, 'local') });
  await define(local);
  const ingestStart = now();
  await local.featureGroup('events').ingest(source);
  results.push({ case: 'bulk ingest to a local warehouse', ms: ms(ingestStart) });
  const localMs = await best(RUNS, () => local.query(QUERY));
  const expected = JSON.stringify((await local.query(QUERY)).rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  await local.close();
  results.push({ case: 'query, local warehouse', ms: localMs });

  const s3Options = { warehouse: `s3://${server.bucket}/bench`, s3: server.s3 };
  const writer = await FeatureStore.open({ dataDir: join(dir, 'writer'), ...s3Options });
  await define(writer);
  let t0 = now();
  await writer.featureGroup('events').ingest(source);
  results.push({ case: 'bulk ingest to S3 (write + upload + commit)', ms: ms(t0) });
  await writer.close();

  // The store reopened with an empty cache each time: the first query downloads the data file.
  let coldMs = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const reader = await FeatureStore.open({ dataDir: join(dir, 'writer'), ...s3Options, cache: { dir: join(dir, `cache-${i}`) } });
    t0 = now();
    const got = JSON.stringify((await reader.query(QUERY)).rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    coldMs = Math.min(coldMs, ms(t0));
    if (got !== expected) throw new Error(`S3 result ${got} differs from local ${expected}`);
    if (i === RUNS - 1) {
      results.push({ case: 'query, S3 warehouse, cold cache', ms: coldMs });
      results.push({ case: 'query, S3 warehouse, warm cache', ms: await best(RUNS, () => reader.query(QUERY)) });
    }
    await reader.close();
  }

  // How the cache fetches the data file.
  const io = await S3ObjectStore.open(`s3://${server.bucket}/bench`, server.s3);
  const objects = (await io.list(io.resolve('events/data'))).filter((o) => o.uri.endsWith('.parquet'));
  const size = objects.reduce((n, o) => n + o.size, 0);
  let n = 0;
  const fetchAll = (partBytes: number, parallelParts: number) =>
    best(RUNS, async () => {
      const cache = await ObjectCache.open(io, { dir: join(dir, `fetch-${n++}`), maxBytes: 1024 ** 3, partBytes, parallelParts });
      (await cache.acquire(objects.map((o) => ({ uri: o.uri, size: o.size })))).release();
    });
  const mb = (size / 1e6).toFixed(1);
  results.push({ case: `fetch ${mb} MB: one GET`, ms: await fetchAll(size, 1) });
  results.push({ case: `fetch ${mb} MB: 8 MiB parts, 1 at a time`, ms: await fetchAll(8 * 1024 ** 2, 1) });
  results.push({ case: `fetch ${mb} MB: 8 MiB parts, 4 at a time`, ms: await fetchAll(8 * 1024 ** 2, 4) });
  await io.close();

  console.log(`object storage: ${ROWS.toLocaleString('en-US')} rows, data file ${mb} MB, best of ${RUNS}`);
  printTable(results);
  const row = (c: string) => results.find((r) => r.case === c)!.ms as number;
  console.log(`ratio warm S3 / local: ${(row('query, S3 warehouse, warm cache') / localMs).toFixed(2)}x; cold S3 / local: ${(coldMs / localMs).toFixed(2)}x`);
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
