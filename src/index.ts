/** Floe's public surface. */
export * from './domain/index.js';
export * from './sdk/index.js';
export type { FeatureMetadata, SearchRequest, SearchResponse, SearchExpression, SearchFilter } from './control/index.js';
export type {
  PutRecordOptions,
  GetRecordOptions,
  GetRecordResult,
  DeleteRecordOptions,
  UpdateRecordOptions,
  ListRecordsOptions,
  BatchGetIdentifier,
  BatchGetResult,
} from './records/record-service.js';
export type { TargetStore } from './records/write-entry.js';
export type { ListFeatureGroupsQuery, ListFeatureGroupsPage } from './registry/registry.js';
export type { IngestOptions, IngestResult, IngestProgress, FailedRow } from './ingest/bulk-ingest.js';
export type { IngestSource } from './ingest/ingest-sources.js';
export type { QueryOptions, SnapshotInfo } from './sdk/offline-queries.js';
export type { QueryResult } from './query/index.js';
export { defineFeatureGroups, type FeatureDefinitionsDocument, type FeatureGroupSpec, type FeatureSpec } from './definitions/index.js';
export type {
  OptimizeInput,
  OptimizeResult,
  VacuumInput,
  VacuumResult,
  RetentionInput,
  RowRemovalResult,
  PurgeResult,
  RunJobInput,
  ListJobsInput,
  JobInfo,
  JobKind,
  JobTrigger,
  SchedulerOptions,
  OptimizeHooks,
  OptimizeProgress,
} from './maintenance/index.js';
export {
  OptimizeInputSchema,
  VacuumInputSchema,
  RetentionInputSchema,
  PurgeInputSchema,
  TablePropertiesSchema,
  RunJobInputSchema,
  ListJobsInputSchema,
} from './maintenance/index.js';
