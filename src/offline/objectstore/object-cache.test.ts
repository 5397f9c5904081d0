import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3Server, type TestS3Server } from '../../test-support/s3-server.js';
import { ObjectCache } from './object-cache.js';
import { S3ObjectStore } from './s3-object-store.js';

describe('ObjectCache over S3 (s3rver on loopback)', () => {
  let server: TestS3Server;
  let store: S3ObjectStore;
  let dir: string;
  const objects = new Map<string, Buffer>();
  const KB = 1024;

  beforeAll(async () => {
    server = await startTestS3Server();
    store = await S3ObjectStore.open(`s3://${server.bucket}/wh`, server.s3);
    dir = await mkdtemp(join(tmpdir(), 'floe-cache-'));
    for (const name of ['a', 'b', 'c', 'd', 'big']) {
      const bytes = randomBytes(name === 'big' ? 1000 * KB + 17 : 100 * KB);
      const uri = store.resolve(`t/data/${name}.parquet`);
      await store.create(uri, bytes);
      objects.set(name, bytes);
    }
  });
  afterAll(async () => {
    await store?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const uri = (name: string) => store.resolve(`t/data/${name}.parquet`);
  const cached = async (cacheDir: string) => (await readdir(join(cacheDir, 'objects'))).length;

  it('serves byte-identical local copies, fetched in ranged parts, a few at a time', async () => {
    const cacheDir = join(dir, 'parts');
    const cache = await ObjectCache.open(store, { dir: cacheDir, maxBytes: 10 * 1024 * KB, partBytes: 64 * KB, parallelParts: 3 });
    const lease = await cache.acquire([{ uri: uri('big') }]);
    expect(lease.paths[0]!.endsWith('.parquet')).toBe(true);
    expect(Buffer.compare(await readFile(lease.paths[0]!), objects.get('big')!)).toBe(0);
    expect(cache.stats()).toMatchObject({ misses: 1, requests: Math.ceil((1000 * KB + 17) / (64 * KB)), fetchedBytes: 1000 * KB + 17 });
    lease.release();
    const again = await cache.acquire([{ uri: uri('big') }]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
    again.release();
  });

  it('coalesces concurrent requests for one object into one download', async () => {
    const cache = await ObjectCache.open(store, { dir: join(dir, 'coalesce'), maxBytes: 10 * 1024 * KB, partBytes: 1024 * KB });
    const leases = await Promise.all(Array.from({ length: 8 }, () => cache.acquire([{ uri: uri('a') }, { uri: uri('b') }])));
    expect(cache.stats()).toMatchObject({ misses: 2, coalesced: 14, requests: 2, fetchedBytes: 200 * KB, files: 2 });
    expect(new Set(leases.map((l) => l.paths[0])).size).toBe(1);
    for (const l of leases) l.release();
  });

  it('evicts the least recently used files past its bound, never one a reader holds', async () => {
    const cacheDir = join(dir, 'evict');
    // Room for two 100 KB objects.
    const cache = await ObjectCache.open(store, { dir: cacheDir, maxBytes: 250 * KB });
    (await cache.acquire([{ uri: uri('a') }])).release();
    (await cache.acquire([{ uri: uri('b') }])).release();
    (await cache.acquire([{ uri: uri('a') }])).release(); // a is now more recent than b
    const held = await cache.acquire([{ uri: uri('c') }]);
    expect(cache.stats()).toMatchObject({ evictions: 1, files: 2, bytes: 200 * KB });
    expect(await cached(cacheDir)).toBe(2);
    // b went; a stayed.
    (await cache.acquire([{ uri: uri('a') }])).release();
    expect(cache.stats().hits).toBe(2);
    // Held c survives though it is now the oldest; the bound is exceeded only by held files.
    const both = await cache.acquire([{ uri: uri('b') }, { uri: uri('d') }]);
    expect(cache.stats().files).toBe(3);
    expect(Buffer.compare(await readFile(held.paths[0]!), objects.get('c')!)).toBe(0);
    both.release();
    held.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(cache.stats().bytes).toBeLessThanOrEqual(250 * KB);
    expect(await cached(cacheDir)).toBe(cache.stats().files);
  });

  it('finds its files again after a restart, within its bound', async () => {
    const cacheDir = join(dir, 'restart');
    const first = await ObjectCache.open(store, { dir: cacheDir, maxBytes: 1024 * KB });
    (await first.acquire([{ uri: uri('a') }, { uri: uri('b') }])).release();
    const second = await ObjectCache.open(store, { dir: cacheDir, maxBytes: 1024 * KB });
    const lease = await second.acquire([{ uri: uri('a') }, { uri: uri('b') }]);
    expect(second.stats()).toMatchObject({ hits: 2, misses: 0, requests: 0 });
    lease.release();
    const smaller = await ObjectCache.open(store, { dir: cacheDir, maxBytes: 150 * KB });
    expect(smaller.stats().files).toBe(1);
    expect(await cached(cacheDir)).toBe(1);
  });

  it('fails a request for a missing object and leaves nothing behind', async () => {
    const cacheDir = join(dir, 'missing');
    const cache = await ObjectCache.open(store, { dir: cacheDir, maxBytes: 1024 * KB });
    await expect(cache.acquire([{ uri: uri('a') }, { uri: uri('nope') }])).rejects.toThrow(/does not exist/);
    expect(await readdir(join(cacheDir, 'tmp'))).toEqual([]);
    // The object that was fetched is not held by the failed request.
    expect(cache.stats().files).toBe(1);
  });
});
