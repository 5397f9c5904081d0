import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3Server, type TestS3Server } from '../test-support/s3-server.js';
import { FeatureStore } from './feature-store.js';

/** What a store on an S3 warehouse fetches into its cache, seen through its counters. */
describe('FeatureStore on an S3 warehouse (s3rver on loopback): the local cache', () => {
  let dir: string;
  let s3: TestS3Server;
  const open = (cacheDir: string) => FeatureStore.open({ dataDir: join(dir, 'data'), warehouse: `s3://${s3.bucket}/wh`, s3: s3.s3, cache: { dir: join(dir, cacheDir) } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-remote-'));
    s3 = await startTestS3Server();
    const store = await open('writer-cache');
    for (const name of ['clicks', 'views']) {
      await store.createFeatureGroup({
        featureGroupName: name,
        recordIdentifierFeatureName: 'id',
        eventTimeFeatureName: 'ts',
        featureDefinitions: [
          { featureName: 'id', featureType: 'Integral' },
          { featureName: 'ts', featureType: 'Fractional' },
        ],
      });
      for (let i = 0; i < 3; i++) await store.featureGroup(name).putRecord({ id: i, ts: 1700000000 + i }, { wait: 'offline' });
    }
    // Files this store wrote are in its cache already: reading them downloads nothing.
    const before = store.offlineCacheStats()!;
    expect((await store.query('SELECT count(*) AS n FROM clicks')).rows).toEqual([{ n: 3 }]);
    expect(store.offlineCacheStats()).toMatchObject({ misses: before.misses, fetchedBytes: before.fetchedBytes, hits: before.hits + 3 });
    await store.close();
  });
  afterAll(async () => {
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fetches only the files of the tables a query names, once, then serves them from the cache', async () => {
    const store = await open('cold-cache');
    try {
      expect(store.offlineCacheStats()).toMatchObject({ files: 0, misses: 0 });
      expect((await store.query('SELECT count(*) AS n FROM "clicks"')).rows).toEqual([{ n: 3 }]);
      expect(store.offlineCacheStats()).toMatchObject({ misses: 3, hits: 0, files: 3 });
      expect((await store.query('SELECT count(*) AS n FROM clicks c JOIN views v USING (id)')).rows).toEqual([{ n: 3 }]);
      expect(store.offlineCacheStats()).toMatchObject({ misses: 6, hits: 3, files: 6 });
      expect(store.offlineCacheStats()!.fetchedBytes).toBe(store.offlineCacheStats()!.bytes);
    } finally {
      await store.close();
    }
  });

  it('reports nothing for a local warehouse', async () => {
    const store = await FeatureStore.open({ dataDir: join(dir, 'local') });
    try {
      expect(store.offlineCacheStats()).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
