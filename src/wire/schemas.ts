import { z } from 'zod';
import {
  COLLECTION_TYPES,
  createFeatureGroupSchema,
  FEATURE_TYPES,
  featureDefinitionSchema,
  featureGroupNameSchema,
  tagSchema,
  ttlDurationSchema,
} from '../domain/index.js';
import { JOIN_COMPARATORS, JOIN_TYPES } from '../dataset/plan-options.js';
import { JOB_KINDS, OptimizeInputSchema, PurgeInputSchema, RetentionInputSchema, RunJobInputSchema, TablePropertiesSchema, VacuumInputSchema } from '../maintenance/schemas.js';

/**
 * The zod schemas of the native API's requests and responses: the server validates with them,
 * the OpenAPI document is generated from them, and the remote SDK builds requests that match
 * them. Shapes only; the domain checks meanings (a feature's type, an event time) as it does
 * in-process, so both report the same field and reason.
 */

/** An int64: a JSON integer, a bigint beyond 2^53 once parsed (see json.ts). */
export const int64 = z.union([z.int(), z.bigint()]);
const recordId = z.union([z.string(), z.int(), z.bigint()]);
const eventTime = z.union([z.string(), z.number()], { error: 'must be ISO-8601 text or epoch seconds' });
const instant = z.union([z.string(), z.number()], { error: 'must be ISO-8601 text or epoch seconds' });
const record = z.record(z.string(), z.unknown(), { error: 'must be an object of feature names to values' });
const targetStores = z.array(z.string({ error: 'must be a string' }), { error: 'must be a list' }).meta({ description: 'OnlineStore and/or OfflineStore' });
const names = z.array(z.string({ error: 'must be a string' }), { error: 'must be a list' });
const parameter = z.strictObject({ key: z.string(), value: z.string() });
/** Query parameters arrive as text. */
const queryInt = z.coerce.number({ error: 'must be a number' });
const queryBool = z.stringbool({ error: 'must be true or false' });
const commaList = z.string().transform((s) => s.split(',').filter((p) => p !== ''));

export const groupParams = z.object({ featureGroupName: z.string() });
export const featureParams = z.object({ featureGroupName: z.string(), featureName: z.string() });
export const recordParams = z.object({ featureGroupName: z.string(), recordId: z.string() });

export const createTokenRequest = z.strictObject({
  expiresInSeconds: z.int({ error: 'must be a whole number' }).min(60, 'must be at least 60').max(43_200, 'must be at most 43200').optional(),
});

// ---- feature groups
export const createFeatureGroupRequest = createFeatureGroupSchema;
export const updateFeatureGroupRequest = z.strictObject({
  featureAdditions: z.array(featureDefinitionSchema).optional(),
  onlineStoreConfig: z.strictObject({ ttlDuration: ttlDurationSchema.nullable().optional() }).optional(),
  description: z.string().optional(),
  tags: z.array(z.strictObject({ key: z.string(), value: z.string() })).optional(),
});
export const listFeatureGroupsQuery = z.strictObject({
  nameContains: z.string().optional(),
  featureGroupStatusEquals: z.enum(['Creating', 'Created', 'CreateFailed', 'Deleting', 'DeleteFailed']).optional(),
  creationTimeAfter: z.string().optional(),
  creationTimeBefore: z.string().optional(),
  sortBy: z.enum(['Name', 'CreationTime', 'FeatureGroupStatus']).optional(),
  sortOrder: z.enum(['Ascending', 'Descending']).optional(),
  maxResults: queryInt.optional(),
  nextToken: z.string().optional(),
});
export const updateFeatureMetadataRequest = z.strictObject({
  description: z.string().optional(),
  parameterAdditions: z.array(parameter).optional(),
  parameterRemovals: names.optional(),
});
const searchFilter = z.strictObject({ name: z.string(), operator: z.string().optional(), value: z.string().optional() });
export interface SearchExpressionWire {
  filters?: Array<z.infer<typeof searchFilter>>;
  subExpressions?: SearchExpressionWire[];
  operator?: 'And' | 'Or';
}
export const searchExpression: z.ZodType<SearchExpressionWire> = z.strictObject({
  filters: z.array(searchFilter).optional(),
  get subExpressions() {
    return z.array(searchExpression).optional();
  },
  operator: z.enum(['And', 'Or']).optional(),
});
export const searchRequest = z.strictObject({
  resource: z.enum(['FeatureGroup', 'FeatureMetadata'], { error: 'must be FeatureGroup or FeatureMetadata' }),
  searchExpression: searchExpression.optional(),
  sortBy: z.string().optional(),
  sortOrder: z.enum(['Ascending', 'Descending']).optional(),
  maxResults: z.number().optional(),
  nextToken: z.string().optional(),
});

