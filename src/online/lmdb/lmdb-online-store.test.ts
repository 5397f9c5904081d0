import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onlineStoreBehaviour } from '../online-store.suite.js';
import { LmdbOnlineStore } from './lmdb-online-store.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-lmdb-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

onlineStoreBehaviour('LMDB', async () => LmdbOnlineStore.open(await tempDir()));

describe('LmdbOnlineStore on disk', () => {
  it('keeps records, markers and int64 across close and reopen', async () => {
    const dir = await tempDir();
    const first = LmdbOnlineStore.open(dir);
    await first.put('g', 'a', { values: { big: 2n ** 62n + 1n, s: 'x' }, eventTimeMicros: 10 });
    await first.put('g', 'b', { values: {}, eventTimeMicros: 10 });
    await first.delete('g', 'b', 20, 'SoftDelete');
    await first.flush();
    await first.close();
    expect(await readdir(dir)).not.toEqual([]);

    const second = LmdbOnlineStore.open(dir);
    expect(await second.get('g', 'a')).toEqual({ values: { big: 2n ** 62n + 1n, s: 'x' }, eventTimeMicros: 10 });
    expect(await second.get('g', 'b')).toBeUndefined();
    expect(await second.put('g', 'b', { values: {}, eventTimeMicros: 15 })).toBe('stale'); // the marker survived
    expect((await second.listIds('g', { includeSoftDeleted: true })).recordIds).toEqual(['a', 'b']);
    await second.close();
  });
});
