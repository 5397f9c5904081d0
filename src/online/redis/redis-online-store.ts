import { parseTagged, stringifyTagged, type FeatureRecord } from '../../domain/index.js';
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
import { isExpired, nowMicros } from '../stored-value.js';
import type { RedisLike } from './redis-like.js';

const FEATURE = 'f:';

/**
 * The shared online store on Redis. Every change is one Lua script (atomic per key); reads of
 * many keys are one pipelined round trip. Keys: `<prefix>r:<group>:<id>` (a hash per record) and
 * `<prefix>i:<group>` (the group's ids, for listing). Expired records carry PEXPIREAT so Redis
 * reclaims them, and reads also check the caller's clock.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis';

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
    const written = await this.redis.runScript('floePut', [this.recordKey(group, recordId), this.indexKey(group)], [
      String(record.eventTimeMicros),
      record.expiresAtMicros === undefined ? '' : String(record.expiresAtMicros),
      recordId,
      ...fieldPairs(record.values),
    ]);
    return written === 1 ? 'written' : 'stale';
  }

  putMany(group: string, records: ReadonlyArray<{ recordId: string; record: OnlineRecord }>): Promise<PutOutcome[]> {
    // ioredis pipelines the concurrent script calls into one round trip.
    return Promise.all(records.map(({ recordId, record }) => this.put(group, recordId, record)));
  }

  async get(group: string, recordId: string, options: GetOptions = {}): Promise<OnlineRecord | undefined> {
    const [found] = await this.getMany([{ group, recordId, ...(options.featureNames ? { featureNames: options.featureNames } : {}) }], options);
    return found;
  }

  async getMany(keys: ReadonlyArray<RecordKey & { featureNames?: string[] }>, options: { nowMicros?: number } = {}): Promise<Array<OnlineRecord | undefined>> {
    if (keys.length === 0) return [];
    const now = options.nowMicros ?? nowMicros();
    // Subsets of features read with HMGET; whole records with HGETALL. Split the two kinds.
    const whole = keys.map((k, i) => ({ k, i })).filter(({ k }) => !k.featureNames);
    const partial = keys.map((k, i) => ({ k, i })).filter(({ k }) => k.featureNames);
    const results: Array<OnlineRecord | undefined> = new Array(keys.length);
    const [wholeHashes, partialHashes] = await Promise.all([
      whole.length ? this.redis.readHashes(whole.map(({ k }) => this.recordKey(k.group, k.recordId))) : [],
      Promise.all(
        partial.map(({ k }) =>
          this.redis.readHashes([this.recordKey(k.group, k.recordId)], ['t', 'x', 'd', ...k.featureNames!.map((f) => FEATURE + f)]),
        ),
      ),
    ]);
    whole.forEach(({ i }, n) => (results[i] = fromHash(wholeHashes[n] as Record<string, string>, now)));
    partial.forEach(({ k, i }, n) => {
      const values = partialHashes[n]![0] as Array<string | null>;
      const hash: Record<string, string> = {};
      ['t', 'x', 'd', ...k.featureNames!.map((f) => FEATURE + f)].forEach((field, j) => {
        if (values[j] !== null && values[j] !== undefined) hash[field] = values[j]!;
      });
      results[i] = fromHash(hash, now);
    });
    return results;
  }

  async delete(group: string, recordId: string, eventTimeMicros: number, mode: DeletionMode): Promise<DeleteOutcome> {
    return (await this.redis.runScript('floeDelete', [this.recordKey(group, recordId), this.indexKey(group)], [
      String(eventTimeMicros),
      mode,
      recordId,
    ])) as DeleteOutcome;
  }

  async update(
    group: string,
    recordId: string,
    change: { values: FeatureRecord; eventTimeMicros?: number; expiresAtMicros?: number | null },
  ): Promise<UpdateOutcome> {
    const expiry = change.expiresAtMicros === undefined ? '' : change.expiresAtMicros === null ? 'null' : String(change.expiresAtMicros);
    return (await this.redis.runScript('floeUpdate', [this.recordKey(group, recordId)], [
      String(nowMicros()),
      change.eventTimeMicros === undefined ? '' : String(change.eventTimeMicros),
      expiry,
      ...fieldPairs(change.values),
    ])) as UpdateOutcome;
  }

  async listIds(group: string, options: ListIdsOptions = {}): Promise<ListIdsPage> {
    const limit = options.limit ?? 100;
    const now = options.nowMicros ?? nowMicros();
    const index = this.indexKey(group);
    const recordIds: string[] = [];
    let min = options.cursor === undefined ? '-' : `(${Buffer.from(options.cursor, 'base64url').toString()}`;
    for (;;) {
      const batch = await this.redis.zrangeByLex(index, min, '+', Math.max(limit, 100));
      if (batch.length === 0) return { recordIds };
      const states = (await this.redis.readHashes(batch.map((id) => this.recordKey(group, id)), ['t', 'x', 'd'])) as Array<Array<string | null>>;
      const gone: string[] = [];
      for (const [i, id] of batch.entries()) {
        const [t, x, d] = states[i]!;
        if (t === null || t === undefined) {
          gone.push(id); // expired and reclaimed by Redis: drop it from the index too
          continue;
        }
        if (isExpired(x === null || x === undefined ? undefined : Number(x), now)) continue;
        if (d === '1' && !options.includeSoftDeleted) continue;
        if (recordIds.length === limit) {
          await this.redis.zrem(index, gone);
          return { recordIds, nextCursor: Buffer.from(recordIds.at(-1)!).toString('base64url') };
        }
        recordIds.push(id);
      }
      await this.redis.zrem(index, gone);
      min = `(${batch.at(-1)!}`;
    }
  }

  async dropGroup(group: string): Promise<void> {
    const index = this.indexKey(group);
    for (;;) {
      const ids = await this.redis.zrangeByLex(index, '-', '+', 1000);
      if (ids.length === 0) break;
      await this.redis.del(ids.map((id) => this.recordKey(group, id)));
      await this.redis.zrem(index, ids);
    }
    await this.redis.del([index]);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

function fieldPairs(values: FeatureRecord): string[] {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(values)) pairs.push(FEATURE + name, stringifyTagged(value));
  return pairs;
}

function fromHash(hash: Record<string, string> | undefined, now: number): OnlineRecord | undefined {
  if (!hash || hash.t === undefined || hash.d === '1') return undefined;
  const expiresAtMicros = hash.x === undefined ? undefined : Number(hash.x);
  if (isExpired(expiresAtMicros, now)) return undefined;
  // Each field holds JSON text: join them into one object literal and parse once.
  let json = '';
  for (const field in hash) {
    if (!field.startsWith(FEATURE)) continue;
    json += `${json === '' ? '{' : ','}${JSON.stringify(field.slice(FEATURE.length))}:${hash[field]}`;
  }
  const values = json === '' ? {} : parseTagged<FeatureRecord>(`${json}}`);
  const record: OnlineRecord = { values, eventTimeMicros: Number(hash.t) };
  if (expiresAtMicros !== undefined) record.expiresAtMicros = expiresAtMicros;
  return record;
}