// ---- records
export const putRecordRequest = z.strictObject({
  record,
  targetStores: targetStores.optional(),
  ttlDuration: ttlDurationSchema.optional(),
  wait: z.enum(['offline']).optional().meta({ description: "'offline': answer once the record is committed to the offline store" }),
});
export const getRecordQuery = z.strictObject({
  featureNames: commaList.optional().meta({ description: 'comma-separated feature names' }),
  expirationTimeResponse: z.enum(['Enabled', 'Disabled']).optional(),
});
export const deleteRecordQuery = z.strictObject({
  eventTime: z.string({ error: 'is required' }),
  deletionMode: z.enum(['SoftDelete', 'HardDelete'], { error: 'must be SoftDelete or HardDelete' }).optional(),
  targetStores: commaList.optional(),
});
export const updateRecordRequest = z.strictObject({ features: record, targetStores: targetStores.optional(), ttlDuration: ttlDurationSchema.optional() });
export const listRecordsQuery = z.strictObject({
  maxResults: queryInt.optional(),
  nextToken: z.string().optional(),
  includeSoftDeletedRecords: queryBool.optional(),
});
export const groupBatchGetRequest = z.strictObject({ recordIds: z.array(recordId, { error: 'must be a list' }), featureNames: names.optional() });
export const deleteRecordsRequest = z.strictObject({
  records: z.array(z.strictObject({ recordId, eventTime }), { error: 'must be a list' }),
  deletionMode: z.enum(['SoftDelete', 'HardDelete']).optional(),
  targetStores: targetStores.optional(),
});
export const batchGetRequest = z.strictObject({
  identifiers: z.array(z.strictObject({ featureGroupName: z.string(), recordIdentifiers: z.array(recordId), featureNames: names.optional() }), {
    error: 'must be a list',
  }),
  expirationTimeResponse: z.enum(['Enabled', 'Disabled']).optional(),
});
export const batchWriteRequest = z.strictObject({
  entries: z.array(
    z.strictObject({ featureGroupName: z.string(), record, targetStores: targetStores.optional(), ttlDuration: ttlDurationSchema.optional() }),
    { error: 'must be a list' },
  ),
  ttlDuration: ttlDurationSchema.optional(),
});
export const ingestQuery = z.strictObject({
  failOnError: queryBool.optional(),
  targetStores: commaList.optional(),
  chunkRows: queryInt.optional(),
});

// ---- offline reads
export const queryRequest = z.strictObject({
  sql: z.string({ error: 'is required and must be a string' }),
  asOf: instant.optional().meta({ description: 'time travel: ISO-8601 or epoch seconds' }),
  asOfSnapshotId: int64.optional().meta({ description: 'time travel to a snapshot id' }),
  maxRows: z.int().optional(),
});
export const datasetGroup = z.strictObject({
  featureGroupName: featureGroupNameSchema,
  targetFeatureNameInBase: z.string().optional(),
  includedFeatureNames: names.optional(),
  featureNameInTarget: z.string().optional(),
  joinComparator: z.enum(JOIN_COMPARATORS).optional(),
  joinType: z.enum(JOIN_TYPES).optional(),
  maxAge: z.union([z.number(), z.string()]).optional().meta({ description: "seconds, or like '7d', '12h', '30m', '45s'" }),
  prefix: z.string().optional(),
});
export const datasetBase = z.union([
  z.strictObject({ rows: z.array(record) }),
  z.strictObject({ arrow: z.base64().meta({ description: 'an Arrow IPC stream, base64' }) }),
  z.strictObject({ file: z.base64().meta({ description: 'a Parquet, CSV or JSON Lines file, base64' }), format: z.enum(['parquet', 'csv', 'jsonl']) }),
  z.strictObject({ sql: z.string() }),
  z.strictObject({ featureGroupName: z.string() }),
]);
export const datasetRequest = z.strictObject({
  base: datasetBase,
  recordIdentifierFeatureName: z.string(),
  eventTimeFeatureName: z.string(),
  featureGroups: z.array(datasetGroup),
  pointInTimeAccurateJoin: z.boolean().optional(),
  includeDuplicatedRecords: z.boolean().optional(),
  includeDeletedRecords: z.boolean().optional(),
  asOf: instant.optional(),
  eventTimeRange: z.strictObject({ start: instant, end: instant }).optional(),
  numberOfRecentRecordsByRecordIdentifier: z.int().optional(),
  numberOfRecordsFromQueryResults: z.int().optional(),
  output: z
    .enum(['rows', 'arrow', 'sql', 'parquet', 'csv'])
    .optional()
    .meta({ description: 'default: rows as JSON, or Arrow when the Accept header asks for it' }),
});

// ---- maintenance (the maintenance module's own schemas)
export const optimizeRequest = OptimizeInputSchema;
export const vacuumRequest = VacuumInputSchema;
export const retentionRequest = RetentionInputSchema;
export const purgeRequest = PurgeInputSchema;
export const tablePropertiesRequest = TablePropertiesSchema;
export const runJobRequest = RunJobInputSchema;
export const listJobsQuery = z.strictObject({
  featureGroupName: z.string().min(1).optional(),
  kind: z.enum(JOB_KINDS).optional(),
  status: z.enum(['running', 'succeeded', 'failed']).optional(),
  limit: queryInt.optional(),
});

