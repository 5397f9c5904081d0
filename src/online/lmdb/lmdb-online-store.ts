import { open, type Database, type RootDatabase } from 'lmdb';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InternalError, isDiskFull, isFloeError, StorageFullError, type FeatureRecord } from '../../domain/index.js';
import type {
  DeleteOutcome,
  DeletionMode,
  GetOptions,
  ListIdsOptions,
  ListIdsPage,
  OnlineRecord,
  OnlineStore,
  PutManyOptions,
  PutOutcome,
  RecordKey,
  UpdateOutcome,
} from '../online-store.js';
import { checkLimit, checkMicros, checkRecord, decodeCursor, encodeCursor, mergeRecord, nowMicros, selectFeatures } from '../stored-value.js';

/**
 * What one key holds: an OnlineRecord as is (so a get returns the decoded object without a copy),
 * or a soft-delete marker: `deleted` with the delete's event time and no values.
 */
interface Stored {
  eventTimeMicros: number;
  values?: FeatureRecord;
  expiresAtMicros?: number;
  deleted?: true;
}

const SEPARATOR = '\u0000';
/** lmdb's transaction flag: not abortable (no child transaction to roll back). */
const NON_ABORTABLE = 2;
/** msgpack with 64-bit integers exact: int64 beyond 2^53 decodes to a bigint, smaller ones to a number. */
const ENCODER = { int64AsType: 'auto', largeBigIntToFloat: false };

/**
 * The embedded online store on LMDB: memory-mapped reads in-process, writes batched by lmdb into
 * transactions (each method's read-check-write runs inside one, so it is atomic per key).
 * Keys are `group \0 recordId`: a group is one contiguous range in byte order, which listIds
 * pages through and dropGroup removes. Values are msgpack with shared structures.
 *
 * Expiry: records are filtered on read by the caller's clock; a record expired by the real clock
 * is also removed when met (a get, getMany or listIds schedules its removal, and a write to its
 * key treats it as absent), so expired data does not pile up on disk.
 */
export class LmdbOnlineStore implements OnlineStore {
  readonly kind = 'lmdb';
  /** Commits made since the last flush (they are not on disk until it syncs). */
  private unsynced = false;
  /** The commit of the last bulk batch handed to lmdb's write thread, until it is known to be done. */
  private background: Promise<void> | undefined;

  private constructor(
    private readonly root: RootDatabase,
    private readonly db: Database<Stored, string>,
    private readonly path: string,
    private readonly readOnly: boolean,
  ) {}

  /**
   * Opens (creating if needed) the store in directory `path`. `readOnly`: another process owns
   * the store and writes it (a server's worker processes); this one only reads, and leaves expired
   * records for the owner to reclaim.
   */
  static open(path: string, options: { readOnly?: boolean } = {}): LmdbOnlineStore {
    const readOnly = options.readOnly ?? false;
    try {
      // Commits do not wait for the disk (MDB_NOSYNC on the environment): flush() syncs, and the
      // write-ahead log holds every acknowledged write until the online store has flushed it. The
      // flag on each transaction alone did not stop the commit's own sync, which cost 200 µs a
      // commit (half the write path's time at 256 callers). (lmdb's typings lack the msgpack
      // encoder options, hence the casts.)
      const root = open({ path, compression: false, noSync: true, readOnly, encoder: ENCODER } as never) as RootDatabase;
      // Shared structures: msgpack decodes a record without re-reading its field names.
      const db = root.openDB<Stored, string>({ name: 'records', sharedStructuresKey: Symbol.for('structures'), encoder: ENCODER } as never);
      return new LmdbOnlineStore(root, db, path, readOnly);
    } catch (error) {
      throw failure('open', error);
    }
  }

  async put(group: string, recordId: string, record: OnlineRecord): Promise<PutOutcome> {
    checkRecord(record);
    return this.write('put', () => this.putInTransaction(key(group, recordId), record, nowMicros()));
  }

