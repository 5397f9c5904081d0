import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The identity of the write-ahead log in `dir`, created with it. Several processes, each with a
 * log of its own, commit to one table: each records its own highest position in the snapshots,
 * so that replaying one log never skips or repeats rows because of another's positions.
 */
export async function logId(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'log-id');
  const fresh = randomUUID();
  // Written and synced aside, then linked into place: a crash never leaves a half-written id.
  const tmp = `${path}.${fresh}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(fresh);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, path);
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(tmp, { force: true });
  }
  const id = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`write-ahead log ${dir}: its log-id file is damaged ('${id}')`);
  return id;
}
