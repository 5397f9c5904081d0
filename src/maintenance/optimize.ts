import { ConflictError, InternalError, ValidationError } from '../domain/index.js';
import type { DataFile, IcebergTable, OfflineStore } from '../offline/index.js';
import { duckdbType } from '../offline/iceberg/schema.js';
import { quoteIdentifier, viewSql } from '../query/index.js';
import type { OptimizeInput, OptimizeResult } from './schemas.js';
import { DEFAULTS, numberProperty, PROPERTY } from './table-properties.js';

/** Progress of a compaction, for callers that report it (and tests that act in between). */
export type OptimizeProgress =
  | { phase: 'planned'; bins: number; files: number }
  | { phase: 'file-written'; bin: number; bins: number; file: DataFile }
  | { phase: 'committing' };

export interface OptimizeHooks {
  onProgress?(progress: OptimizeProgress): void | Promise<void>;
}

/** Plans that lose to a concurrent rewrite of the same files are planned again this often. */
const ATTEMPTS = 4;
const MANIFESTS_WORTH_MERGING = 8;

/**
 * Bin-pack compaction (OPTIMIZE ... REWRITE DATA USING BIN_PACK): data files smaller than 75% of
 * the target are grouped into bins of about the target size, each bin rewritten by DuckDB as one
 * file with its rows ordered by `defaultSortBy` (a feature group's identifier and event time) or
 * by an explicit `sortBy` (which rewrites every file), and all of it committed as one `replace` snapshot whose manifests are
 * merged into one. Rows are neither added nor dropped (counts are checked before committing).
 * Appends that land meanwhile are kept: the commit is rebuilt on the newest snapshot, and only
 * the rewritten files must still be live; when they are not (another rewrite took them), the
 * written files are discarded and the compaction planned again.
 */
export async function optimizeTable(
  offline: OfflineStore,
  group: string,
  input: OptimizeInput,
  hooks: OptimizeHooks = {},
  defaultSortBy: string[] = [],
): Promise<OptimizeResult> {
  const table = await offline.openTable(group);
  for (let attempt = 1; ; attempt++) {
    await table.refresh();
    try {
      return await optimizeOnce(offline, table, input, hooks, attempt, defaultSortBy);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
    }
  }
}

async function optimizeOnce(
  offline: OfflineStore,
  table: IcebergTable,
  input: OptimizeInput,
  hooks: OptimizeHooks,
  attempt: number,
  defaultSortBy: string[],
): Promise<OptimizeResult> {
  const snapshot = table.currentSnapshot();
  const empty: OptimizeResult = {
    rewrittenDataFilesCount: 0, addedDataFilesCount: 0, rewrittenBytesCount: 0, addedBytesCount: 0, rewrittenRecordsCount: 0,
    manifestsBefore: 0, manifestsAfter: 0, attempts: attempt,
  };
  if (!snapshot) return empty;
  const schema = table.schema();
  const columns = schema.fields.map((f) => ({ name: f.name, type: duckdbType(f.type) }));
  // An explicit sort rewrites every file (the table becomes sorted); the default sort only orders
  // the rows inside each bin-packed output, which costs little and makes scans by key much faster.
  const rewriteAll = input.sortBy !== undefined && input.sortBy.length > 0;
  const sortBy = (input.sortBy ?? defaultSortBy).map((name, i) => {
    const column = columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!column) throw new ValidationError(`sortBy[${i}]: table '${table.name}' has no column '${name}'`, { field: `sortBy[${i}]` });
    if (column.type.endsWith(']')) throw new ValidationError(`sortBy[${i}]: '${name}' is a collection and cannot be sorted by`, { field: `sortBy[${i}]` });
    return column.name;
  });
  const target = input.targetFileSizeBytes ?? numberProperty(table.metadata.properties, PROPERTY.targetFileSizeBytes) ?? DEFAULTS.targetFileSizeBytes;
  const manifestsBefore = (await table.manifests(snapshot)).length;
  const live = await table.liveFiles(snapshot);
  const candidates = rewriteAll ? live : live.filter((f) => Number(f.fileSizeInBytes) < target * 0.75);
  const bins = binPack(candidates, target).filter((bin) => bin.length > 1 || rewriteAll);
  const rewriting = bins.flat();
  await hooks.onProgress?.({ phase: 'planned', bins: bins.length, files: rewriting.length });
  // With no file to rewrite, manifests alone are merged once there are enough to slow planning.
  if (rewriting.length === 0 && manifestsBefore < MANIFESTS_WORTH_MERGING) return { ...empty, manifestsBefore, manifestsAfter: manifestsBefore };

  const added: DataFile[] = [];
  try {
    for (const [i, bin] of bins.entries()) {
      const files = bin.map((f) => offline.io.localPath(f.filePath)!);
      const order = sortBy.length > 0 ? ` ORDER BY ${sortBy.map(quoteIdentifier).join(', ')}` : '';
      const file = await offline.writeDataFileFromSelect(table.name, `SELECT * FROM (${viewSql({ name: table.name, files, columns })})${order}`);
      const expected = bin.reduce((n, f) => n + f.recordCount, 0n);
      if (file) added.push(file);
      if ((file?.recordCount ?? 0n) !== expected) {
        throw new InternalError(`optimize: a rewritten file of table '${table.name}' holds ${file?.recordCount ?? 0n} rows, its inputs ${expected}; nothing was committed`);
      }
      await hooks.onProgress?.({ phase: 'file-written', bin: i + 1, bins: bins.length, ...(file ? { file } : {}) } as OptimizeProgress);
    }
    await hooks.onProgress?.({ phase: 'committing' });
    const committed = await table.rewrite(
      { operation: 'replace', removeFiles: rewriting.map((f) => f.filePath), addFiles: added, mergeManifests: true },
      { 'floe.maintenance': 'optimize' },
    );
    const bytes = (files: DataFile[]) => Number(files.reduce((n, f) => n + f.fileSizeInBytes, 0n));
    return {
      rewrittenDataFilesCount: rewriting.length,
      addedDataFilesCount: added.length,
      rewrittenBytesCount: bytes(rewriting),
      addedBytesCount: bytes(added),
      rewrittenRecordsCount: Number(rewriting.reduce((n, f) => n + f.recordCount, 0n)),
      manifestsBefore,
      manifestsAfter: (await table.manifests(committed)).length,
      snapshotId: committed['snapshot-id'].toString(),
      attempts: attempt,
    };
  } catch (error) {
    // Files written for a plan that did not commit are removed now (VACUUM would later).
    await offline.discardDataFiles(added).catch(() => undefined);
    throw error;
  }
}

/** Greedy, in manifest order: neighbouring files (close in time) land in the same output file. */
function binPack(files: DataFile[], target: number): DataFile[][] {
  const bins: DataFile[][] = [];
  let current: DataFile[] = [];
  let size = 0;
  for (const file of files) {
    const bytes = Number(file.fileSizeInBytes);
    if (current.length > 0 && size + bytes > target) {
      bins.push(current);
      current = [];
      size = 0;
    }
    current.push(file);
    size += bytes;
  }
  if (current.length > 0) bins.push(current);
  return bins;
}