  async putMany(group: string, records: ReadonlyArray<{ recordId: string; record: OnlineRecord }>, options: PutManyOptions = {}): Promise<PutOutcome[]> {
    for (const { record } of records) checkRecord(record);
    if (options.bulk) return this.putInBackground(group, records);
    // Synchronous: the write path applies a log batch here before acknowledging it, and a trip
    // to lmdb's write thread and back costs more than the batch itself (commits do not wait for
    // the disk either way; see flush()).
    return this.writeSync('putMany', () => {
      const now = nowMicros();
      return records.map(({ recordId, record }) => this.putInTransaction(key(group, recordId), record, now));
    });
  }

  /**
   * A bulk batch: each key is checked here and its put queued for lmdb's write thread, which
   * does the tree work (half the cost of a put) while this thread converts the next batch.
   * The check and the commit are then apart in time, so until the commit every other write of
   * this store waits (see waitForBackground): none can slip a newer record between them.
   * A record queued is not seen by the checks of the same batch: hence distinct identifiers.
   */
  private putInBackground(group: string, records: ReadonlyArray<{ recordId: string; record: OnlineRecord }>): Promise<PutOutcome[]> {
    // Checked in the caller's turn when nothing is pending: writes are judged in the order issued.
    if (this.background) return this.waitForBackground().then(() => this.putInBackground(group, records));
    const now = nowMicros();
    const outcomes = new Array<PutOutcome>(records.length);
    // Unconditional puts share one promise per lmdb transaction; a batch may span a few.
    const commits = new Set<Promise<boolean>>();
    try {
      for (let i = 0; i < records.length; i++) {
        const { recordId, record } = records[i]!;
        const k = key(group, recordId);
        if (this.isStale(k, record, now)) {
          outcomes[i] = 'stale';
          continue;
        }
        commits.add(this.db.put(k, storedValue(record)));
        outcomes[i] = 'written';
      }
    } catch (error) {
      return this.commitFailure('putMany', error, false).then((e) => Promise.reject(e));
    } finally {
      this.unsynced = true;
      const settled: Promise<void> = Promise.allSettled(commits).then(() => {
        if (this.background === settled) this.background = undefined;
      });
      this.background = settled;
    }
    return Promise.all(commits).then(
      () => outcomes,
      (error: unknown) => this.commitFailure('putMany', error, true).then((e) => Promise.reject(e)),
    );
  }

  /** Returns once no background batch is uncommitted (another may be queued meanwhile: hence the loop). */
  private async waitForBackground(): Promise<void> {
    while (this.background) await this.background;
  }

  private isStale(k: string, record: OnlineRecord, now: number): boolean {
    const current = this.db.get(k);
    return current !== undefined && !expired(current, now) && current.eventTimeMicros > record.eventTimeMicros;
  }

  private putInTransaction(k: string, record: OnlineRecord, now: number): PutOutcome {
    if (this.isStale(k, record, now)) return 'stale';
    this.db.putSync(k, storedValue(record));
    return 'written';
  }

  get(group: string, recordId: string, options?: GetOptions): Promise<OnlineRecord | undefined> {
    // Not async: a get is a few microseconds, and an async frame would be a good part of them.
    try {
      this.readLatest();
      const k = key(group, recordId);
      return Promise.resolve(this.read(k, this.db.get(k), options?.featureNames, options?.nowMicros ?? nowMicros()));
    } catch (error) {
      return Promise.reject(failure('get', error));
    }
  }

  getMany(keys: ReadonlyArray<RecordKey & { featureNames?: string[] }>, options?: { nowMicros?: number }): Promise<Array<OnlineRecord | undefined>> {
    try {
      this.readLatest();
      const now = options?.nowMicros ?? nowMicros();
      const out = new Array<OnlineRecord | undefined>(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const { group, recordId, featureNames } = keys[i]!;
        const k = key(group, recordId);
        out[i] = this.read(k, this.db.get(k), featureNames, now);
      }
      return Promise.resolve(out);
    } catch (error) {
      return Promise.reject(failure('getMany', error));
    }
  }

