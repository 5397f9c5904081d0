import { resolve } from 'node:path';
import { FeatureGroupCache } from '../control/index.js';
import { ValidationError, type FeatureRecord } from '../domain/index.js';
import { openOnlineStore, type OnlineStore } from '../online/index.js';
import {
  RecordService,
  type BatchGetIdentifier,
  type BatchGetResult,
  type BatchWriteEntry,
  type BatchWriteResult,
  type GetRecordOptions,
  type GetRecordResult,
  type PutRecordOptions,
} from '../records/record-service.js';
import type { WriteEntry, WritePipeline } from '../records/write-entry.js';
import { openRegistry } from '../registry/index.js';
import type { Registry } from '../registry/registry.js';
import type { TtlDuration } from '../domain/index.js';
import type { AccessKeyStore } from './feature-store.js';
import type { RecordId, RecordPutApi, RecordReadApi } from './feature-store-api.js';
import { GroupRecordReads } from './group-record-reads.js';
import { onlineStoreOptions, registryOptions, type OpenOptions } from './open-options.js';

/** The owner's write path, as a replica reaches it: entries it validated, logged and applied by the owner. */
export interface OwnerWrites {
  /** Resolves once the owner acknowledged the entries (durable, applied online). */
  submit(entries: WriteEntry[]): Promise<void>;
  /** Resolves once the owner committed what it acknowledged of this group offline. */
  flush(group: string): Promise<void>;
}

/**
 * A store that another process owns and writes, as a server's worker process serves it
 * (`floe serve --workers`): its registry and online store opened beside the owner (the embedded
 * online store read-only), no data directory lock, no write-ahead log. Reads are answered here
 * with the owner's rules (GroupRecordReads, RecordService); puts are validated here and handed
 * to the owner (`OwnerWrites`), which logs and applies them as its own.
 *
 * What it sees: a record the owner acknowledged is visible to the next read here (an LMDB commit
 * is visible to every process at once, and each read takes a fresh snapshot). Group definitions
 * are cached for a second; a group not found is asked for again at every call, and a call refused
 * as bad input against a cached definition is checked once more against the registry's (a
 * feature added a moment ago is taken at once).
 */
export class StoreReplica implements RecordReadApi, RecordPutApi {
  private constructor(
    private readonly registry: Registry,
    private readonly online: OnlineStore,
    private readonly groups: FeatureGroupCache,
    private readonly records: RecordService,
  ) {}

  static async open(options: OpenOptions, owner: OwnerWrites): Promise<StoreReplica> {
    const dataDir = resolve(options.dataDir ?? '.floe');
    const registry = await openRegistry(registryOptions({ ...options, dataDir }));
    try {
      const where = onlineStoreOptions({ ...options, dataDir });
      const online = await openOnlineStore(where.kind === 'lmdb' ? { ...where, readOnly: true } : where);
      const groups = new FeatureGroupCache(registry, 1000, false);
      return new StoreReplica(registry, online, groups, new RecordService(groups, online, ownerPipeline(owner)));
    } catch (error) {
      await registry.close();
      throw error;
    }
  }

  featureGroup(featureGroupName: string): ReplicaGroup {
    return new ReplicaGroup(featureGroupName, this.records, this.groups);
  }

  /** BatchGetRecord: identifiers refused against a cached definition make the batch run once more against the registry's. */
  async batchGetRecord(identifiers: BatchGetIdentifier[], options: { expirationTimeResponse?: 'Enabled' | 'Disabled' } = {}): Promise<BatchGetResult> {
    const first = await this.records.batchGetRecord(identifiers, options);
    const refused = new Set(first.errors.filter((e) => e.errorCode === 'ValidationError').map((e) => e.featureGroupName));
    if (refused.size === 0) return first;
    for (const name of refused) this.groups.invalidate(name);
    return this.records.batchGetRecord(identifiers, options);
  }

  /** BatchWriteRecord: entries refused against a cached definition are tried once more against the registry's. */
  async batchWriteRecord(entries: BatchWriteEntry[], options: { ttlDuration?: TtlDuration } = {}): Promise<BatchWriteResult> {
    const first = await this.records.batchWriteRecord(entries, options);
    const refused = first.errors.filter((e) => e.errorCode === 'ValidationError').map((e) => e.entry);
    if (refused.length === 0) return first;
    for (const entry of refused) this.groups.invalidate(entry.featureGroupName);
    const second = await this.records.batchWriteRecord(refused, options);
    return { errors: [...first.errors.filter((e) => e.errorCode !== 'ValidationError'), ...second.errors], unprocessedEntries: [...first.unprocessedEntries, ...second.unprocessedEntries] };
  }

  /** The keys requests are verified with (the owner creates and deletes them). */
  get accessKeys(): Pick<AccessKeyStore, 'getAccessKey'> {
    return this.registry;
  }

  async close(): Promise<void> {
    await this.online.close();
    await this.registry.close();
  }
}

/** One group's reads and puts on a replica. */
export class ReplicaGroup extends GroupRecordReads {
  constructor(
    name: string,
    records: RecordService,
    private readonly groups: FeatureGroupCache,
  ) {
    super(name, records);
  }

  override getRecord(recordId: RecordId, options?: GetRecordOptions & { expirationTimeResponse?: 'Disabled' }): Promise<FeatureRecord | undefined>;
  override getRecord(recordId: RecordId, options: GetRecordOptions & { expirationTimeResponse: 'Enabled' }): Promise<GetRecordResult | undefined>;
  override getRecord(recordId: RecordId, options: GetRecordOptions = {}): Promise<FeatureRecord | GetRecordResult | undefined> {
    return this.againIfRefused(() => super.getRecord(recordId, options as GetRecordOptions & { expirationTimeResponse: 'Enabled' }));
  }

  override batchGetRecord(recordIds: RecordId[], options: { featureNames?: string[] } = {}): Promise<FeatureRecord[]> {
    return this.againIfRefused(() => super.batchGetRecord(recordIds, options));
  }

  async putRecord(record: Record<string, unknown>, options: PutRecordOptions = {}): Promise<void> {
    // Only the validation is tried again: a submitted entry is never sent twice.
    const entry = await this.againIfRefused(() => this.records.preparePut(this.name, record, options));
    await this.records.submit([entry], options.wait === 'offline');
  }

  /** Runs `call`; refused (bad input by the cached definition), once more against the registry's. */
  private async againIfRefused<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.groups.invalidate(this.name);
      return call();
    }
  }
}

function ownerPipeline(owner: OwnerWrites): WritePipeline {
  return {
    submit: (entries) => owner.submit(entries),
    flush: (group) => (group === undefined ? Promise.reject(new Error('a replica flushes one group at a time')) : owner.flush(group)),
    close: () => Promise.resolve(),
    // The owner's write path is the one to watch (its /metrics).
    status: () => ({ logPosition: 0n, checkpointPosition: 0n, pendingLogEntries: 0, bufferedOfflineRows: 0 }),
  };
}
