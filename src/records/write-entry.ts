import type { FeatureRecord } from '../domain/index.js';

export type TargetStore = 'OnlineStore' | 'OfflineStore';

/** One acknowledged change, as the write pipeline logs and applies it. */
export interface WriteEntry {
  kind: 'put' | 'delete';
  group: string;
  recordId: string;
  /** For a delete: the identifier and event time only (the offline marker row). */
  values: FeatureRecord;
  eventTimeMicros: number;
  expiresAtMicros?: number;
  online: boolean;
  offline: boolean;
  apiInvocationTimeMicros: number;
}

/**
 * Makes writes durable and applies them to the stores. `submit` resolves once the entries
 * are acknowledged: durable, applied online, and queued for the offline store.
 */
export interface WritePipeline {
  submit(entries: WriteEntry[]): Promise<void>;
  /** Resolves when everything acknowledged before the call is committed offline. */
  flush(group?: string): Promise<void>;
  close(): Promise<void>;
  /** Where the write path stands, for monitoring. */
  status(): WriteStatus;
}

/** A snapshot of the write path: how far the log is written and checkpointed, what waits offline. */
export interface WriteStatus {
  /** The last log position on disk. */
  logPosition: bigint;
  /** Everything at or below it is applied to every store; the log keeps only what follows. */
  checkpointPosition: bigint;
  /** Entries logged but not yet checkpointed: what a restart would replay (the log's depth). */
  pendingLogEntries: number;
  /** Rows acknowledged and waiting for an offline commit. */
  bufferedOfflineRows: number;
}