  /** The live record in `stored`, or undefined; the hot path of every read, so it copies only for a feature subset. */
  /**
   * lmdb keeps one read snapshot until its next timer turn, and renews it after this process's own
   * commits only. A read-only store's writer is another process: without a fresh snapshot, a
   * record that process has acknowledged could be missed by a read issued right after.
   */
  private readLatest(): void {
    if (this.readOnly) this.db.resetReadTxn();
  }

  private read(k: string, stored: Stored | undefined, featureNames: string[] | undefined, now: number): OnlineRecord | undefined {
    if (stored === undefined || stored.deleted) return undefined;
    if (stored.expiresAtMicros !== undefined && stored.expiresAtMicros <= now) {
      this.removeIfExpired(k, stored);
      return undefined;
    }
    if (!featureNames) return stored as OnlineRecord;
    const record: OnlineRecord = { values: selectFeatures(stored.values!, featureNames), eventTimeMicros: stored.eventTimeMicros };
    if (stored.expiresAtMicros !== undefined) record.expiresAtMicros = stored.expiresAtMicros;
    return record;
  }

  /** Lazy reclaim: re-checked inside the write, so a newer record written meanwhile stays. */
  private removeIfExpired(k: string, stored: Stored): void {
    if (this.readOnly || !expired(stored, nowMicros())) return; // expired only by the caller's clock: keep it
    this.db
      .transaction(() => {
        const current = this.db.get(k);
        if (current && expired(current, nowMicros())) this.db.removeSync(k);
      })
      .catch(() => undefined); // not removed: it stays filtered on read, and the next write replaces it
  }

  async delete(group: string, recordId: string, eventTimeMicros: number, mode: DeletionMode): Promise<DeleteOutcome> {
    checkMicros(eventTimeMicros, 'eventTimeMicros');
    const k = key(group, recordId);
    return this.write('delete', (): DeleteOutcome => {
      const current = this.db.get(k);
      if (!current) return 'absent';
      if (expired(current, nowMicros())) {
        this.db.removeSync(k);
        return 'absent';
      }
      // Only a newer delete applies: an equal or older event time leaves the stored state as it is.
      if (current.eventTimeMicros >= eventTimeMicros) return 'stale';
      if (mode === 'HardDelete') this.db.removeSync(k);
      else this.db.putSync(k, { eventTimeMicros, deleted: true });
      return 'deleted';
    });
  }

  async update(
    group: string,
    recordId: string,
    change: { values: FeatureRecord; eventTimeMicros?: number; expiresAtMicros?: number | null },
  ): Promise<UpdateOutcome> {
    if (change.eventTimeMicros !== undefined) checkMicros(change.eventTimeMicros, 'eventTimeMicros');
    if (change.expiresAtMicros !== undefined && change.expiresAtMicros !== null) checkMicros(change.expiresAtMicros, 'expiresAtMicros');
    const k = key(group, recordId);
    return this.write('update', (): UpdateOutcome => {
      const current = this.db.get(k);
      if (!current || current.deleted) return 'absent';
      if (expired(current, nowMicros())) {
        this.db.removeSync(k);
        return 'absent';
      }
      if (change.eventTimeMicros !== undefined && change.eventTimeMicros < current.eventTimeMicros) return 'stale';
      const merged = mergeRecord(current as OnlineRecord, change);
      const value: Stored = { values: merged.values, eventTimeMicros: merged.eventTimeMicros };
      if (merged.expiresAtMicros !== undefined) value.expiresAtMicros = merged.expiresAtMicros;
      this.db.putSync(k, value);
      return 'updated';
    });
  }

