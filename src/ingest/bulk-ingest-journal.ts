import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { diskFullOr } from '../domain/index.js';

/** A bulk ingest that had begun and had not finished its online update when the process stopped. */
export interface PendingIngest {
  id: string;
  group: string;
  /** The `api_invocation_time` of every row of the ingest. */
  apiInvocationTimeMicros: number;
}

/**
 * Bulk ingest has no write-ahead log: its one Iceberg commit is the durable point, and the online
 * update follows it. A process killed between the two would leave the online store behind the
 * offline one for good, so an ingest is noted here (fsynced) before it commits and struck off once
 * online; the next open re-applies the online update of every ingest still noted whose rows
 * were committed (put-if-newer makes that harmless to repeat).
 */
export class BulkIngestJournal {
  constructor(private readonly dir: string) {}

  async begin(group: string, apiInvocationTimeMicros: number): Promise<PendingIngest> {
    const entry = { id: randomUUID(), group, apiInvocationTimeMicros };
    const path = join(this.dir, `${entry.id}.json`);
    try {
      await mkdir(this.dir, { recursive: true });
      const handle = await open(path, 'w');
      try {
        await handle.writeFile(JSON.stringify(entry));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await syncDir(this.dir);
    } catch (error) {
      await rm(path, { force: true }).catch(() => undefined);
      throw diskFullOr(error, 'bulk ingest');
    }
    return entry;
  }

  async end(entry: PendingIngest): Promise<void> {
    await rm(join(this.dir, `${entry.id}.json`), { force: true });
  }

  async pending(): Promise<PendingIngest[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: PendingIngest[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        entries.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as PendingIngest);
      } catch {
        // Torn by the crash before its fsync: the ingest had not committed, nothing to redo.
        await rm(join(this.dir, name), { force: true });
      }
    }
    return entries;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
