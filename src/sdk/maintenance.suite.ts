import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/index.js';
import type { FeatureStoreApi } from './feature-store-api.js';

/** Table maintenance and job runs through the SDK surface, run in-process and remote alike. */
export function maintenanceBehaviour(label: string, open: () => Promise<{ store: FeatureStoreApi; cleanup: () => Promise<void> }>): void {
  describe(`FeatureStore maintenance: ${label}`, () => {
    let store: FeatureStoreApi;
    let cleanup: () => Promise<void>;
    const g = `tidy-${randomUUID().slice(0, 8)}`;
    const count = async () => (await store.query(`SELECT count(*) AS n FROM "${g}"`)).rows[0]!.n;

    beforeAll(async () => {
      ({ store, cleanup } = await open());
      await store.createFeatureGroup({
        featureGroupName: g,
        recordIdentifierFeatureName: 'id',
        eventTimeFeatureName: 'ts',
        featureDefinitions: [
          { featureName: 'id', featureType: 'String' },
          { featureName: 'ts', featureType: 'Fractional' },
          { featureName: 'n', featureType: 'Integral' },
        ],
      });
      for (let i = 0; i < 4; i++) await store.featureGroup(g).putRecord({ id: `u${i}`, ts: 1_700_000_000 + i, n: i }, { wait: 'offline' });
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('optimizes, sets properties, vacuums and purges, keeping the content', async () => {
      const fg = store.featureGroup(g);
      const optimized = await fg.optimize({ targetFileSizeBytes: 64 * 1024 * 1024 });
      expect(optimized).toMatchObject({ rewrittenDataFilesCount: 4, addedDataFilesCount: 1, rewrittenRecordsCount: 4 });
      expect((await fg.snapshots()).at(-1)!.snapshotId.toString()).toBe(optimized.snapshotId);
      expect(await count()).toBe(4);
      const properties = await fg.setTableProperties({ vacuum_min_snapshots_to_keep: '1', vacuum_max_snapshot_age_seconds: '0' });
      expect(properties).toMatchObject({ 'history.expire.min-snapshots-to-keep': '1', 'history.expire.max-snapshot-age-ms': '0' });
      expect(await fg.tableProperties()).toEqual(properties);
      const vacuumed = await fg.vacuum();
      expect(vacuumed).toMatchObject({ expiredSnapshotsCount: 4, keptSnapshotsCount: 1 });
      expect(await fg.snapshots()).toHaveLength(1);
      const purged = await fg.purgeRecords(['u1']);
      expect(purged).toMatchObject({ removedRecordsCount: 1, onlineDeletedCount: 1 });
      expect(await fg.getRecord('u1')).toBeUndefined();
      expect(await count()).toBe(3);
      await expect(fg.applyRetention()).rejects.toMatchObject({ field: 'retentionSeconds' });
      await expect(fg.optimize({ targetFileSizeBytes: -1 })).rejects.toBeInstanceOf(ValidationError);
    });

    it('runs and lists jobs, and takes maintenance statements as SQL', async () => {
      await store.featureGroup(g).putRecord({ id: 'u9', ts: 1_700_000_009, n: 9 }, { wait: 'offline' });
      const job = await store.runJob({ featureGroupName: g, kind: 'optimize' });
      expect(job).toMatchObject({ kind: 'optimize', trigger: 'manual', status: 'succeeded', featureGroupName: g });
      const statement = await store.query(`VACUUM "${g}"`);
      expect(statement.rows[0]).toMatchObject({ keptSnapshotsCount: 1 });
      expect((await store.listJobs({ featureGroupName: g })).map((j) => j.kind).slice(0, 2)).toEqual(['vacuum', 'optimize']);
      await expect(store.runJob({ featureGroupName: g, kind: 'compact' } as never)).rejects.toMatchObject({ name: 'ValidationError', field: 'kind' });
      await expect(store.listJobs({ limit: 0 })).rejects.toMatchObject({ name: 'ValidationError', field: 'limit' });
    });
  });
}
