import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../objectstore/local-object-store.js';
import { writeManifestList, type ManifestFile } from './manifest.js';
import { ManifestCache } from './manifest-cache.js';

const manifest = (n: number, sequence = BigInt(n)): ManifestFile => ({
  manifestPath: `file:///warehouse/t/metadata/m${n}.avro`,
  manifestLength: 1000n + BigInt(n),
  sequenceNumber: sequence,
  minSequenceNumber: sequence,
  addedSnapshotId: 10n ** 17n + BigInt(n),
  addedFilesCount: 1,
  existingFilesCount: 0,
  deletedFilesCount: 0,
  addedRowsCount: 5n,
  existingRowsCount: 0n,
  deletedRowsCount: 0n,
});

describe('ManifestCache', () => {
  let dir: string;
  let io: LocalObjectStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-manifest-cache-'));
    io = await LocalObjectStore.open(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const writeList = async (name: string, manifests: ManifestFile[]) => {
    const uri = io.resolve(name);
    await io.create(uri, await writeManifestList(manifests, { snapshotId: 1n, sequenceNumber: 3n }));
    return uri;
  };

  it('decodes a list once, and lists that name the same manifest share one object', async () => {
    const cache = new ManifestCache(io);
    const first = await writeList('snap-1.avro', [manifest(1)]);
    const second = await writeList('snap-2.avro', [manifest(2), manifest(1)]);
    const a = await cache.manifestList(first);
    expect(a).toEqual([manifest(1)]); // 64-bit ids exact
    await io.delete(first); // immutable files: a cached list is never read again
    expect(await cache.manifestList(first)).toBe(a);
    const b = await cache.manifestList(second);
    expect(b.map((m) => m.manifestPath)).toEqual([manifest(2).manifestPath, manifest(1).manifestPath]);
    expect(b[1]).toBe(a[0]);
  });

  it('does not share a manifest whose recorded sequence number differs', async () => {
    const cache = new ManifestCache(io);
    const a = await cache.manifestList(await writeList('snap-1.avro', [manifest(1)]));
    const b = await cache.manifestList(await writeList('snap-2.avro', [manifest(1, 9n)]));
    expect(b[0]).not.toBe(a[0]);
    expect(b[0]!.sequenceNumber).toBe(9n);
    expect(a[0]!.sequenceNumber).toBe(1n);
  });

  it('forgets the lists of deleted files, and reads them again if asked', async () => {
    const cache = new ManifestCache(io);
    const uri = await writeList('snap-1.avro', [manifest(1)]);
    const first = await cache.manifestList(uri);
    cache.forget([uri]);
    const again = await cache.manifestList(uri);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    await io.delete(uri);
    cache.forget([uri]);
    await expect(cache.manifestList(uri)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
