import type { Table as ArrowTable } from 'apache-arrow';
import type { FeatureMetadata, SearchRequest, SearchResponse } from '../control/index.js';
import type { DatasetBase, DatasetBuilder } from '../dataset/index.js';
import type { CreateFeatureGroupInput, FeatureGroup, FeatureRecord, TtlDuration, UpdateFeatureGroupInput, UpdateFeatureMetadataInput } from '../domain/index.js';
import type { IngestOptions, IngestResult } from '../ingest/bulk-ingest.js';
import type { IngestSource } from '../ingest/ingest-sources.js';
import type { QueryResult } from '../query/index.js';
import type {
  JobInfo,
  ListJobsInput,
  OptimizeInput,
  OptimizeResult,
  PurgeResult,
  RetentionInput,
  RowRemovalResult,
  RunJobInput,
  VacuumInput,
  VacuumResult,
} from '../maintenance/index.js';
import type {
  BatchGetIdentifier,
  BatchGetResult,
  BatchWriteEntry,
  BatchWriteResult,
  DeleteRecordOptions,
  GetRecordOptions,
  GetRecordResult,
  ListRecordsOptions,
  PutRecordOptions,
  UpdateRecordOptions,
} from '../records/record-service.js';
import type { ListFeatureGroupsPage, ListFeatureGroupsQuery } from '../registry/registry.js';
import type { QueryOptions, SnapshotInfo } from './offline-queries.js';

export type RecordId = string | number | bigint;

/**
 * What a feature store offers, whether it runs in-process (`FeatureStore.open`) or on a server
 * (`FeatureStore.connect`). One behaviour suite runs against both, so they cannot drift.
 */
export interface FeatureStoreApi {
  createFeatureGroup(input: CreateFeatureGroupInput): Promise<FeatureGroup>;
  describeFeatureGroup(featureGroupName: string): Promise<FeatureGroup>;
  listFeatureGroups(query?: ListFeatureGroupsQuery): Promise<ListFeatureGroupsPage>;
  updateFeatureGroup(input: UpdateFeatureGroupInput): Promise<FeatureGroup>;
  /** Deletes the group, its online records and its offline table. */
  deleteFeatureGroup(featureGroupName: string): Promise<void>;
  describeFeatureMetadata(featureGroupName: string, featureName: string): Promise<FeatureMetadata>;
  updateFeatureMetadata(input: UpdateFeatureMetadataInput): Promise<FeatureMetadata>;
  search(request: SearchRequest): Promise<SearchResponse>;
  /** A handle on one group's records. */
  featureGroup(featureGroupName: string): FeatureGroupApi;
  /** BatchGetRecord across groups: found records, per-identifier errors, nothing unprocessed. */
  batchGetRecord(identifiers: BatchGetIdentifier[], options?: { expirationTimeResponse?: 'Enabled' | 'Disabled' }): Promise<BatchGetResult>;
  /** BatchWriteRecord: up to 25 puts across groups; invalid entries come back with their reasons. */
  batchWriteRecord(entries: BatchWriteEntry[], options?: { ttlDuration?: TtlDuration }): Promise<BatchWriteResult>;
  /** Read-only SQL over the offline store; int64 exact (number when safe, bigint beyond). */
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  queryArrow(sql: string, options?: QueryOptions): Promise<ArrowTable>;
  /** A point-in-time correct dataset (SageMaker's DatasetBuilder). */
  createDataset(base: DatasetBase, options: { recordIdentifierFeatureName: string; eventTimeFeatureName: string }): DatasetBuilder;
  /** Maintenance runs, newest first. */
  listJobs(input?: ListJobsInput): Promise<JobInfo[]>;
  /** Runs optimize, vacuum or retention now and returns its record (a failed run has status 'failed'). */
  runJob(input: RunJobInput): Promise<JobInfo>;
  close(): Promise<void>;
}

/**
 * The online reads of a store: what a replica serves itself (see StoreReplica). FeatureStore
 * and RemoteFeatureStore have them too.
 */
export interface RecordReadApi {
  featureGroup(featureGroupName: string): Pick<FeatureGroupApi, 'name' | 'getRecord' | 'batchGetRecord'>;
  batchGetRecord(identifiers: BatchGetIdentifier[], options?: { expirationTimeResponse?: 'Enabled' | 'Disabled' }): Promise<BatchGetResult>;
}

/**
 * The puts of a store: what a replica takes itself (validating them, and handing them to the
 * owner's write path). FeatureStore and RemoteFeatureStore have them too.
 */
export interface RecordPutApi {
  featureGroup(featureGroupName: string): Pick<FeatureGroupApi, 'name' | 'putRecord'>;
  batchWriteRecord(entries: BatchWriteEntry[], options?: { ttlDuration?: TtlDuration }): Promise<BatchWriteResult>;
}

/** One feature group's records: `store.featureGroup('users').putRecord({...})`. */
export interface FeatureGroupApi {
  readonly name: string;
  describe(): Promise<FeatureGroup>;
  /** Resolves once the record is durable and applied online; `wait: 'offline'` also waits for the offline commit. */
  putRecord(record: Record<string, unknown>, options?: PutRecordOptions): Promise<void>;
  /** The latest live record, or undefined. With `expirationTimeResponse: 'Enabled'`, also its expiry. */
  getRecord(recordId: RecordId, options?: GetRecordOptions & { expirationTimeResponse?: 'Disabled' }): Promise<FeatureRecord | undefined>;
  getRecord(recordId: RecordId, options: GetRecordOptions & { expirationTimeResponse: 'Enabled' }): Promise<GetRecordResult | undefined>;
  /** Records of several identifiers of this group, in the order found. */
  batchGetRecord(recordIds: RecordId[], options?: { featureNames?: string[] }): Promise<FeatureRecord[]>;
  deleteRecord(recordId: RecordId, eventTime: string | number, options?: DeleteRecordOptions): Promise<void>;
  updateRecord(recordId: RecordId, features: Record<string, unknown>, options?: UpdateRecordOptions): Promise<void>;
  listRecords(options?: ListRecordsOptions): Promise<{ recordIdentifiers: string[]; nextToken?: string }>;
  /** Bulk ingest from records, an Arrow table, or a Parquet / CSV / JSON Lines file. */
  ingest(source: IngestSource, options?: IngestOptions): Promise<IngestResult>;
  /** Deletes many records at once; each gets its offline delete marker. */
  deleteRecords(records: Array<{ recordId: RecordId; eventTime: string | number }>, options?: DeleteRecordOptions): Promise<{ deleted: number; stale: string[] }>;
  /** The offline table's snapshots, oldest first. */
  snapshots(): Promise<SnapshotInfo[]>;
  /** Bin-pack compaction of the offline table, as one `replace` snapshot. */
  optimize(input?: OptimizeInput): Promise<OptimizeResult>;
  /** Expires old snapshots, deletes the files only they referenced, removes old orphan files. */
  vacuum(input?: VacuumInput): Promise<VacuumResult>;
  /** Removes offline rows older than the retention period (by event time). */
  applyRetention(input?: RetentionInput): Promise<RowRemovalResult & { cutoff: string }>;
  /** Privacy delete of every row of these identifiers, offline and online. */
  purgeRecords(recordIds: RecordId[]): Promise<PurgeResult>;
  /** Sets table properties; returns every property after. */
  setTableProperties(properties: Record<string, string>): Promise<Record<string, string>>;
  tableProperties(): Promise<Record<string, string>>;
  /** Resolves when everything acknowledged before the call is committed to the offline store. */
  flush(): Promise<void>;
}
