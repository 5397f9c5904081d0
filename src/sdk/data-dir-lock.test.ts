import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreLockedError } from '../domain/index.js';
import { DataDirLock } from './data-dir-lock.js';

describe('DataDirLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second holder, naming the first', async () => {
    const lock = await DataDirLock.acquire(dir);
    await expect(DataDirLock.acquire(dir)).rejects.toThrow(StoreLockedError);
    await expect(DataDirLock.acquire(dir)).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
    await lock.release();
    const again = await DataDirLock.acquire(dir);
    await again.release();
  });

  it('takes over a lock left by a process that is gone', async () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(child.stdout.toString());
    await writeFile(join(dir, 'LOCK'), JSON.stringify({ pid: deadPid, host: hostname(), startedAt: new Date().toISOString() }));
    const lock = await DataDirLock.acquire(dir);
    await expect(DataDirLock.acquire(dir)).rejects.toThrow(StoreLockedError);
    await lock.release();
  });
});
