import type { z } from 'zod';
import * as s from './schemas.js';

/** Media types beyond JSON. */
export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
export const JSON_LINES = 'application/x-ndjson';
export const PARQUET = 'application/vnd.apache.parquet';
export const CSV = 'text/csv';

/** What a caller's role must allow: reader and up, writer and up, admin; `authenticated`: any valid key. */
export type RoutePermission = 'read' | 'write' | 'admin' | 'authenticated';

export interface NativeRoute {
  /** Names the operation in metrics, logs, authorization messages and the OpenAPI operationId. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI style: `/v1/feature-groups/{featureGroupName}`. */
  path: string;
  permission: RoutePermission;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  /** A JSON body. */
  body?: z.ZodType;
  /** A streamed body in one of these media types instead of JSON. */
  streamedBody?: string[];
  response: z.ZodType;
  /** Other media types the response takes when the Accept header asks. */
  alternativeResponses?: string[];
}

const route = <T extends NativeRoute>(r: T): T => r;
const GROUP = '/v1/feature-groups/{featureGroupName}';

/** Every route of the native API; the server registers these, the OpenAPI document lists them. */
export const NATIVE_ROUTES = {
  createToken: route({
    operation: 'CreateToken',
    method: 'POST',
    path: '/v1/tokens',
    permission: 'authenticated',
    summary: 'Mints a bearer token for the calling access key (sign this request with SigV4, or send a token to get a fresh one)',
    body: s.createTokenRequest,
    response: s.tokenResponse,
  }),
  whoami: route({
    operation: 'WhoAmI',
    method: 'GET',
    path: '/v1/whoami',
    permission: 'authenticated',
    summary: 'The calling access key: its id, its role, and the feature groups it is limited to (the web UI checks a sign-in with it)',
    response: s.whoamiResponse,
  }),
  createFeatureGroup: route({
    operation: 'CreateFeatureGroup',
    method: 'POST',
    path: '/v1/feature-groups',
    permission: 'admin',
    summary: 'Creates a feature group',
    body: s.createFeatureGroupRequest,
    response: s.featureGroupResponse,
  }),
  listFeatureGroups: route({
    operation: 'ListFeatureGroups',
    method: 'GET',
    path: '/v1/feature-groups',
    permission: 'read',
    summary: 'Lists feature groups (those the caller may see)',
    query: s.listFeatureGroupsQuery,
    response: s.listFeatureGroupsResponse,
  }),
  describeFeatureGroup: route({
    operation: 'DescribeFeatureGroup',
    method: 'GET',
    path: GROUP,
    permission: 'read',
    summary: 'Describes a feature group (by name or ARN)',
    params: s.groupParams,
    response: s.featureGroupResponse,
  }),
  updateFeatureGroup: route({
    operation: 'UpdateFeatureGroup',
    method: 'PATCH',
    path: GROUP,
    permission: 'admin',
    summary: 'Adds features, changes the online TTL or the description',
    params: s.groupParams,
    body: s.updateFeatureGroupRequest,
    response: s.featureGroupResponse,
  }),
  deleteFeatureGroup: route({
    operation: 'DeleteFeatureGroup',
    method: 'DELETE',
    path: GROUP,
    permission: 'admin',
    summary: 'Deletes a feature group, its online records and its offline table',
    params: s.groupParams,
    response: s.empty,
  }),
  describeFeatureMetadata: route({
    operation: 'DescribeFeatureMetadata',
    method: 'GET',
    path: `${GROUP}/features/{featureName}`,
    permission: 'read',
    summary: "Describes one feature's metadata",
    params: s.featureParams,
    response: s.featureMetadataResponse,
  }),
  updateFeatureMetadata: route({
    operation: 'UpdateFeatureMetadata',
    method: 'PATCH',
    path: `${GROUP}/features/{featureName}`,
    permission: 'admin',
    summary: "Changes one feature's description and parameters",
    params: s.featureParams,
    body: s.updateFeatureMetadataRequest,
    response: s.featureMetadataResponse,
  }),
  search: route({
    operation: 'Search',
    method: 'POST',
    path: '/v1/search',
    permission: 'read',
    summary: 'Searches feature groups or feature metadata (SageMaker Search)',
    body: s.searchRequest,
    response: s.searchResponse,
  }),
  putRecord: route({
    operation: 'PutRecord',
    method: 'POST',
    path: `${GROUP}/records`,
    permission: 'write',
    summary: 'Writes a record; durable when answered',
    params: s.groupParams,
    body: s.putRecordRequest,
    response: s.empty,
  }),
  listRecords: route({
    operation: 'ListRecords',
    method: 'GET',
    path: `${GROUP}/records`,
    permission: 'read',
    summary: 'Pages through record identifiers',
    params: s.groupParams,
    query: s.listRecordsQuery,
    response: s.listRecordsResponse,
  }),
  getRecord: route({
    operation: 'GetRecord',
    method: 'GET',
    path: `${GROUP}/records/{recordId}`,
    permission: 'read',
    summary: 'The latest live record of an identifier (record: null when there is none)',
    params: s.recordParams,
    query: s.getRecordQuery,
    response: s.getRecordResponse,
  }),
  updateRecord: route({
    operation: 'UpdateRecord',
    method: 'PATCH',
    path: `${GROUP}/records/{recordId}`,
    permission: 'write',
    summary: 'Updates part of a live record',
    params: s.recordParams,
    body: s.updateRecordRequest,
    response: s.empty,
  }),
  deleteRecord: route({
    operation: 'DeleteRecord',
    method: 'DELETE',
    path: `${GROUP}/records/{recordId}`,
    permission: 'write',
    summary: 'Deletes a record (soft by default) at an event time',
    params: s.recordParams,
    query: s.deleteRecordQuery,
    response: s.empty,
  }),
  groupBatchGetRecord: route({
    operation: 'GroupBatchGetRecord',
    method: 'POST',
    path: `${GROUP}/records/batch-get`,
    permission: 'read',
    summary: 'Records of several identifiers of one group',
    params: s.groupParams,
    body: s.groupBatchGetRequest,
    response: s.recordsResponse,
  }),
  deleteRecords: route({
    operation: 'DeleteRecords',
    method: 'POST',
    path: `${GROUP}/records/delete`,
    permission: 'write',
    summary: 'Deletes many records at once, validating all first',
    params: s.groupParams,
    body: s.deleteRecordsRequest,
    response: s.deleteRecordsResponse,
  }),
  flush: route({
    operation: 'Flush',
    method: 'POST',
    path: `${GROUP}/flush`,
    permission: 'write',
    summary: 'Answers once everything acknowledged before is committed to the offline store',
    params: s.groupParams,
    response: s.empty,
  }),
  ingest: route({
    operation: 'Ingest',
    method: 'POST',
    path: `${GROUP}/ingest`,
    permission: 'write',
    summary:
      'Bulk ingest of an Arrow IPC stream, JSON Lines, Parquet or CSV body (streamed, size-limited); bad rows come back in failedRows. With Accept: application/x-ndjson, progress lines precede the result line',
    params: s.groupParams,
    query: s.ingestQuery,
    streamedBody: [ARROW_STREAM, JSON_LINES, PARQUET, CSV],
    response: s.ingestResponse,
    alternativeResponses: [JSON_LINES],
  }),
  snapshots: route({
    operation: 'ListSnapshots',
    method: 'GET',
    path: `${GROUP}/snapshots`,
    permission: 'read',
    summary: "The offline table's snapshots, oldest first",
    params: s.groupParams,
    response: s.snapshotsResponse,
  }),
  batchGetRecord: route({
    operation: 'BatchGetRecord',
    method: 'POST',
    path: '/v1/records/batch-get',
    permission: 'read',
    summary: 'Records across groups (at most 100 x 100)',
    body: s.batchGetRequest,
    response: s.batchGetResponse,
  }),
  batchWriteRecord: route({
    operation: 'BatchWriteRecord',
    method: 'POST',
    path: '/v1/records/batch-write',
    permission: 'write',
    summary: 'Up to 25 puts across groups; bad entries come back with their reasons',
    body: s.batchWriteRequest,
    response: s.batchWriteResponse,
  }),
  query: route({
    operation: 'Query',
    method: 'POST',
    path: '/v1/query',
    permission: 'read',
    summary: 'Read-only SQL over the offline store; JSON rows, or Arrow IPC with Accept: application/vnd.apache.arrow.stream',
    body: s.queryRequest,
    response: s.queryResponse,
    alternativeResponses: [ARROW_STREAM],
  }),
  dataset: route({
    operation: 'CreateDataset',
    method: 'POST',
    path: '/v1/datasets',
    permission: 'read',
    summary: 'A point-in-time correct dataset from a DatasetBuilder plan: JSON rows, Arrow IPC, Parquet, CSV or the SQL',
    body: s.datasetRequest,
    response: s.datasetResponse,
    alternativeResponses: [ARROW_STREAM, PARQUET, CSV],
  }),
  optimize: route({
    operation: 'Optimize',
    method: 'POST',
    path: `${GROUP}/optimize`,
    permission: 'admin',
    summary: 'Bin-pack compaction of the offline table (OPTIMIZE ... REWRITE DATA USING BIN_PACK)',
    params: s.groupParams,
    body: s.optimizeRequest,
    response: s.maintenanceResponse,
  }),
  vacuum: route({
    operation: 'Vacuum',
    method: 'POST',
    path: `${GROUP}/vacuum`,
    permission: 'admin',
    summary: 'Expires old snapshots and removes the files only they referenced, and old orphan files',
    params: s.groupParams,
    body: s.vacuumRequest,
    response: s.maintenanceResponse,
  }),
  applyRetention: route({
    operation: 'ApplyRetention',
    method: 'POST',
    path: `${GROUP}/retention`,
    permission: 'admin',
    summary: 'Removes offline rows older than the retention period, as one overwrite snapshot',
    params: s.groupParams,
    body: s.retentionRequest,
    response: s.maintenanceResponse,
  }),
  purgeRecords: route({
    operation: 'PurgeRecords',
    method: 'POST',
    path: `${GROUP}/purge`,
    permission: 'admin',
    summary: 'Privacy delete: every row of these identifiers, offline and online',
    params: s.groupParams,
    body: s.purgeRequest,
    response: s.maintenanceResponse,
  }),
  tableProperties: route({
    operation: 'GetTableProperties',
    method: 'GET',
    path: `${GROUP}/table-properties`,
    permission: 'read',
    summary: "The offline table's properties",
    params: s.groupParams,
    response: s.tablePropertiesResponse,
  }),
  setTableProperties: route({
    operation: 'SetTableProperties',
    method: 'PATCH',
    path: `${GROUP}/table-properties`,
    permission: 'admin',
    summary: "Sets table properties (Athena's names accepted); answers every property after",
    params: s.groupParams,
    body: s.tablePropertiesRequest,
    response: s.tablePropertiesResponse,
  }),
  listJobs: route({
    operation: 'ListJobs',
    method: 'GET',
    path: '/v1/jobs',
    permission: 'read',
    summary: 'Maintenance runs, newest first',
    query: s.listJobsQuery,
    response: s.jobsResponse,
  }),
  runJob: route({
    operation: 'RunJob',
    method: 'POST',
    path: '/v1/jobs',
    permission: 'admin',
    summary: 'Runs optimize, vacuum or retention now and answers its record (a failed run has status failed)',
    body: s.runJobRequest,
    response: s.jobResponse,
  }),
} satisfies Record<string, NativeRoute>;

export type NativeRouteName = keyof typeof NATIVE_ROUTES;

/** `/v1/feature-groups/{featureGroupName}` with the values put in, each encoded. */
export function routePath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name]!));
}
