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
