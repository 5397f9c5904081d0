import { open, type Database, type RootDatabase } from 'lmdb';
import type { FeatureRecord } from '../../domain/index.js';
import type {
  DeleteOutcome,
  DeletionMode,
  GetOptions,
  ListIdsOptions,
  ListIdsPage,
  OnlineRecord,
  OnlineStore,
  PutOutcome,
  RecordKey,
  UpdateOutcome,
} from '../online-store.js';
import { isExpired, mergeRecord, nowMicros, selectFeatures } from '../stored-value.js';

/** What one key holds: a record, or a soft-delete marker (`d`) with the delete's event time. */
interface Stored {
  t: number;
  v?: FeatureRecord;
  x?: number;
  d?: 1;
}

const SEPARATOR = '\u0000';

/**
 * The embedded online store on LMDB: memory-mapped reads (no copy through a server), writes
 * batched by lmdb into transactions. Keys are `group \0 recordId`, so one group is a contiguous
 * range in key order (paging, dropping a group). Values are msgpack with int64 kept exact.
 * Expired records are filtered on read and replaced by the next write to their key.
 */
export class LmdbOnlineStore implements OnlineStore {
  readonly kind = 'lmdb';

  private constructor(
    private readonly root: RootDatabase,
    private readonly db: Database<Stored, string>,
  ) {}

  static open(path: string): LmdbOnlineStore {
    // Writes resolve when committed and visible; the disk flush follows (see flush()). The
    // write-ahead log holds every acknowledged write until the online store has flushed it.
    const root = open({
      path,
      compression: false,
      separateFlushed: true,
      encoder: { int64AsType: 'auto', largeBigIntToFloat: false },
    } as never) as RootDatabase;
    // Shared record structures let msgpack decode a record without re-reading its keys: faster gets.
    const db = root.openDB<Stored, string>({
      name: 'records',
      sharedStructuresKey: Symbol.for('structures'),
      encoder: { int64AsType: 'auto', largeBigIntToFloat: false },
    } as never);
    return new LmdbOnlineStore(root, db);
  }

  async put(group: string, recordId: string, record: OnlineRecord): Promise<PutOutcome> {
    return this.db.transaction(() => this.putInTransaction(key(group, recordId), record));
  }

  async putMany(group: string, records: ReadonlyArray<{ recordId: string; record: OnlineRecord }>): Promise<PutOutcome[]> {
    return this.db.transaction(() => records.map(({ recordId, record }) => this.putInTransaction(key(group, recordId), record)));
  }

  private putInTransaction(k: string, record: OnlineRecord): PutOutcome {
    const current = this.db.get(k);
    if (current && current.t > record.eventTimeMicros) return 'stale';
    const value: Stored = { t: record.eventTimeMicros, v: record.values };
    if (record.expiresAtMicros !== undefined) value.x = record.expiresAtMicros;
    this.db.putSync(k, value);
    return 'written';
  }

  async get(group: string, recordId: string, options: GetOptions = {}): Promise<OnlineRecord | undefined> {
    return this.read(this.db.get(key(group, recordId)), options.featureNames, options.nowMicros ?? nowMicros());
  }

  async getMany(keys: ReadonlyArray<RecordKey & { featureNames?: string[] }>, options: { nowMicros?: number } = {}): Promise<Array<OnlineRecord | undefined>> {
    const now = options.nowMicros ?? nowMicros();
    return keys.map((k) => this.read(this.db.get(key(k.group, k.recordId)), k.featureNames, now));
  }

  private read(stored: Stored | undefined, featureNames: string[] | undefined, now: number): OnlineRecord | undefined {
    if (!stored || stored.d || !stored.v || isExpired(stored.x, now)) return undefined;
    const record: OnlineRecord = { values: selectFeatures(stored.v, featureNames), eventTimeMicros: stored.t };
    if (stored.x !== undefined) record.expiresAtMicros = stored.x;
    return record;
  }

  async delete(group: string, recordId: string, eventTimeMicros: number, mode: DeletionMode): Promise<DeleteOutcome> {
    const k = key(group, recordId);
    return this.db.transaction(() => {
      const current = this.db.get(k);
      if (!current) return 'absent';
      // Only a newer delete applies: an equal or older event time leaves the stored state as it is.
      if (current.t >= eventTimeMicros) return 'stale';
      if (mode === 'HardDelete') this.db.removeSync(k);
      else this.db.putSync(k, { t: eventTimeMicros, d: 1 });
      return 'deleted';
    });
  }

  async update(
    group: string,
    recordId: string,
    change: { values: FeatureRecord; eventTimeMicros?: number; expiresAtMicros?: number | null },
  ): Promise<UpdateOutcome> {
    const k = key(group, recordId);
    const now = nowMicros();
    return this.db.transaction(() => {
      const current = this.read(this.db.get(k), undefined, now);
      if (!current) return 'absent';
      if (change.eventTimeMicros !== undefined && change.eventTimeMicros < current.eventTimeMicros) return 'stale';
      const merged = mergeRecord(current, change);
      const value: Stored = { t: merged.eventTimeMicros, v: merged.values };
      if (merged.expiresAtMicros !== undefined) value.x = merged.expiresAtMicros;
      this.db.putSync(k, value);
      return 'updated';
    });
  }

  async listIds(group: string, options: ListIdsOptions = {}): Promise<ListIdsPage> {
    const limit = options.limit ?? 100;
    const now = options.nowMicros ?? nowMicros();
    const prefix = group + SEPARATOR;
    const start = options.cursor === undefined ? prefix : `${prefix}${decodeCursor(options.cursor)}${SEPARATOR}`;
    const recordIds: string[] = [];
    let last: string | undefined;
    for (const { key: k, value } of this.db.getRange({ start, end: group + '\u0001' })) {
      const recordId = k.slice(prefix.length);
      if (isExpired(value.x, now)) continue;
      if (value.d && !options.includeSoftDeleted) continue;
      if (recordIds.length === limit) return { recordIds, nextCursor: encodeCursor(last!) };
      recordIds.push(recordId);
      last = recordId;
    }
    return { recordIds };
  }

  async flush(): Promise<void> {
    await this.root.flushed;
  }

  async dropGroup(group: string): Promise<void> {
    await this.db.transaction(() => {
      for (const k of this.db.getKeys({ start: group + SEPARATOR, end: group + '\u0001' })) this.db.removeSync(k);
    });
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

function key(group: string, recordId: string): string {
  return group + SEPARATOR + recordId;
}

function encodeCursor(recordId: string): string {
  return Buffer.from(recordId).toString('base64url');
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString();
}
