import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/index.js';
import type { FeatureStoreApi as FeatureStore } from './feature-store-api.js';

/** The offline side of the SDK (Iceberg writes, SQL, time travel, bulk ingest), run against every deployment. */
export function offlineBehaviour(label: string, open: () => Promise<{ store: FeatureStore; cleanup: () => Promise<void> }>): void {
  describe(`FeatureStore offline store: ${label}`, () => {
    let store: FeatureStore;
    let cleanup: () => Promise<void>;
    const suffix = randomUUID().slice(0, 8);
    const g = `events-${suffix}`;

    beforeAll(async () => {
      ({ store, cleanup } = await open());
      await store.createFeatureGroup({
        featureGroupName: g,
        recordIdentifierFeatureName: 'user_id',
        eventTimeFeatureName: 'event_time',
        featureDefinitions: [
          { featureName: 'user_id', featureType: 'Integral' },
          { featureName: 'event_time', featureType: 'Fractional' },
          { featureName: 'clicks', featureType: 'Integral' },
          { featureName: 'embedding', featureType: 'Fractional', collectionType: 'Vector', collectionConfig: { vectorConfig: { dimension: 2 } } },
        ],
      });
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('reports the table location as the resolved output URI', async () => {
      const d = await store.describeFeatureGroup(g);
      expect(d.offlineStoreConfig.s3StorageConfig?.resolvedOutputS3Uri).toMatch(new RegExp(`^file://.*/warehouse/${g}$`));
    });

    it('makes acknowledged writes queryable after flush, with write_time, api_invocation_time and is_deleted', async () => {
      const fg = store.featureGroup(g);
      await fg.putRecord({ user_id: 9007199254740993n, event_time: 1700000000.5, clicks: 3, embedding: [0.5, 1.5] });
      await fg.putRecord({ user_id: 2, event_time: 1700000001, clicks: 1 }, { wait: 'offline' });
      const rows = (await store.query(`SELECT user_id, event_time, clicks, embedding, is_deleted, write_time >= api_invocation_time AS ordered FROM "${g}" ORDER BY event_time`)).rows;
      expect(rows).toEqual([
        { user_id: 9007199254740993n, event_time: 1700000000.5, clicks: 3, embedding: [0.5, 1.5], is_deleted: false, ordered: true },
        { user_id: 2, event_time: 1700000001, clicks: 1, embedding: null, is_deleted: false, ordered: true },
      ]);
    });

    it('appends delete markers with null features, and keeps history (online holds only the latest)', async () => {
      const fg = store.featureGroup(g);
      await fg.putRecord({ user_id: 2, event_time: 1700000002, clicks: 5 });
      await fg.deleteRecord(2, 1700000003);
      await fg.flush();
      const history = (await store.query(`SELECT event_time, clicks, is_deleted FROM "${g}" WHERE user_id = 2 ORDER BY event_time`)).rows;
      expect(history).toEqual([
        { event_time: 1700000001, clicks: 1, is_deleted: false },
        { event_time: 1700000002, clicks: 5, is_deleted: false },
        { event_time: 1700000003, clicks: null, is_deleted: true },
      ]);
      expect(await fg.getRecord(2)).toBeUndefined();
    });

    it('honours target stores', async () => {
      const fg = store.featureGroup(g);
      await fg.putRecord({ user_id: 10, event_time: 1700000010, clicks: 1 }, { targetStores: ['OnlineStore'] });
      await fg.putRecord({ user_id: 11, event_time: 1700000011, clicks: 1 }, { targetStores: ['OfflineStore'] });
      await fg.flush();
      expect(await fg.getRecord(10)).toBeDefined();
      expect(await fg.getRecord(11)).toBeUndefined();
      const ids = (await store.query(`SELECT user_id FROM "${g}" WHERE user_id BETWEEN 10 AND 11 ORDER BY user_id`)).rows.map((r) => r.user_id);
      expect(ids).toEqual([11]);
    });

    it('evolves the table when features are added; older rows read NULL', async () => {
      await store.updateFeatureGroup({ featureGroupName: g, featureAdditions: [{ featureName: 'country', featureType: 'String' }] });
      const fg = store.featureGroup(g);
      await fg.putRecord({ user_id: 20, event_time: 1700000020, country: 'PT' }, { wait: 'offline' });
      const rows = (await store.query(`SELECT user_id, country FROM "${g}" WHERE user_id IN (11, 20) ORDER BY user_id`)).rows;
      expect(rows).toEqual([
        { user_id: 11, country: null },
        { user_id: 20, country: 'PT' },
      ]);
    });

    it('travels in time by snapshot id and by time', async () => {
      const snapshots = await store.featureGroup(g).snapshots();
      expect(snapshots.length).toBeGreaterThan(2);
      expect(snapshots.every((s) => s.operation === 'append')).toBe(true);
      const first = snapshots[0]!;
      const count = async (asOf: bigint | Date) => (await store.query(`SELECT count(*) AS n FROM "${g}"`, { asOf })).rows[0]!.n;
      expect(await count(first.snapshotId)).toBe(Number(first.summary['total-records']));
      expect(await count(new Date(first.timestamp.getTime()))).toBe(Number(first.summary['total-records']));
      expect(await count(new Date(Date.now() + 60_000))).toBe(Number(snapshots.at(-1)!.summary['total-records']));
    });

    it('refuses SQL that writes or reads outside the warehouse', async () => {
      await expectRejects(store.query("SELECT * FROM read_csv('/etc/passwd')"), ValidationError);
      await expectRejects(store.query(`DELETE FROM "${g}"`), ValidationError);
    });

    it('bulk-ingests records, reporting bad rows and keeping the good ones', async () => {
      const fg = store.featureGroup(g);
      const progress: number[] = [];
      const result = await fg.ingest(
        [
          { user_id: 100, event_time: 1700000100, clicks: 1 },
          { user_id: 100, event_time: 1700000200, clicks: 2 },
          { user_id: 101, event_time: 'yesterday', clicks: 3 },
          { user_id: 102, event_time: 1700000100, clicks: 'many' },
          { user_id: 103, event_time: 1700000100, embedding: [1, 2] },
        ],
        { onProgress: (p) => progress.push(p.rowsRead), chunkRows: 2 },
      );
      expect(result).toMatchObject({ rowsRead: 5, rowsWritten: 3, rowsFailed: 2 });
      expect(result.failedRows).toEqual([
        expect.objectContaining({ row: 2, field: 'event_time' }),
        expect.objectContaining({ row: 3, field: 'clicks' }),
      ]);
      expect(progress).toEqual([2, 4, 5]);
      expect((await fg.getRecord(100))?.clicks).toBe(2);
      const rows = (await store.query(`SELECT user_id, clicks FROM "${g}" WHERE user_id BETWEEN 100 AND 103 ORDER BY user_id, clicks`)).rows;
      expect(rows).toEqual([
        { user_id: 100, clicks: 1 },
        { user_id: 100, clicks: 2 },
        { user_id: 103, clicks: null },
      ]);
    });

    it('makes bulk ingest all or nothing with failOnError', async () => {
      const fg = store.featureGroup(g);
      const before = (await fg.snapshots()).length;
      await expectRejects(
        fg.ingest([{ user_id: 110, event_time: 1700000000 }, { user_id: 111, event_time: 'bad' }], { failOnError: true }),
        ValidationError,
      );
      expect((await fg.snapshots()).length).toBe(before);
      expect(await fg.getRecord(110)).toBeUndefined();
    });

    it('bulk-ingests Parquet, CSV and JSON Lines files and Arrow tables', async () => {
      const fg = store.featureGroup(g);
      const dir = await mkdtemp(join(tmpdir(), 'floe-ingest-'));
      try {
        const duck = await (await DuckDBInstance.create(':memory:')).connect();
        await duck.run(`COPY (SELECT 120 + i AS user_id, 1700000000.0 + i AS event_time, i AS clicks FROM range(3) t(i)) TO '${dir}/in.parquet' (FORMAT parquet)`);
        await writeFile(join(dir, 'in.csv'), 'user_id,event_time,clicks\n130,1700000000.25,7\n131,oops,8\n');
        await writeFile(join(dir, 'in.jsonl'), '{"user_id": 140, "event_time": 1700000000, "embedding": [0.5, 0.25]}\n');
        expect(await fg.ingest(join(dir, 'in.parquet'))).toMatchObject({ rowsRead: 3, rowsWritten: 3, rowsFailed: 0 });
        expect(await fg.ingest(join(dir, 'in.csv'))).toMatchObject({ rowsRead: 2, rowsWritten: 1, rowsFailed: 1 });
        expect(await fg.ingest(join(dir, 'in.jsonl'))).toMatchObject({ rowsWritten: 1 });
        const arrow = tableFromArrays({ user_id: new BigInt64Array([150n]), event_time: new Float64Array([1700000000]), clicks: new BigInt64Array([9n]) });
        expect(await fg.ingest(arrow)).toMatchObject({ rowsWritten: 1 });
        expect((await fg.getRecord(140))?.embedding).toEqual([0.5, 0.25]);
        const n = (await store.query(`SELECT count(*) AS n FROM "${g}" WHERE user_id BETWEEN 120 AND 150`)).rows[0]!.n;
        expect(n).toBe(6);
        await expectRejects(fg.ingest(join(dir, 'missing.parquet')), ValidationError);
        await expectRejects(fg.ingest(join(dir, 'in.txt')), ValidationError);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('deletes many records at once, validating all first', async () => {
      const fg = store.featureGroup(g);
      await expectRejects(fg.deleteRecords([{ recordId: 120, eventTime: 1800000000 }, { recordId: 121, eventTime: 'never' }]), ValidationError);
      expect(await fg.getRecord(120)).toBeDefined();
      const result = await fg.deleteRecords([
        { recordId: 120, eventTime: 1800000000 },
        { recordId: 121, eventTime: 1800000000 },
        { recordId: 122, eventTime: 1 },
      ]);
      expect(result).toEqual({ deleted: 2, stale: ['122'] });
      await fg.flush();
      expect(await fg.getRecord(120)).toBeUndefined();
      const markers = (await store.query(`SELECT count(*) AS n FROM "${g}" WHERE is_deleted AND user_id BETWEEN 120 AND 122`)).rows[0]!.n;
      expect(markers).toBe(3);
    });

    it('returns Arrow with int64 exact', async () => {
      const table = await store.queryArrow(`SELECT user_id FROM "${g}" WHERE user_id > 1000 ORDER BY user_id`);
      expect(table.getChild('user_id')!.toArray()).toEqual(new BigInt64Array([9007199254740993n]));
    });
  });
}

async function expectRejects(promise: Promise<unknown>, type: abstract new (...args: never[]) => Error): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
}
