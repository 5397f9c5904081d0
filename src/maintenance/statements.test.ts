import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureStore } from '../sdk/index.js';
import { parseMaintenanceStatement } from './statements.js';
import { content, smallCommits, storeWithGroup } from './testing.js';

describe('maintenance statements', () => {
  it('parses exactly the three statements, with quoted names, comments and a semicolon', () => {
    expect(parseMaintenanceStatement('OPTIMIZE users REWRITE DATA USING BIN_PACK')).toEqual({ kind: 'optimize', table: 'users' });
    expect(parseMaintenanceStatement('  -- nightly\n optimize "user-events" rewrite data using bin_pack;')).toEqual({ kind: 'optimize', table: 'user-events' });
    expect(parseMaintenanceStatement('VACUUM `users`')).toEqual({ kind: 'vacuum', table: 'users' });
    expect(parseMaintenanceStatement("ALTER TABLE users SET TBLPROPERTIES ('vacuum_min_snapshots_to_keep'='5', 'a.b'='it''s')")).toEqual({
      kind: 'set-properties',
      table: 'users',
      properties: { vacuum_min_snapshots_to_keep: '5', 'a.b': "it's" },
    });
    expect(parseMaintenanceStatement('SELECT 1')).toBeUndefined();
    expect(parseMaintenanceStatement('ALTER TABLE users ADD COLUMN x INT')).toBeUndefined();
  });

  it.each([
    ['OPTIMIZE users', 'expected REWRITE, got the end of the statement'],
    ['OPTIMIZE users REWRITE DATA USING SORT', "expected BIN_PACK, got 'SORT' at position 35"],
    ["OPTIMIZE users REWRITE DATA USING BIN_PACK WHERE id = 'x'", 'expected the end of the statement'],
    ['VACUUM', 'expected a feature group name'],
    ['VACUUM users users', 'expected the end of the statement'],
    ["ALTER TABLE users SET TBLPROPERTIES 'a'='b'", "expected '('"],
    ["ALTER TABLE users SET TBLPROPERTIES ('a'=b)", 'expected a property value in single quotes'],
    ["ALTER TABLE users SET TBLPROPERTIES ('a'='b'", "expected ')'"],
    ["VACUUM 'users", 'never closed'],
  ])('refuses %s', (sql, message) => {
    let error: unknown;
    try {
      parseMaintenanceStatement(sql);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'ValidationError', field: 'sql' });
    expect((error as Error).message).toContain(message);
  });

  describe('through store.query', () => {
    let store: FeatureStore;
    let dataDir: string;
    beforeAll(async () => {
      ({ store, dataDir } = await storeWithGroup('clicks'));
      await smallCommits(store, 'clicks', 5, 4);
    });
    afterAll(async () => {
      await store?.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('runs ALTER TABLE SET TBLPROPERTIES, OPTIMIZE and VACUUM as written in the seed', async () => {
      const set = await store.query("ALTER TABLE clicks SET TBLPROPERTIES ('vacuum_min_snapshots_to_keep'='2', 'vacuum_max_snapshot_age_seconds'='0')");
      expect(set.rows).toEqual([
        { property: 'vacuum_min_snapshots_to_keep', stored_as: 'history.expire.min-snapshots-to-keep', value: '2' },
        { property: 'vacuum_max_snapshot_age_seconds', stored_as: 'history.expire.max-snapshot-age-ms', value: '0' },
      ]);
      const before = await content(store, 'clicks');
      const optimized = await store.query('OPTIMIZE clicks REWRITE DATA USING BIN_PACK');
      expect(optimized.rows[0]).toMatchObject({ rewrittenDataFilesCount: 5, addedDataFilesCount: 1 });
      expect(await content(store, 'clicks')).toEqual(before);
      const vacuumed = await store.query('VACUUM clicks');
      expect(vacuumed.rows[0]).toMatchObject({ expiredSnapshotsCount: 4, keptSnapshotsCount: 2 });
      expect(await store.featureGroup('clicks').snapshots()).toHaveLength(2);
      const jobs = await store.listJobs({ featureGroupName: 'clicks' });
      expect(jobs.map((j) => j.kind)).toEqual(['vacuum', 'optimize']);
    });

    it('keeps refusing every other statement, and reports bad maintenance syntax', async () => {
      await expect(store.query('DROP TABLE clicks')).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('only SELECT') });
      await expect(store.query('ALTER TABLE clicks ADD COLUMN x INT')).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('only SELECT') });
      await expect(store.query('VACUUM clicks ANALYZE')).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('expected the end of the statement') });
      await expect(store.query('OPTIMIZE nope REWRITE DATA USING BIN_PACK')).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(store.query('VACUUM clicks', { asOf: 1n })).rejects.toMatchObject({ name: 'ValidationError', field: 'asOf' });
    });
  });
});
