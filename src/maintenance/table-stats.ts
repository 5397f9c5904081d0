import type { IcebergTable, ObjectStore } from '../offline/index.js';

export interface FileStats {
  files: number;
  bytes: number;
}

/** Live data files of the current snapshot and their bytes, from its summary (no manifest read). */
export function liveDataStats(table: IcebergTable): FileStats {
  const summary = table.currentSnapshot()?.summary;
  return { files: Number(summary?.['total-data-files'] ?? 0), bytes: Number(summary?.['total-files-size'] ?? 0) };
}

/** Every object under the table's directory: what VACUUM frees. */
export async function directoryStats(io: ObjectStore, table: IcebergTable): Promise<FileStats> {
  const objects = await io.list(table.location);
  return { files: objects.length, bytes: objects.reduce((n, o) => n + o.size, 0) };
}
