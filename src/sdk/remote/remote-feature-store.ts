import { tableFromIPC, type Table as ArrowTable } from 'apache-arrow';
import type { FeatureMetadata, SearchRequest, SearchResponse } from '../../control/index.js';
import { DatasetBuilder, type DatasetBase } from '../../dataset/index.js';
import type { CreateFeatureGroupInput, FeatureGroup, TtlDuration, UpdateFeatureGroupInput, UpdateFeatureMetadataInput } from '../../domain/index.js';
import type { JobInfo, ListJobsInput, RunJobInput } from '../../maintenance/index.js';
import type { QueryResult } from '../../query/index.js';
import type { BatchGetIdentifier, BatchGetResult, BatchWriteEntry, BatchWriteResult } from '../../records/record-service.js';
import type { ListFeatureGroupsPage, ListFeatureGroupsQuery } from '../../registry/registry.js';
import { ARROW_STREAM, NATIVE_ROUTES as R } from '../../wire/index.js';
import type { FeatureStoreApi } from '../feature-store-api.js';
import type { QueryOptions } from '../offline-queries.js';
import { RemoteDatasetSource } from './remote-dataset-source.js';
import { RemoteFeatureGroup } from './remote-feature-group.js';
import { RemoteHttp, type ConnectOptions } from './remote-http.js';
import { reviveGroup, reviveMetadata, reviveQuery, reviveSearch } from './revive.js';

type Wire = Record<string, unknown>;

function queryBody(sql: string, options: QueryOptions): Wire {
  const { asOf, maxRows } = options;
  return {
    sql,
    ...(typeof asOf === 'bigint' ? { asOfSnapshotId: asOf } : asOf instanceof Date ? { asOf: asOf.toISOString() } : asOf === undefined ? {} : { asOf }),
    ...(maxRows === undefined ? {} : { maxRows }),
  };
}

/**
 * A feature store on a Floe server, through its native API: `await FeatureStore.connect({ endpoint, credentials })`.
 * The same interface as an in-process store, and the same typed errors.
 */
export class RemoteFeatureStore implements FeatureStoreApi {
  private constructor(private readonly http: RemoteHttp) {}

  static async connect(options: ConnectOptions): Promise<RemoteFeatureStore> {
    const http = new RemoteHttp(options);
    // Fails early, with the reason, when the server is unreachable or the credentials are refused.
    await http.json(R.listFeatureGroups, { query: { maxResults: '1' } });
    return new RemoteFeatureStore(http);
  }

  get endpoint(): string {
    return this.http.endpoint;
  }

  async createFeatureGroup(input: CreateFeatureGroupInput): Promise<FeatureGroup> {
    return reviveGroup(await this.http.json(R.createFeatureGroup, { json: input }));
  }

  async describeFeatureGroup(featureGroupName: string): Promise<FeatureGroup> {
    return reviveGroup(await this.http.json(R.describeFeatureGroup, { params: { featureGroupName } }));
  }

  async listFeatureGroups(query: ListFeatureGroupsQuery = {}): Promise<ListFeatureGroupsPage> {
    const { creationTimeAfter, creationTimeBefore, maxResults, ...rest } = query;
    const page = await this.http.json<{ featureGroups: Wire[]; nextToken?: string }>(R.listFeatureGroups, {
      query: {
        ...rest,
        creationTimeAfter: creationTimeAfter?.toISOString(),
        creationTimeBefore: creationTimeBefore?.toISOString(),
        maxResults: maxResults === undefined ? undefined : String(maxResults),
      },
    });
    return { ...page, featureGroups: page.featureGroups.map(reviveGroup) } as ListFeatureGroupsPage;
  }

  async updateFeatureGroup(input: UpdateFeatureGroupInput): Promise<FeatureGroup> {
    const { featureGroupName, ...changes } = input;
    return reviveGroup(await this.http.json(R.updateFeatureGroup, { params: { featureGroupName }, json: changes }));
  }

  async deleteFeatureGroup(featureGroupName: string): Promise<void> {
    await this.http.json(R.deleteFeatureGroup, { params: { featureGroupName } });
  }

  async describeFeatureMetadata(featureGroupName: string, featureName: string): Promise<FeatureMetadata> {
    return reviveMetadata(await this.http.json(R.describeFeatureMetadata, { params: { featureGroupName, featureName } }));
  }

  async updateFeatureMetadata(input: UpdateFeatureMetadataInput): Promise<FeatureMetadata> {
    const { featureGroupName, featureName, ...changes } = input;
    return reviveMetadata(await this.http.json(R.updateFeatureMetadata, { params: { featureGroupName, featureName }, json: changes }));
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    return reviveSearch(await this.http.json(R.search, { json: request }));
  }

  featureGroup(featureGroupName: string): RemoteFeatureGroup {
    return new RemoteFeatureGroup(featureGroupName, this.http);
  }

  batchGetRecord(identifiers: BatchGetIdentifier[], options: { expirationTimeResponse?: 'Enabled' | 'Disabled' } = {}): Promise<BatchGetResult> {
    return this.http.json(R.batchGetRecord, { json: { identifiers, ...options } });
  }

  async batchWriteRecord(entries: BatchWriteEntry[], options: { ttlDuration?: TtlDuration } = {}): Promise<BatchWriteResult> {
    const result = await this.http.json<{ errors: Array<{ index: number; errorCode: string; errorMessage: string }>; unprocessedEntries: Array<{ index: number }> }>(
      R.batchWriteRecord,
      { json: { entries, ...options } },
    );
    // The caller's own entry objects come back, as in-process.
    return {
      errors: result.errors.map((e) => ({ entry: entries[e.index]!, errorCode: e.errorCode, errorMessage: e.errorMessage })),
      unprocessedEntries: result.unprocessedEntries.map((e) => entries[e.index]!),
    };
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    return reviveQuery(await this.http.json<QueryResult>(R.query, { json: queryBody(sql, options) }));
  }

  async queryArrow(sql: string, options: QueryOptions = {}): Promise<ArrowTable> {
    const response = await this.http.send(R.query, { json: queryBody(sql, options), accept: ARROW_STREAM });
    return tableFromIPC(new Uint8Array(await response.arrayBuffer()));
  }

  createDataset(base: DatasetBase, options: { recordIdentifierFeatureName: string; eventTimeFeatureName: string }): DatasetBuilder {
    return new DatasetBuilder(new RemoteDatasetSource(this.http, (name) => this.describeFeatureGroup(name)), { base, ...options });
  }

  async listJobs(input: ListJobsInput = {}): Promise<JobInfo[]> {
    const query = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, v === undefined ? undefined : String(v)]));
    return (await this.http.json<{ jobs: JobInfo[] }>(R.listJobs, { query })).jobs;
  }

  runJob(input: RunJobInput): Promise<JobInfo> {
    return this.http.json(R.runJob, { json: input });
  }

  /** Nothing to release: connections belong to the global fetch dispatcher. */
  async close(): Promise<void> {}
}
