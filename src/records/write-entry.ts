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
}
