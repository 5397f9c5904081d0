import { isFloeError, ValidationError, validateRecord, ttlToMicros, type FeatureGroup } from '../domain/index.js';
import type { DataFile, OfflineRow, OfflineStore } from '../offline/index.js';
import type { OnlineRecord, OnlineStore } from '../online/online-store.js';
import type { TargetStore } from '../records/write-entry.js';
import { ingestFile } from './file-ingest.js';
import { readChunks, type IngestSource } from './ingest-sources.js';
import { putNewestOnline } from './put-newest-online.js';

export interface IngestOptions {
  /** All or nothing: any bad row fails the whole ingest, and nothing is written. */
  failOnError?: boolean;
  targetStores?: TargetStore[];
  /** Called after each chunk. */
  onProgress?: (progress: IngestProgress) => void;
  /** Rows validated and written per data file, for records and Arrow tables (default 100,000). */
  chunkRows?: number;
  /** DuckDB's memory limit when ingesting a file (default 2GB); beyond it, work spills to disk. */
  memoryLimit?: string;
  /** The `api_invocation_time` of every row (default: now). Identifies the ingest's rows for recovery. */
  apiInvocationTimeMicros?: number;
}

export interface IngestProgress {
  rowsRead: number;
  rowsWritten: number;
  rowsFailed: number;
  /** Files only: the stage under way (checking rows, writing Parquet, updating the online store). */
  stage?: 'checking' | 'writing' | 'online';
  /** Files only, while checking: the rows in the file (exact for Parquet, estimated from line lengths for CSV and JSON Lines); rowsRead is then DuckDB's progress times it. */
  totalRows?: number;
}

export interface FailedRow {
  /** Position of the row in the source, from 0. */
  row: number;
  field?: string;
  reason: string;
}

export interface IngestResult extends IngestProgress {
  failedRows: FailedRow[];
  /** The offline snapshot that holds the rows (one commit for the whole ingest). */
  snapshotId?: bigint;
}

/** At most this many failed rows are returned with reasons (the count is always exact). */
const MAX_FAILED_ROWS = 10_000;

/**
 * Bulk ingest: validates every row, writes Parquet straight to the group's table (no log: the
 * single Iceberg commit at the end is the durable point), then updates the online store with the
 * newest record per identifier. Bad rows are reported, not fatal, unless failOnError. Files are
 * ingested by DuckDB (file-ingest.ts); records and Arrow tables by the validator in JS.
 */
export async function bulkIngest(
  group: FeatureGroup,
  source: IngestSource,
  stores: { online: OnlineStore; offline: OfflineStore },
  options: IngestOptions = {},
): Promise<IngestResult> {
  const online = group.onlineStoreConfig.enableOnlineStore && (options.targetStores?.includes('OnlineStore') ?? true);
  const offline = group.offlineStoreConfig.enableOfflineStore && (options.targetStores?.includes('OfflineStore') ?? true);
  for (const t of options.targetStores ?? []) {
    if ((t === 'OnlineStore' && !group.onlineStoreConfig.enableOnlineStore) || (t === 'OfflineStore' && !group.offlineStoreConfig.enableOfflineStore)) {
      throw new ValidationError(`targetStores: feature group '${group.featureGroupName}' has no ${t}`, { field: 'targetStores' });
    }
  }
  if (typeof source === 'string') return ingestFile(group, source, stores, { online, offline }, options);
  const chunkRows = options.chunkRows ?? 100_000;
  const apiInvocationTimeMicros = options.apiInvocationTimeMicros ?? Date.now() * 1000;
  const ttl = group.onlineStoreConfig.ttlDuration;
  const progress: IngestResult = { rowsRead: 0, rowsWritten: 0, rowsFailed: 0, failedRows: [] };
  const files: DataFile[] = [];
  const newest = new Map<string, OnlineRecord>();
  try {
    for await (const chunk of readChunks(source, chunkRows)) {
      const good: OfflineRow[] = [];
      for (const raw of chunk) {
        const index = progress.rowsRead++;
        try {
          const valid = validateRecord(group, stripNulls(raw));
          if (offline) good.push({ values: valid.values, writeTimeMicros: 0, apiInvocationTimeMicros, isDeleted: false });
          if (online) {
            const seen = newest.get(valid.recordId);
            if (!seen || seen.eventTimeMicros <= valid.eventTimeMicros) {
              newest.set(valid.recordId, {
                values: valid.values,
                eventTimeMicros: valid.eventTimeMicros,
                ...(ttl ? { expiresAtMicros: valid.eventTimeMicros + ttlToMicros(ttl) } : {}),
              });
            }
          }
          progress.rowsWritten++;
        } catch (error) {
          if (!isFloeError(error)) throw error;
          progress.rowsFailed++;
          if (options.failOnError) {
            throw new ValidationError(`row ${index}: ${error.message}`, { field: error.field ?? 'source', cause: error });
          }
          if (progress.failedRows.length < MAX_FAILED_ROWS) {
            progress.failedRows.push({ row: index, reason: error.message, ...(error.field ? { field: error.field } : {}) });
          }
        }
      }
      if (good.length > 0) {
        // write_time is the time the rows are written, as for single puts.
        const writeTimeMicros = Date.now() * 1000;
        for (const row of good) row.writeTimeMicros = writeTimeMicros;
        const file = await stores.offline.writeDataFile(group.featureGroupName, good);
        if (file) files.push(file);
      }
      options.onProgress?.({ rowsRead: progress.rowsRead, rowsWritten: progress.rowsWritten, rowsFailed: progress.rowsFailed });
    }
    if (files.length > 0) {
      const snapshot = await stores.offline.commitDataFiles(group.featureGroupName, files, { 'floe.operation': 'bulk-ingest' });
      progress.snapshotId = snapshot['snapshot-id'];
    }
  } catch (error) {
    await stores.offline.discardDataFiles(files);
    throw error;
  }
  await putNewestOnline(stores.online, group.featureGroupName, newest);
  return progress;
}

/** Sources such as CSV and Arrow carry explicit nulls for missing values: drop them. */
function stripNulls(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}