  async listIds(group: string, options: ListIdsOptions = {}): Promise<ListIdsPage> {
    const limit = checkLimit(options.limit);
    const now = options.nowMicros ?? nowMicros();
    const prefix = group + SEPARATOR;
    // The smallest key after `prefix + last` is `prefix + last + \0`: the page starts just past the cursor.
    const start = options.cursor === undefined ? prefix : prefix + decodeCursor(options.cursor) + SEPARATOR;
    const recordIds: string[] = [];
    for (const { key: k, value } of this.db.getRange({ start, end: group + '\u0001' })) {
      if (value.expiresAtMicros !== undefined && value.expiresAtMicros <= now) {
        this.removeIfExpired(k, value);
        continue;
      }
      if (value.deleted && !options.includeSoftDeleted) continue;
      if (recordIds.length === limit) return { recordIds, nextCursor: encodeCursor(recordIds[limit - 1]!) };
      recordIds.push(k.slice(prefix.length));
    }
    return { recordIds };
  }

  async flush(): Promise<void> {
    await this.root.committed;
    if (!this.unsynced) return;
    this.unsynced = false;
    await new Promise<void>((resolve, reject) => (this.root as unknown as { sync(done: (error?: Error) => void): void }).sync((error) => (error ? reject(failure('flush', error)) : resolve())));
  }

  async dropGroup(group: string): Promise<void> {
    return this.write('dropGroup', () => {
      for (const k of this.db.getKeys({ start: group + SEPARATOR, end: group + '\u0001' })) this.db.removeSync(k);
    });
  }

  async close(): Promise<void> {
    await this.flush(); // closing does not sync an environment opened without syncs
    await this.root.close();
  }

  /** A synchronous transaction, committed without waiting for the disk; flush() syncs it. */
  private writeSync<T>(operation: string, body: () => T): Promise<T> {
    if (this.background) return this.waitForBackground().then(() => this.writeSync(operation, body));
    try {
      this.unsynced = true;
      return Promise.resolve((this.db.transactionSync as (body: () => T, flags: number) => T)(body, NON_ABORTABLE));
    } catch (error) {
      return this.commitFailure(operation, error, true).then((e) => Promise.reject(e));
    }
  }

  /** Runs `body` in one write transaction; driver failures become typed errors. */
  private async write<T>(operation: string, body: () => T): Promise<T> {
    await this.waitForBackground();
    try {
      this.unsynced = true;
      return await this.db.transaction(body);
    } catch (error) {
      // lmdb rejects a failed commit with an error pointing at a second, rejected promise (the
      // driver's reason): handled here, or the process would die of an unhandled rejection.
      const commitError = (error as { commitError?: Promise<unknown> }).commitError;
      commitError?.catch(() => undefined);
      throw await this.commitFailure(operation, error, commitError !== undefined);
    }
  }

  /** A commit on a full disk fails as EIO or ENOSPC, depending on the file system: the free space tells. */
  private async commitFailure(operation: string, error: unknown, mayBeDiskFull: boolean): Promise<Error> {
    if (!isFloeError(error) && (isDiskFull(error) || (mayBeDiskFull && (await diskFull(this.path))))) {
      return new StorageFullError(`online store (lmdb) ${operation}: the disk is full (no space left on device); acknowledged data is kept, retry once space is freed`, {
        cause: error,
      });
    }
    return failure(operation, error);
  }
}

function key(group: string, recordId: string): string {
  return group + SEPARATOR + recordId;
}

/** A fresh object: a caller's record may carry more than the store keeps. */
function storedValue(record: OnlineRecord): Stored {
  const value: Stored = { values: record.values, eventTimeMicros: record.eventTimeMicros };
  if (record.expiresAtMicros !== undefined) value.expiresAtMicros = record.expiresAtMicros;
  return value;
}

function expired(stored: Stored, now: number): boolean {
  return stored.expiresAtMicros !== undefined && stored.expiresAtMicros <= now;
}

function failure(operation: string, error: unknown): Error {
  if (isFloeError(error)) return error;
  return new InternalError(`online store (lmdb) ${operation}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** Less than a few pages free for unprivileged writers. */
async function diskFull(path: string): Promise<boolean> {
  try {
    const fs = await statfs(dirname(path));
    return fs.bavail * fs.bsize < 1024 * 1024;
  } catch {
    return false;
  }
}
