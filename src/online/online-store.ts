import type { FeatureRecord } from '../domain/index.js';

/** One record as the online store keeps it. */
export interface OnlineRecord {
  /** Every feature of the record, keyed by name, in canonical form (see domain/feature-value). */
  values: FeatureRecord;
  eventTimeMicros: number;
  /** Absolute expiry (event time + TTL), epoch microseconds; absent = never expires. */
  expiresAtMicros?: number;
}

export type DeletionMode = 'SoftDelete' | 'HardDelete';

export interface GetOptions {
  /** Only these features (the rest are left out of `values`). */
  featureNames?: string[];
  /** The clock for TTL, epoch microseconds; defaults to now. */
  nowMicros?: number;
}

export interface RecordKey {
  group: string;
  recordId: string;
}

export interface ListIdsOptions {
  limit?: number;
  cursor?: string;
  includeSoftDeleted?: boolean;
  nowMicros?: number;
}

export interface ListIdsPage {
  recordIds: string[];
  nextCursor?: string;
}

export interface PutManyOptions {
  /**
   * A bulk load: throughput matters, not the latency of this call. A store may then write in the
   * background (the embedded one hands the batch to its write thread), the same per-key
   * semantics kept; the call resolves once the batch is committed. The records must have
   * distinct identifiers (bulk ingest passes the newest of each): checking a batch for repeats
   * would cost a third of its time.
   */
  bulk?: boolean;
}

export type PutOutcome = 'written' | 'stale';
/** `stale`: the stored record (or delete marker) has a newer event time; nothing changed. */
export type DeleteOutcome = 'deleted' | 'stale' | 'absent';
export type UpdateOutcome = 'updated' | 'absent' | 'stale';

/**
 * The latest record per identifier, by event time. Every method is atomic per key.
 *
 * - put keeps the record whose event time is newer or equal (a later write at the same
 *   event time wins); an older put leaves the stored record (or soft-delete marker) as it is.
 * - soft delete replaces the record with a marker carrying the delete's event time; the id
 *   stays listable with includeSoftDeleted. Hard delete removes the key entirely.
 *   A delete whose event time is not newer than the stored one's returns 'stale' and changes nothing;
 *   a delete where there is no record nor marker returns 'absent'.
 * - expired records (expiresAtMicros <= now) are never returned nor listed. `now` is the caller's
 *   clock for reads; a record expired by the real clock also counts as absent for writes (an older
 *   put is written, a delete or update finds nothing), and stores reclaim it: Redis by PXAT, LMDB
 *   when it meets it.
 * - failures are typed: ValidationError for bad arguments (field named), InternalError when the
 *   underlying store fails.
 */
export interface OnlineStore {
  readonly kind: string;

  put(group: string, recordId: string, record: OnlineRecord): Promise<PutOutcome>;
  /** Many puts, same per-key semantics; for bulk ingest and batch writes. */
  putMany(group: string, records: ReadonlyArray<{ recordId: string; record: OnlineRecord }>, options?: PutManyOptions): Promise<PutOutcome[]>;
  get(group: string, recordId: string, options?: GetOptions): Promise<OnlineRecord | undefined>;
  /** Results in the order of `keys`; undefined where there is no live record. */
  getMany(keys: ReadonlyArray<RecordKey & { featureNames?: string[] }>, options?: { nowMicros?: number }): Promise<Array<OnlineRecord | undefined>>;
  delete(group: string, recordId: string, eventTimeMicros: number, mode: DeletionMode): Promise<DeleteOutcome>;
  /**
   * Merges `values` into a live record. With an event time: 'stale' when it is older than the
   * stored one (nothing changes), else the record takes it. Without one, the stored event time stays.
   * 'absent' when there is no live record (missing, soft-deleted or expired).
   */
  update(
    group: string,
    recordId: string,
    change: { values: FeatureRecord; eventTimeMicros?: number; expiresAtMicros?: number | null },
  ): Promise<UpdateOutcome>;
  listIds(group: string, options?: ListIdsOptions): Promise<ListIdsPage>;
  /**
   * Resolves once every write made so far is on disk. Writes resolve when visible, which may be
   * before that; the write-ahead log calls this before it forgets entries (checkpoint).
   */
  flush?(): Promise<void>;
  /** Removes every record of a group (feature group deletion). */
  dropGroup(group: string): Promise<void>;
  close(): Promise<void>;
}
