import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FeatureStore } from '../sdk/index.js';
import { content, filesUnder, smallCommits, storeWithGroup } from './testing.js';

describe('vacuum, retention and purge', () => {
  let store: FeatureStore;
  let dataDir: string;
  afterEach(async () => {
    vi.useRealTimers();
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const tableDir = async (group: string) => fileURLToPath((await store.describeFeatureGroup(group)).offlineStoreConfig.s3StorageConfig!.resolvedOutputS3Uri!);

  it('expires snapshots beyond the minimum kept, deletes their files, and time travel fails clearly past them', async () => {
    ({ store, dataDir } = await storeWithGroup('history'));
    await smallCommits(store, 'history', 6, 5);
    const fg = store.featureGroup('history');
    await fg.optimize();
    const snapshots = await fg.snapshots();
    expect(snapshots).toHaveLength(7);
    const third = snapshots[4]!; // kept: the last three
    const atThird = await content(store, 'history', third.snapshotId);
    expect(atThird).toHaveLength(25);
    const dir = await tableDir('history');
    const parquetBefore = (await filesUnder(dir)).filter((f) => f.path.endsWith('.parquet')).length;
    expect(parquetBefore).toBe(7);

    const result = await fg.vacuum({ minSnapshotsToKeep: 3, maxSnapshotAgeSeconds: 0, orphanOlderThanSeconds: 3600 });
    expect(result).toMatchObject({ expiredSnapshotsCount: 4, keptSnapshotsCount: 3, deletedManifestListsCount: 4, deletedOrphanFilesCount: 0 });
    // The data files of the oldest snapshots are still referenced by the kept ones until the compaction's
    // replace snapshot is the only one left: none may go yet.
    expect(result.deletedDataFilesCount).toBe(0);
    expect(result.deletedMetadataFilesCount).toBeGreaterThan(0);
    expect((await fg.snapshots()).map((s) => s.snapshotId)).toEqual(snapshots.slice(4).map((s) => s.snapshotId));
    expect(await content(store, 'history', third.snapshotId)).toEqual(atThird);
    await expect(content(store, 'history', snapshots[1]!.snapshotId)).rejects.toMatchObject({ name: 'SnapshotExpiredError', field: 'asOf' });
    await expect(store.query('SELECT 1 FROM history', { asOf: new Date(snapshots[3]!.timestamp.getTime()) })).rejects.toMatchObject({
      name: 'SnapshotExpiredError',
    });

    // Keeping only the compacted snapshot frees the small files.
    const last = await fg.vacuum({ minSnapshotsToKeep: 1, maxSnapshotAgeSeconds: 0 });
    expect(last).toMatchObject({ expiredSnapshotsCount: 2, deletedDataFilesCount: 6 });
    const files = await filesUnder(dir);
    expect(files.filter((f) => f.path.endsWith('.parquet'))).toHaveLength(1);
    // What is left: the current metadata (and its v<N> copy), version-hint, one manifest list, one manifest, one data file.
    expect(files.filter((f) => f.path.endsWith('.metadata.json'))).toHaveLength(2);
    expect(files.filter((f) => f.path.endsWith('.avro'))).toHaveLength(2);
    expect(await content(store, 'history')).toHaveLength(30);
  });

  it('thins snapshots past 10 minutes to one a minute and past a day to one an hour; time travel resolves to the one kept before', async () => {
    ({ store, dataDir } = await storeWithGroup('thinned'));
    const fg = store.featureGroup('thinned');
    // Commits at chosen times (only Date is faked: timers and I/O run as usual).
    vi.useFakeTimers({ toFake: ['Date'] });
    const T0 = Date.UTC(2030, 0, 1);
    const S = 1000;
    const H = 3600 * S;
    const times = [0, 10 * S, 50 * S, 70 * S, 110 * S, 2 * H + 5 * S, 2 * H + 30 * S, 3 * H, 3 * H + 59 * S, 25 * H + 55 * 60 * S, 25 * H + 55 * 60 * S + 10 * S];
    for (const [i, t] of times.entries()) {
      vi.setSystemTime(T0 + t);
      await smallCommits(store, 'thinned', 1, 2, i * 2);
    }
    const before = await fg.snapshots();
    expect(before.map((s) => s.timestamp.getTime() - T0)).toEqual(times);
    vi.setSystemTime(T0 + 26 * H);
    const all = await content(store, 'thinned');

    expect(await fg.vacuum({ thinSnapshots: false })).toMatchObject({ expiredSnapshotsCount: 0 });
    const result = await fg.vacuum();
    // 26 h on: the first hour keeps its newest (110 s); 2 h and 3 h are minutes a day old, newest of each; the last two are recent.
    const keptAt = [110 * S, 2 * H + 30 * S, 3 * H + 59 * S, 25 * H + 55 * 60 * S, 25 * H + 55 * 60 * S + 10 * S];
    expect(result).toMatchObject({ expiredSnapshotsCount: 6, keptSnapshotsCount: 5, deletedManifestListsCount: 6, deletedDataFilesCount: 0 });
    expect((await fg.snapshots()).map((s) => s.timestamp.getTime() - T0)).toEqual(keptAt);
    expect(await content(store, 'thinned')).toEqual(all);
    // Between kept snapshots, the table as of the one before: at 2 h 20 s, the five commits of the first two minutes.
    expect((await store.query('SELECT count(*)::INT AS n FROM thinned', { asOf: new Date(T0 + 2 * H + 20 * S) })).rows).toEqual([{ n: 10 }]);
    await expect(store.query('SELECT 1 FROM thinned', { asOf: new Date(T0 + 60 * S) })).rejects.toMatchObject({ name: 'SnapshotExpiredError', field: 'asOf' });
    await expect(fg.setTableProperties({ vacuum_thin_snapshots: 'sometimes' })).rejects.toMatchObject({ name: 'ValidationError', field: 'vacuum_thin_snapshots' });
    expect(await fg.setTableProperties({ vacuum_thin_snapshots: 'FALSE' })).toMatchObject({ 'floe.history.thin-snapshots': 'false' });
  });

  it('takes its defaults from the table properties', async () => {
    ({ store, dataDir } = await storeWithGroup('props'));
    await smallCommits(store, 'props', 5, 2);
    const fg = store.featureGroup('props');
    const props = await fg.setTableProperties({ vacuum_min_snapshots_to_keep: '2', vacuum_max_snapshot_age_seconds: '0' });
    expect(props).toMatchObject({ 'history.expire.min-snapshots-to-keep': '2', 'history.expire.max-snapshot-age-ms': '0' });
    expect(await fg.vacuum()).toMatchObject({ expiredSnapshotsCount: 3, keptSnapshotsCount: 2 });
    await expect(fg.setTableProperties({ vacuum_min_snapshots_to_keep: 'many' })).rejects.toMatchObject({ name: 'ValidationError', field: 'vacuum_min_snapshots_to_keep' });
    await expect(fg.setTableProperties({ maintenance_schedule: 'every day' })).rejects.toMatchObject({ name: 'ValidationError', field: 'maintenance_schedule' });
    await expect(fg.setTableProperties({ 'schema.name-mapping.default': '[]' })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(fg.setTableProperties({ 'bad key!': 'x' })).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('removes orphan files only once they are older than the threshold', async () => {
    ({ store, dataDir } = await storeWithGroup('orphans'));
    await smallCommits(store, 'orphans', 2, 3);
    const dir = await tableDir('orphans');
    const old = join(dir, 'data', 'left-by-a-crash.parquet');
    const recent = join(dir, 'data', 'being-written.parquet');
    await writeFile(old, 'x'.repeat(100));
    await writeFile(recent, 'y'.repeat(50));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    await utimes(old, twoHoursAgo, twoHoursAgo);
    const result = await store.featureGroup('orphans').vacuum({ orphanOlderThanSeconds: 3600 });
    expect(result).toMatchObject({ expiredSnapshotsCount: 0, deletedOrphanFilesCount: 1 });
    const paths = (await filesUnder(dir)).map((f) => f.path);
    expect(paths).not.toContain(old);
    expect(paths).toContain(recent);
    expect(await content(store, 'orphans')).toHaveLength(6);
  });

  it('retention removes exactly the rows older than the period, as one overwrite snapshot', async () => {
    ({ store, dataDir } = await storeWithGroup('retained'));
    const now = Date.now();
    // Each commit mixes old and new rows, so files are rewritten, not just dropped; one file is old only.
    const at = (i: number) => new Date(now - (i % 2 === 0 ? 10 * 86_400_000 : 3_600_000) - i * 1000).toISOString();
    await smallCommits(store, 'retained', 4, 6, 0, at);
    await store.featureGroup('retained').ingest([{ id: 'old', event_time: new Date(now - 20 * 86_400_000).toISOString(), v: 999 }]);
    const fg = store.featureGroup('retained');
    await expect(fg.applyRetention()).rejects.toMatchObject({ name: 'ValidationError', field: 'retentionSeconds' });
    await fg.setTableProperties({ offline_retention_seconds: String(7 * 86_400) });
    const expected = ((await content(store, 'retained')) as Array<{ event_time: string }>).filter((r) => Date.parse(r.event_time) >= now - 7 * 86_400_000);
    expect(expected).toHaveLength(12);
    const result = await fg.applyRetention();
    expect(result).toMatchObject({ removedRecordsCount: 13, rewrittenDataFilesCount: 4, removedDataFilesCount: 1, addedDataFilesCount: 4 });
    expect((await fg.snapshots()).at(-1)?.operation).toBe('overwrite');
    expect(await content(store, 'retained')).toEqual(expected);
    expect(await fg.applyRetention()).toMatchObject({ removedRecordsCount: 0 });
  });

  it('purges every row of an identifier offline and online; after vacuum its bytes are gone from the table directory', async () => {
    ({ store, dataDir } = await storeWithGroup('private'));
    const fg = store.featureGroup('private');
    const secret = 'subject-7f3a9c-erase-me';
    for (let i = 0; i < 4; i++) {
      await fg.putRecord({ id: secret, event_time: new Date(Date.UTC(2030, 0, 1, i)).toISOString(), v: i });
      await fg.putRecord({ id: `keep-${i}`, event_time: new Date(Date.UTC(2030, 0, 1, i)).toISOString(), v: 100 + i });
      await fg.flush();
    }
    const dir = await tableDir('private');
    const holding = async () => (await filesUnder(dir)).filter((f) => f.bytes.includes(Buffer.from(secret))).length;
    expect(await holding()).toBeGreaterThan(0); // the scan can see the identifier where it is
    expect(await fg.getRecord(secret)).toBeDefined();
    const beforePurge = (await fg.snapshots()).at(-1)!.snapshotId;

    const result = await fg.purgeRecords([secret]);
    expect(result).toMatchObject({ removedRecordsCount: 4, onlineDeletedCount: 1 });
    expect((await fg.snapshots()).at(-1)?.operation).toBe('overwrite');
    expect((await store.query(`SELECT count(*) AS n FROM private WHERE id = '${secret}'`)).rows).toEqual([{ n: 0 }]);
    expect((await store.query('SELECT count(*) AS n FROM private')).rows).toEqual([{ n: 4 }]);
    expect(await fg.getRecord(secret)).toBeUndefined();
    expect(await fg.getRecord('keep-1')).toMatchObject({ v: 101 });
    // Time travel still sees it until vacuum...
    expect((await store.query(`SELECT count(*) AS n FROM private WHERE id = '${secret}'`, { asOf: beforePurge })).rows).toEqual([{ n: 4 }]);
    await fg.vacuum({ minSnapshotsToKeep: 1, maxSnapshotAgeSeconds: 0, orphanOlderThanSeconds: 0 });
    // ...and then not a byte of it is left.
    expect(await holding()).toBe(0);
    expect((await store.query('SELECT count(*) AS n FROM private')).rows).toEqual([{ n: 4 }]);
    await expect(fg.purgeRecords([])).rejects.toMatchObject({ name: 'ValidationError', field: 'recordIdentifiers' });
  });
});