// ---- responses (documentation; the SDK revives dates and ids)
const timestamp = z.string().meta({ format: 'date-time' });
const feature = z.object({
  featureName: z.string(),
  featureType: z.enum(FEATURE_TYPES),
  collectionType: z.enum(COLLECTION_TYPES).optional(),
  collectionConfig: z.object({ vectorConfig: z.object({ dimension: z.int() }) }).optional(),
  description: z.string().optional(),
  parameters: z.array(parameter),
  creationTime: timestamp,
  lastModifiedTime: timestamp,
});
export const featureGroupResponse = z.object({
  featureGroupName: z.string(),
  featureGroupArn: z.string(),
  recordIdentifierFeatureName: z.string(),
  eventTimeFeatureName: z.string(),
  features: z.array(feature),
  onlineStoreConfig: z.looseObject({ enableOnlineStore: z.boolean(), ttlDuration: ttlDurationSchema.optional() }),
  offlineStoreConfig: z.looseObject({ enableOfflineStore: z.boolean(), tableFormat: z.string() }),
  featureGroupStatus: z.string(),
  description: z.string().optional(),
  tags: z.array(tagSchema),
  creationTime: timestamp,
  lastModifiedTime: timestamp,
});
export const featureMetadataResponse = feature.extend({ featureGroupName: z.string(), featureGroupArn: z.string() });
export const listFeatureGroupsResponse = z.object({ featureGroups: z.array(featureGroupResponse), nextToken: z.string().optional() });
export const searchResponse = z.object({
  results: z.array(z.union([z.object({ featureGroup: featureGroupResponse }), z.object({ featureMetadata: featureMetadataResponse })])),
  nextToken: z.string().optional(),
});
export const getRecordResponse = z.object({ record: record.nullable(), expiresAt: timestamp.optional() });
export const recordsResponse = z.object({ records: z.array(record) });
export const listRecordsResponse = z.object({ recordIdentifiers: z.array(z.string()), nextToken: z.string().optional() });
export const deleteRecordsResponse = z.object({ deleted: z.int(), stale: z.array(z.string()) });
export const batchGetResponse = z.object({
  records: z.array(z.object({ featureGroupName: z.string(), recordIdentifier: z.string(), record, expiresAt: timestamp.optional() })),
  errors: z.array(z.object({ featureGroupName: z.string(), recordIdentifier: z.string(), errorCode: z.string(), errorMessage: z.string() })),
  unprocessedIdentifiers: z.array(z.unknown()),
});
export const batchWriteResponse = z.object({
  errors: z.array(z.object({ entry: z.unknown(), errorCode: z.string(), errorMessage: z.string() })),
  unprocessedEntries: z.array(z.unknown()),
});
export const ingestResponse = z.object({
  rowsRead: z.int(),
  rowsWritten: z.int(),
  rowsFailed: z.int(),
  failedRows: z.array(z.object({ row: z.int(), field: z.string().optional(), reason: z.string() })),
  snapshotId: int64.optional(),
});
export const snapshotsResponse = z.object({
  snapshots: z.array(
    z.object({ snapshotId: int64, parentSnapshotId: int64.optional(), timestamp, operation: z.string(), summary: z.record(z.string(), z.string()) }),
  ),
});
export const queryResponse = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  rows: z.array(record),
  truncated: z.boolean().optional(),
});
export const datasetResponse = z.object({ rows: z.array(record).optional(), sql: z.string().optional() });
export const tokenResponse = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresAt: timestamp,
  accessKeyId: z.string(),
  role: z.enum(['admin', 'writer', 'reader']),
  featureGroups: z.array(z.string()).optional(),
});
export const whoamiResponse = z.object({
  accessKeyId: z.string(),
  role: z.enum(['admin', 'writer', 'reader']),
  featureGroups: z.array(z.string()).optional(),
});
const counts = z.record(z.string(), z.union([z.number(), z.string()]));
export const maintenanceResponse = counts.meta({ description: 'the operation\'s counts, and its snapshotId (decimal text) when it committed one' });
export const tablePropertiesResponse = z.object({ properties: z.record(z.string(), z.string()) });
const job = z.looseObject({
  id: z.string(),
  kind: z.string(),
  featureGroupName: z.string().optional(),
  trigger: z.string().optional(),
  status: z.enum(['running', 'succeeded', 'failed']),
  startedAt: timestamp,
  finishedAt: timestamp.optional(),
  durationMs: z.number().optional(),
  result: z.record(z.string(), z.unknown()),
  error: z.string().optional(),
});
export const jobResponse = job;
export const jobsResponse = z.object({ jobs: z.array(job) });
export const empty = z.object({});
export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
