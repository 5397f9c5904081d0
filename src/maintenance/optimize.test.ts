import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeatureStore } from '../sdk/index.js';
import { content, smallCommits, storeWithGroup } from './testing.js';

describe('optimize', () => {
  let store: FeatureStore;
  let dataDir: string;
  afterEach(async () => {
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rewrites small files into few as one replace snapshot with merged manifests, content identical', async () => {
    ({ store, dataDir } = await storeWithGroup('events'));
    await smallCommits(store, 'events', 24, 15);
    const fg = store.featureGroup('events');
    const before = await content(store, 'events');
    const snapshotsBefore = await fg.snapshots();
    expect(snapshotsBefore.at(-1)?.summary['total-data-files']).toBe('24');

    const result = await fg.optimize({ targetFileSizeBytes: 64 * 1024 * 1024 });
    expect(result).toMatchObject({ rewrittenDataFilesCount: 24, addedDataFilesCount: 1, rewrittenRecordsCount: 24 * 15, attempts: 1 });
    expect(result.rewrittenBytesCount).toBeGreaterThan(result.addedBytesCount);
    expect(result.manifestsBefore).toBe(24);
    expect(result.manifestsAfter).toBeLessThanOrEqual(2);
    const snapshots = await fg.snapshots();
    expect(snapshots).toHaveLength(snapshotsBefore.length + 1);
    expect(snapshots.at(-1)).toMatchObject({ operation: 'replace', summary: { 'total-data-files': '1', 'total-records': String(24 * 15) } });
    expect(snapshots.at(-1)!.snapshotId.toString()).toBe(result.snapshotId);
    expect(await content(store, 'events')).toEqual(before);
    // The compacted file holds its rows ordered by identifier and event time.
    const stored = (await store.query('SELECT id, event_time FROM events')).rows as Array<{ id: string; event_time: string }>;
    const ordered = [...stored].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.event_time < b.event_time ? -1 : a.event_time > b.event_time ? 1 : 0));
    expect(stored).toEqual(ordered);

    // Nothing left to do: no new snapshot.
    const again = await fg.optimize({ targetFileSizeBytes: 64 * 1024 * 1024 });
    expect(again).toMatchObject({ rewrittenDataFilesCount: 0, addedDataFilesCount: 0 });
    expect(await fg.snapshots()).toHaveLength(snapshots.length);
  });

  it('sorts the rewritten files when asked and respects the target size', async () => {
    ({ store, dataDir } = await storeWithGroup('sorted'));
    await smallCommits(store, 'sorted', 12, 10);
    const fg = store.featureGroup('sorted');
    const before = await content(store, 'sorted');
    const live = await store.query('SELECT count(*) AS n FROM sorted');
    expect(live.rows[0]).toEqual({ n: 120 });
    // A target of about three input files gives several outputs.
    const fileSize = Number((await fg.snapshots()).at(-1)!.summary['total-files-size']) / 12;
    const result = await fg.optimize({ targetFileSizeBytes: Math.ceil(fileSize * 3), sortBy: ['id', 'event_time'] });
    expect(result.rewrittenDataFilesCount).toBe(12);
    expect(result.addedDataFilesCount).toBeGreaterThanOrEqual(3);
    expect(result.addedDataFilesCount).toBeLessThanOrEqual(6);
    expect(await content(store, 'sorted')).toEqual(before);
    await expect(fg.optimize({ sortBy: ['nope'] })).rejects.toMatchObject({ name: 'ValidationError', field: 'sortBy[0]' });
    await expect(fg.optimize({ targetFileSizeBytes: -1 })).rejects.toMatchObject({ name: 'ValidationError', field: 'targetFileSizeBytes' });
    await expect(fg.optimize({ bogus: 1 } as never)).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('keeps a commit that lands while it rewrites', async () => {
    ({ store, dataDir } = await storeWithGroup('busy'));
    await smallCommits(store, 'busy', 10, 10);
    const fg = store.featureGroup('busy');
    const before = await content(store, 'busy');
    let landed = false;
    const result = await fg.optimize(
      { targetFileSizeBytes: 64 * 1024 * 1024 },
      {
        hooks: {
          async onProgress(p) {
            if (p.phase === 'file-written' && !landed) {
              landed = true;
              await smallCommits(store, 'busy', 1, 7, 1000); // another writer commits meanwhile
            }
          },
        },
      },
    );
    expect(landed).toBe(true);
    expect(result.rewrittenDataFilesCount).toBe(10);
    const snapshots = await fg.snapshots();
    expect(snapshots.slice(-2).map((s) => s.operation)).toEqual(['append', 'replace']);
    expect(snapshots.at(-1)!.summary['total-data-files']).toBe('2'); // the compacted file and the concurrent one
    const after = (await content(store, 'busy')) as Array<{ v: number }>;
    expect(after.filter((r) => r.v < 1000)).toEqual(before);
    expect(after.filter((r) => r.v >= 1000).map((r) => r.v)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006]);
    const jobs = await store.listJobs({ featureGroupName: 'busy' });
    expect(jobs[0]).toMatchObject({ kind: 'optimize', status: 'succeeded', trigger: 'manual', filesBefore: 10, filesAfter: 2 });
  });

  it('refuses a group without an offline store, and a second run on the same table', async () => {
    ({ store, dataDir } = await storeWithGroup('online-only', { offlineStore: false }));
    await expect(store.featureGroup('online-only').optimize()).rejects.toMatchObject({ name: 'ValidationError', field: 'featureGroupName' });
    await expect(store.featureGroup('missing').vacuum()).rejects.toMatchObject({ name: 'NotFoundError' });
    await store.createFeatureGroup({
      featureGroupName: 'twice',
      recordIdentifierFeatureName: 'id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'id', featureType: 'String' },
        { featureName: 'event_time', featureType: 'String' },
        { featureName: 'v', featureType: 'Integral' },
      ],
    });
    await smallCommits(store, 'twice', 4, 5);
    const fg = store.featureGroup('twice');
    let second: Promise<unknown> | undefined;
    await fg.optimize({}, { hooks: { onProgress: (p) => void (p.phase === 'planned' && (second = fg.vacuum().catch((e: unknown) => e))) } });
    expect(await second).toMatchObject({ name: 'ResourceInUseError' });
  });
});
