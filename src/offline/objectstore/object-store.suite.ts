import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/index.js';
import type { ObjectStore } from './object-store.js';

/** What every object store does, run against each implementation. */
export function objectStoreBehaviour(label: string, open: () => Promise<{ store: ObjectStore; cleanup: () => Promise<void> }>): void {
  describe(`ObjectStore: ${label}`, () => {
    let store: ObjectStore;
    let cleanup: () => Promise<void>;
    let scratch: string;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      scratch = await mkdtemp(join(tmpdir(), 'floe-objects-'));
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
      await rm(scratch, { recursive: true, force: true });
    });

    it('creates an object once: a second create of the name changes nothing', async () => {
      const uri = store.resolve('t/metadata/00001.metadata.json');
      expect(uri.startsWith(`${store.rootUri}/`)).toBe(true);
      expect(await store.exists(uri)).toBe(false);
      expect(await store.size(uri)).toBeUndefined();
      expect(await store.create(uri, Buffer.from('first'))).toBe(true);
      expect(await store.create(uri, Buffer.from('second, longer'))).toBe(false);
      expect((await store.read(uri)).toString()).toBe('first');
      expect(await store.size(uri)).toBe(5);
      expect(await store.exists(uri)).toBe(true);
    });

    it('creates objects from local files, once, and reads byte ranges of them', async () => {
      const bytes = randomBytes(300_000);
      const file = join(scratch, 'data.parquet');
      await writeFile(file, bytes);
      const uri = store.resolve('t/data/file-1.parquet');
      expect(await store.createFromFile(uri, file)).toBe(true);
      expect(await store.createFromFile(uri, file)).toBe(false);
      expect(Buffer.compare(await store.read(uri), bytes)).toBe(0);
      // A Parquet footer: the last 8 bytes, then the bytes before them.
      expect(Buffer.compare(await store.readRange(uri, bytes.length - 8, 8), bytes.subarray(-8))).toBe(0);
      expect(Buffer.compare(await store.readRange(uri, 1000, 5000), bytes.subarray(1000, 6000))).toBe(0);
      expect((await store.readRange(uri, bytes.length - 3, 100)).length).toBe(3);
    });

    it('overwrites pointer files', async () => {
      const uri = store.resolve('t/metadata/version-hint.text');
      await store.overwrite(uri, Buffer.from('1'));
      await store.overwrite(uri, Buffer.from('2'));
      expect((await store.read(uri)).toString()).toBe('2');
    });

    it('lists every object under a prefix, at any depth, and nothing beside it', async () => {
      await store.create(store.resolve('u/a.avro'), Buffer.from('a'));
      await store.create(store.resolve('u/deep/b.avro'), Buffer.from('bb'));
      await store.create(store.resolve('u2/c.avro'), Buffer.from('ccc'));
      const listed = (await store.list(store.resolve('u'))).map((o) => [o.uri, o.size]).sort();
      expect(listed).toEqual([
        [store.resolve('u/a.avro'), 1],
        [store.resolve('u/deep/b.avro'), 2],
      ]);
      expect(await store.list(store.resolve('nothing-here'))).toEqual([]);
    });

    it('deletes an object, or a folder with everything under it', async () => {
      await store.delete(store.resolve('u/a.avro'));
      expect(await store.exists(store.resolve('u/a.avro'))).toBe(false);
      await store.delete(store.resolve('u'));
      expect(await store.list(store.resolve('u'))).toEqual([]);
      expect(await store.exists(store.resolve('u2/c.avro'))).toBe(true);
      await store.delete(store.resolve('never-was'));
    });

    it('refuses paths and URIs that leave the root', async () => {
      for (const bad of ['../x', '/etc/passwd', 'a/../../x']) expect(() => store.resolve(bad)).toThrow(ValidationError);
      await expect(store.read(`${store.rootUri}/../escape`)).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
