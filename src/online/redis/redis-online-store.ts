import { InternalError, isFloeError, UnavailableError, stringifyTagged, type FeatureRecord } from '../../domain/index.js';
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
import { checkLimit, checkMicros, checkRecord, decodeCursor, encodeCursor, nowMicros, selectFeatures } from '../stored-value.js';
import { decodeRecord, decodeState, encodeMarker, encodeRecord } from './record-codec.js';
import type { RedisLike } from './redis-like.js';

/** Ids read from the index per round trip while listing. */
const LIST_BATCH = 200;

/**
 * The shared online store on Redis. Every change is one Lua script (atomic per key); a get is
 * one GET and a batch one MGET. Keys: `<prefix>r:<group>:<id>` (the record, one string, see
 * record-codec.ts) and `<prefix>i:<group>` (the group's ids, a sorted set paged in byte order).
 * Records with an expiry carry PXAT so Redis reclaims them; reads also check the caller's clock.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis';

  /** `prefix` namespaces every key, so several stores (and test runs) share one Redis. */
  constructor(
    private readonly redis: RedisLike,
    private readonly prefix = 'floe:',
  ) {}

  private recordKey(group: string, recordId: string): string {
    return `${this.prefix}r:${group}:${recordId}`;
  }

  private indexKey(group: string): string {
    return `${this.prefix}i:${group}`;
  }

  async put(group: string, recordId: string, record: OnlineRecord): Promise<PutOutcome> {
    const { keys, args } = this.putCall(group, recordId, record, String(nowMicros()));
    return (await this.call('put', this.redis.runScript('floePut', keys, args))) === 1 ? 'written' : 'stale';
  }

  async putMany(group: string, records: ReadonlyArray<{ recordId: string; record: OnlineRecord }>): Promise<PutOutcome[]> {
    const now = String(nowMicros());
    const calls = records.map(({ recordId, record }) => this.putCall(group, recordId, record, now));
    const results = await this.call('putMany', this.redis.runScriptMany('floePut', calls));
    return results.map((written) => (written === 1 ? 'written' : 'stale'));
  }

  private putCall(group: string, recordId: string, record: OnlineRecord, now: string): { keys: string[]; args: string[] } {
    checkRecord(record);
    const pxat = record.expiresAtMicros === undefined ? '' : expiryMillis(record.expiresAtMicros);
    return {
      keys: [this.recordKey(group, recordId), this.indexKey(group)],
      args: [String(record.eventTimeMicros), pxat, now, recordId, encodeRecord(record)],
    };
  }

  async get(group: string, recordId: string, options?: GetOptions): Promise<OnlineRecord | undefined> {
    const text = await this.call('get', this.redis.get(this.recordKey(group, recordId)));
    const record = decodeRecord(text, options?.nowMicros ?? nowMicros());
    return record && options?.featureNames ? subset(record, options.featureNames) : record;
  }

  async getMany(keys: ReadonlyArray<RecordKey & { featureNames?: string[] }>, options?: { nowMicros?: number }): Promise<Array<OnlineRecord | undefined>> {
    if (keys.length === 0) return [];
    const texts = await this.call('getMany', this.redis.mget(keys.map((k) => this.recordKey(k.group, k.recordId))));
    const now = options?.nowMicros ?? nowMicros();
    return texts.map((text, i) => {
      const record = decodeRecord(text, now);
      const featureNames = keys[i]!.featureNames;
      return record && featureNames ? subset(record, featureNames) : record;
    });
  }

  async delete(group: string, recordId: string, eventTimeMicros: number, mode: DeletionMode): Promise<DeleteOutcome> {
    checkMicros(eventTimeMicros, 'eventTimeMicros');
    const args = [String(eventTimeMicros), mode, String(nowMicros()), recordId, encodeMarker(eventTimeMicros)];
    return (await this.call('delete', this.redis.runScript('floeDelete', [this.recordKey(group, recordId), this.indexKey(group)], args))) as DeleteOutcome;
  }

  async update(
    group: string,
    recordId: string,
    change: { values: FeatureRecord; eventTimeMicros?: number; expiresAtMicros?: number | null },
  ): Promise<UpdateOutcome> {
    if (change.eventTimeMicros !== undefined) checkMicros(change.eventTimeMicros, 'eventTimeMicros');
    const expiry = change.expiresAtMicros;
    if (expiry !== undefined && expiry !== null) checkMicros(expiry, 'expiresAtMicros');
    const args = [
      String(nowMicros()),
      change.eventTimeMicros === undefined ? '' : String(change.eventTimeMicros),
      expiry === undefined ? '' : expiry === null ? 'null' : String(expiry),
      expiry === undefined || expiry === null ? '' : expiryMillis(expiry),
    ];
    for (const name in change.values) {
      const value = change.values[name];
      if (value === undefined) continue;
      const prefix = `${JSON.stringify(name)}:`;
      args.push(prefix, prefix + stringifyTagged(value));
    }
    return (await this.call('update', this.redis.runScript('floeUpdate', [this.recordKey(group, recordId)], args))) as UpdateOutcome;
  }

  async listIds(group: string, options: ListIdsOptions = {}): Promise<ListIdsPage> {
    const limit = checkLimit(options.limit);
    const now = options.nowMicros ?? nowMicros();
    const index = this.indexKey(group);
    const recordIds: string[] = [];
    // ZRANGEBYLEX bounds: '(' excludes the cursor's id itself, '-' is the start of the set.
    let min = options.cursor === undefined ? '-' : `(${decodeCursor(options.cursor)}`;
    for (;;) {
      const batch = await this.call('listIds', this.redis.zrangeByLex(index, min, '+', LIST_BATCH));
      if (batch.length === 0) return { recordIds };
      const keys = batch.map((id) => this.recordKey(group, id));
      const texts = await this.call('listIds', this.redis.mget(keys));
      const gone: number[] = [];
      for (let i = 0; i < batch.length; i++) {
        const text = texts[i];
        if (text === null || text === undefined) {
          gone.push(i);
          continue;
        }
        const state = decodeState(text);
        if (state.expiresAtMicros !== undefined && state.expiresAtMicros <= now) continue;
        if (state.deleted && !options.includeSoftDeleted) continue;
        if (recordIds.length === limit) {
          await this.unindex(index, batch, keys, gone);
          return { recordIds, nextCursor: encodeCursor(recordIds[limit - 1]!) };
        }
        recordIds.push(batch[i]!);
      }
      await this.unindex(index, batch, keys, gone);
      min = `(${batch[batch.length - 1]!}`;
    }
  }

  /** Drops from the index the ids whose records Redis reclaimed (expired). */
  private async unindex(index: string, ids: string[], keys: string[], positions: number[]): Promise<void> {
    if (positions.length === 0) return;
    await this.call(
      'listIds',
      this.redis.runScript('floeUnindex', [index, ...positions.map((i) => keys[i]!)], positions.map((i) => ids[i]!)),
    );
  }

  async dropGroup(group: string): Promise<void> {
    const index = this.indexKey(group);
    for (;;) {
      const ids = await this.call('dropGroup', this.redis.zrangeByLex(index, '-', '+', 1000));
      if (ids.length === 0) break;
      await this.call('dropGroup', this.redis.del(ids.map((id) => this.recordKey(group, id))));
      await this.call('dropGroup', this.redis.zrem(index, ids));
    }
    await this.call('dropGroup', this.redis.del([index]));
  }

  async close(): Promise<void> {
    await this.call('close', this.redis.quit());
  }

  /** Driver failures (connection lost, script errors) become typed errors naming the operation. */
  private async call<T>(operation: string, pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      if (isFloeError(error)) throw error;
      // A reply error is Redis refusing the command (a bug of ours); anything else is the connection.
      if ((error as Error | undefined)?.name !== 'ReplyError') {
        throw new UnavailableError(`online store (redis) ${operation}: cannot reach Redis (${error instanceof Error ? error.message : String(error)}); retry once it is back`, {
          cause: error,
        });
      }
      throw new InternalError(`online store (redis) ${operation}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

/** PXAT in whole milliseconds, never before the expiry itself (and at least 1: Redis refuses 0). */
function expiryMillis(expiresAtMicros: number): string {
  return String(Math.max(1, Math.ceil(expiresAtMicros / 1000)));
}

function subset(record: OnlineRecord, featureNames: string[]): OnlineRecord {
  return { ...record, values: selectFeatures(record.values, featureNames) };
}
