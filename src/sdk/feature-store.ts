import { join, resolve } from 'node:path';
import {
  assertReady,
  FeatureGroupService,
  search,
  type FeatureGroupLifecycle,
  type FeatureMetadata,
  type SearchRequest,
  type SearchResponse,
} from '../control/index.js';
import type {
  CreateFeatureGroupInput,
  FeatureGroup,
  TtlDuration,
  UpdateFeatureGroupInput,
  UpdateFeatureMetadataInput,
} from '../domain/index.js';
import type { OnlineStore } from '../online/online-store.js';
import { openOnlineStore } from '../online/index.js';
import { openRegistry } from '../registry/index.js';
import type { ListFeatureGroupsPage, ListFeatureGroupsQuery, Registry } from '../registry/registry.js';
import {
  RecordService,
  type BatchGetIdentifier,
  type BatchGetResult,
  type BatchWriteEntry,
  type BatchWriteResult,
} from '../records/record-service.js';
import type { WriteEntry, WritePipeline, WriteStatus } from '../records/write-entry.js';
import type { Table as ArrowTable } from 'apache-arrow';
import type { ObjectCacheStats, OfflineStore } from '../offline/index.js';
import type { QueryResult } from '../query/index.js';
import { bulkIngest } from '../ingest/bulk-ingest.js';
import { BulkIngestJournal } from '../ingest/index.js';
import { ValidationError } from '../domain/index.js';
import { recoverBulkIngests } from './bulk-ingest-recovery.js';
import { newDatasetBuilder, type DatasetBase, type DatasetBuilder } from '../dataset/index.js';
import {
  MaintenanceScheduler,
  MaintenanceService,
  parseMaintenanceStatement,
  type JobInfo,
  type ListJobsInput,
  type RunJobInput,
  type SchedulerOptions,
} from '../maintenance/index.js';
import { DataDirLock } from './data-dir-lock.js';
import { runMaintenanceStatement } from './maintenance-statements.js';
import { OfflineQueries, type QueryOptions } from './offline-queries.js';
import { IcebergCatalog } from './iceberg-catalog.js';
import { FeatureGroupHandle } from './feature-group-handle.js';
import { onlineStoreOptions, registryOptions, type OpenOptions } from './open-options.js';
import { openWritePipeline } from './write-pipeline-factory.js';
import type { FeatureStoreApi } from './feature-store-api.js';
import { RemoteFeatureStore, type ConnectOptions } from './remote/index.js';

/** The credential calls of the registry, all a server needs to verify and manage API keys. */
export type AccessKeyStore = Pick<Registry, 'putAccessKey' | 'getAccessKey' | 'listAccessKeys' | 'deleteAccessKey'>;

/**
 * The feature store. `FeatureStore.open()` runs it in-process on an embedded data directory;
 * names mirror SageMaker Feature Store's APIs in camelCase.
 *
 * @example
 * const store = await FeatureStore.open({ dataDir: './.floe' });
 * await store.createFeatureGroup({ featureGroupName: 'users', recordIdentifierFeatureName: 'user_id',
 *   eventTimeFeatureName: 'event_time', featureDefinitions: [...] });
 * await store.featureGroup('users').putRecord({ user_id: 'u1', event_time: new Date().toISOString(), age: 31 });
 */
export class FeatureStore implements FeatureStoreApi {
  private scheduler?: MaintenanceScheduler;
  private catalog?: IcebergCatalog;

  private constructor(
    readonly dataDir: string,
    private readonly lock: DataDirLock,
    private readonly registry: Registry,
    private readonly online: OnlineStore,
    private readonly pipeline: WritePipeline,
    private readonly groups: FeatureGroupService,
    private readonly records: RecordService,
    private readonly offline: OfflineStore,
    private readonly queries: OfflineQueries,
    private readonly maintenance: MaintenanceService,
    private readonly ingests: BulkIngestJournal,
  ) {}

