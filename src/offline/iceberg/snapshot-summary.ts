import type { DataFile } from './manifest.js';

/** The standard snapshot summary totals: the parent's, plus what this snapshot adds, less what it removes. */
export function summarize(parent: Record<string, string> | undefined, added: DataFile[], removed: DataFile[]): Record<string, string> {
  const total = (key: string) => BigInt(parent?.[key] ?? '0');
  const sum = (files: DataFile[], f: (d: DataFile) => bigint) => files.reduce((n, d) => n + f(d), 0n);
  const addedRecords = sum(added, (d) => d.recordCount);
  const removedRecords = sum(removed, (d) => d.recordCount);
  const addedSize = sum(added, (d) => d.fileSizeInBytes);
  const removedSize = sum(removed, (d) => d.fileSizeInBytes);
  const out: Record<string, string> = {
    'added-data-files': String(added.length),
    'added-records': String(addedRecords),
    'added-files-size': String(addedSize),
    'total-data-files': String(total('total-data-files') + BigInt(added.length) - BigInt(removed.length)),
    'total-records': String(total('total-records') + addedRecords - removedRecords),
    'total-files-size': String(total('total-files-size') + addedSize - removedSize),
    'total-delete-files': '0',
    'total-position-deletes': '0',
    'total-equality-deletes': '0',
  };
  if (removed.length > 0) {
    out['deleted-data-files'] = String(removed.length);
    out['deleted-records'] = String(removedRecords);
    out['removed-files-size'] = String(removedSize);
  }
  return out;
}
