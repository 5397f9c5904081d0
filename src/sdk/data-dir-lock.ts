import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StoreLockedError } from '../domain/index.js';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

/**
 * One process per data directory: the embedded registry, online store and write-ahead log are
 * not safe to share. The lock file names its holder; a lock left by a process that no longer
 * runs (killed, crashed) is taken over.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    // The directory holds the registry (API secrets included) and data: owner only.
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, 'LOCK');
    const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(path, 'wx', 0o600);
        await handle.writeFile(JSON.stringify(me));
        await handle.sync();
        await handle.close();
        return new DataDirLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readOwner(path);
      if (holder && isAlive(holder)) {
        throw new StoreLockedError(
          `data directory ${dataDir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.startedAt}); ` +
            'stop it, or open another data directory',
        );
      }
      // The holder is gone: take the lock over. `wx` above decides between racing takers.
      await rm(path, { force: true });
    }
    throw new StoreLockedError(`data directory ${dataDir}: could not take the lock`);
  }

  async release(): Promise<void> {
    const holder = await readOwner(this.path);
    if (holder?.pid === process.pid) await rm(this.path, { force: true });
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return undefined; // unreadable or half-written: treated as stale
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot tell for another host: assume alive
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
