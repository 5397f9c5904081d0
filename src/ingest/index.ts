/** Ingestion: the write-ahead log and the write path from acknowledgement to the stores. */
export { LoggedWritePipeline, type DurableLog } from './logged-write-pipeline.js';
export { OfflineBuffer, type OfflineTableWriter, type OfflineBufferOptions, type OfflineCommitEvent } from './offline-buffer.js';
export { StoreApplier, type OfflineSink } from './store-applier.js';
export { encodeEntry, decodeEntry } from './entry-codec.js';
export { openWriteAheadLog } from './wal-adapter.js';
export { logId } from './wal/index.js';
export { BulkIngestJournal, type PendingIngest } from './bulk-ingest-journal.js';
export { putNewestOnline } from './put-newest-online.js';