  static async open(options: OpenOptions = {}): Promise<FeatureStore> {
    const dataDir = resolve(options.dataDir ?? '.floe');
    const lock = await DataDirLock.acquire(dataDir);
    const opened: Array<{ close(): Promise<void> }> = [];
    try {
      const registry = await openRegistry(registryOptions({ ...options, dataDir }));
      opened.push(registry);
      const online = await openOnlineStore(onlineStoreOptions({ ...options, dataDir }));
      opened.push(online);
      const { pipeline, lifecycle, offline } = await openWritePipeline({ dataDir, registry, online, options });
      opened.push(pipeline, offline);
      const groups = new FeatureGroupService(registry, withOnlineCleanup(lifecycle, online));
      const records = new RecordService(groups.cache, online, pipeline);
      const queries = new OfflineQueries(registry, offline);
      const maintenance = new MaintenanceService({
        registry,
        offline,
        online,
        describeGroup: (name) => groups.describe(name),
        flush: (name) => pipeline.flush(name),
        ...(options.maintenanceLease ? { lease: options.maintenanceLease } : {}),
      });
      const ingests = new BulkIngestJournal(join(dataDir, 'ingests'));
      await recoverBulkIngests(ingests, (name) => groups.describe(name), queries, online);
      return new FeatureStore(dataDir, lock, registry, online, pipeline, groups, records, offline, queries, maintenance, ingests);
    } catch (error) {
      for (const part of opened.reverse()) await part.close().catch(() => undefined);
      await lock.release();
      throw error;
    }
  }

  /**
   * A store on a Floe server, with the same interface: `await FeatureStore.connect({ endpoint:
   * 'http://127.0.0.1:8080', credentials: { accessKeyId, secretAccessKey } })`. Bearer tokens are
   * derived from the key locally; the secret itself never travels.
   */
  static connect(options: ConnectOptions): Promise<RemoteFeatureStore> {
    return RemoteFeatureStore.connect(options);
  }

  createFeatureGroup(input: CreateFeatureGroupInput): Promise<FeatureGroup> {
    return this.groups.create(input);
  }

  describeFeatureGroup(featureGroupName: string): Promise<FeatureGroup> {
    return this.groups.describe(featureGroupName);
  }

  listFeatureGroups(query?: ListFeatureGroupsQuery): Promise<ListFeatureGroupsPage> {
    return this.groups.list(query);
  }

  updateFeatureGroup(input: UpdateFeatureGroupInput): Promise<FeatureGroup> {
    return this.groups.update(input);
  }

  /** Deletes the group, its online records and its offline table. */
  async deleteFeatureGroup(featureGroupName: string): Promise<void> {
    await this.pipeline.flush(featureGroupName);
    await this.groups.delete(featureGroupName);
  }

  describeFeatureMetadata(featureGroupName: string, featureName: string): Promise<FeatureMetadata> {
    return this.groups.describeFeatureMetadata(featureGroupName, featureName);
  }

  updateFeatureMetadata(input: UpdateFeatureMetadataInput): Promise<FeatureMetadata> {
    return this.groups.updateFeatureMetadata(input);
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    return search(await this.registry.allFeatureGroups(), request);
  }

  /** The groups' offline tables as an Iceberg catalog sees them (served as the Iceberg REST catalog). */
  get icebergCatalog(): IcebergCatalog {
    return (this.catalog ??= new IcebergCatalog(this.offline, (name) => this.groups.describe(name), () => this.registry.allFeatureGroups()));
  }

  /** Where the write path stands (log depth, rows waiting for an offline commit), for monitoring. */
  writeStatus(): WriteStatus {
    return this.pipeline.status();
  }

  /** The local cache of a remote (S3) warehouse's files: hits, misses, downloads, evictions, size; undefined for a local warehouse. */
  offlineCacheStats(): ObjectCacheStats | undefined {
    return this.offline.local.cache?.stats();
  }

  /** API credentials, kept in the registry (the server verifies signatures with them). */
  get accessKeys(): AccessKeyStore {
    return this.registry;
  }

  /**
   * Writes entries a StoreReplica prepared and validated (the worker processes of a server): the
   * groups are checked here to exist and be ready, then the entries take this store's write path
   * like its own puts. Not for applications: use putRecord.
   */
  async submitReplicaWrites(entries: WriteEntry[]): Promise<void> {
    for (const name of new Set(entries.map((e) => e.group))) assertReady(await this.records.group(name));
    await this.records.submit(entries);
  }

