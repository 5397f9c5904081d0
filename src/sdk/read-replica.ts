import { resolve } from 'node:path';
import { FeatureGroupCache } from '../control/index.js';
import { openOnlineStore, type OnlineStore } from '../online/index.js';
import { RecordService } from '../records/record-service.js';
import type { WritePipeline } from '../records/write-entry.js';
import { openRegistry } from '../registry/index.js';
import type { Registry } from '../registry/registry.js';
import type { AccessKeyStore } from './feature-store.js';
import type { RecordReadApi } from './feature-store-api.js';
import { GroupRecordReads } from './group-record-reads.js';
import { onlineStoreOptions, registryOptions, type OpenOptions } from './open-options.js';

/** Reached only by a bug: a replica's interface has no writes. */
const NO_WRITES: WritePipeline = {
  submit: () => Promise.reject(new Error('a read replica does not write: writes go to the process that owns the store')),
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
  status: () => ({ logPosition: 0n, checkpointPosition: 0n, pendingLogEntries: 0, bufferedOfflineRows: 0 }),
};

/**
 * The online reads of a store that another process owns and writes (`floe serve --workers`):
 * its registry and online store opened beside the owner, the embedded online store read-only.
 * It takes no data directory lock, keeps no write-ahead log and answers reads with the same
 * rules as the owner (GroupRecordReads, RecordService).
 *
 * What it sees: a record the owner acknowledged is visible to the next read here (an LMDB commit
 * is visible to every process at once). Group definitions are cached for a second, as in the
 * owner for changes made elsewhere; a group it did not find is asked for again at every read.
 */
export class ReadReplica implements RecordReadApi {
  private constructor(
    private readonly registry: Registry,
    private readonly online: OnlineStore,
    private readonly records: RecordService,
  ) {}

  static async open(options: OpenOptions = {}): Promise<ReadReplica> {
    const dataDir = resolve(options.dataDir ?? '.floe');
    const registry = await openRegistry(registryOptions({ ...options, dataDir }));
    try {
      const where = onlineStoreOptions({ ...options, dataDir });
      const online = await openOnlineStore(where.kind === 'lmdb' ? { ...where, readOnly: true } : where);
      return new ReadReplica(registry, online, new RecordService(new FeatureGroupCache(registry, 1000, false), online, NO_WRITES));
    } catch (error) {
      await registry.close();
      throw error;
    }
  }

  featureGroup(featureGroupName: string): GroupRecordReads {
    return new GroupRecordReads(featureGroupName, this.records);
  }

  batchGetRecord(...args: Parameters<RecordReadApi['batchGetRecord']>): ReturnType<RecordReadApi['batchGetRecord']> {
    return this.records.batchGetRecord(...args);
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