  /** A handle on one group's records. */
  featureGroup(featureGroupName: string): FeatureGroupHandle {
    return new FeatureGroupHandle(
      featureGroupName,
      this.records,
      this.queries,
      this.maintenance,
      () => this.groups.describe(featureGroupName),
      async (source, options) => {
        const group = await this.groups.describe(featureGroupName);
        assertReady(group);
        if (!group.onlineStoreConfig.enableOnlineStore || !group.offlineStoreConfig.enableOfflineStore) {
          return bulkIngest(group, source, { online: this.online, offline: this.offline }, options);
        }
        // Noted before the commit, struck off once online: see BulkIngestJournal.
        const pending = await this.ingests.begin(featureGroupName, options?.apiInvocationTimeMicros ?? Date.now() * 1000);
        try {
          const result = await bulkIngest(group, source, { online: this.online, offline: this.offline }, { ...options, apiInvocationTimeMicros: pending.apiInvocationTimeMicros });
          await this.online.flush?.();
          await this.ingests.end(pending);
          return result;
        } catch (error) {
          // Bad input wrote nothing; any other failure may follow the commit, and the next open finishes it.
          if (error instanceof ValidationError) await this.ingests.end(pending);
          throw error;
        }
      },
    );
  }

  /** BatchGetRecord across groups: found records, per-identifier errors, nothing unprocessed. */
  batchGetRecord(identifiers: BatchGetIdentifier[], options?: { expirationTimeResponse?: 'Enabled' | 'Disabled' }): Promise<BatchGetResult> {
    return this.records.batchGetRecord(identifiers, options);
  }

  /** BatchWriteRecord: up to 25 puts across groups; invalid entries come back with their reasons. */
  batchWriteRecord(entries: BatchWriteEntry[], options?: { ttlDuration?: TtlDuration }): Promise<BatchWriteResult> {
    return this.records.batchWriteRecord(entries, options);
  }

  /**
   * Read-only DuckDB SQL over the offline store: every feature group with an offline store is a
   * table named by the group. `asOf` (a time, or a snapshot id) time-travels. Rows come back with
   * int64 exact (number when safe, bigint beyond).
   */
  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    // Athena's maintenance statements run as maintenance; every other statement goes to the read-only engine.
    const statement = parseMaintenanceStatement(sql);
    if (statement) return runMaintenanceStatement(statement, this.maintenance, options);
    return this.queries.query(sql, options);
  }

  /** Like query, as an Apache Arrow table. */
  queryArrow(sql: string, options: QueryOptions = {}): Promise<ArrowTable> {
    return this.queries.queryArrow(sql, options);
  }

  /**
   * A point-in-time correct dataset for training or batch inference (SageMaker's DatasetBuilder):
   * `store.createDataset(rows, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' })
   *   .withFeatureGroup('users').pointInTimeAccurateJoin().toRows()`.
   */
  createDataset(base: DatasetBase, options: { recordIdentifierFeatureName: string; eventTimeFeatureName: string }): DatasetBuilder {
    return newDatasetBuilder(this.queries.datasetRunner((name) => this.groups.describe(name)), base, options);
  }

  /**
   * Maintenance runs, newest first: id, kind, group, trigger, status, start, duration, files and
   * bytes before and after, error, and the operation's result.
   */
  listJobs(input: ListJobsInput = {}): Promise<JobInfo[]> {
    return this.maintenance.listJobs(input);
  }

  /**
   * Runs maintenance now and returns its record: `{ featureGroupName, kind: 'optimize' | 'vacuum' |
   * 'retention', optimize?, vacuum?, retention? }` (the last three: that operation's options).
   * A run that fails comes back with status 'failed' and its error.
   */
  runJob(input: RunJobInput): Promise<JobInfo> {
    return this.maintenance.runJob(input, 'manual');
  }

  /**
   * Starts scheduled maintenance in this process (`floe serve` does): per group, optimize then
   * vacuum on its `maintenance_schedule` (default every 6 hours), and an automatic optimize when
   * small files pile up. Stopped by close().
   */
  async startMaintenanceScheduler(options: SchedulerOptions = {}): Promise<MaintenanceScheduler> {
    if (this.scheduler) return this.scheduler;
    const scheduler = new MaintenanceScheduler(this.maintenance, { registry: this.registry, offline: this.offline }, options);
    await scheduler.start();
    this.scheduler = scheduler;
    return scheduler;
  }

  /** Flushes buffered writes, closes every part and releases the data directory. */
  async close(): Promise<void> {
    await this.scheduler?.stop();
    this.queries.close();
    await this.pipeline.close();
    await this.offline.close();
    await this.online.close();
    await this.registry.close();
    await this.lock.release();
  }
}

function withOnlineCleanup(lifecycle: FeatureGroupLifecycle, online: OnlineStore): FeatureGroupLifecycle {
  return {
    ...lifecycle,
    async onDeleting(group) {
      await online.dropGroup(group.featureGroupName);
      await lifecycle.onDeleting?.(group);
    },
  };
}
