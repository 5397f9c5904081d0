import type { FeatureGroup, FeatureRecord } from '../../domain/index.js';
import type { IngestOptions, IngestResult } from '../../ingest/bulk-ingest.js';
import type { IngestSource } from '../../ingest/ingest-sources.js';
import type { DeleteRecordOptions, GetRecordOptions, GetRecordResult, ListRecordsOptions, PutRecordOptions, UpdateRecordOptions } from '../../records/record-service.js';
import type { OptimizeInput, OptimizeResult, PurgeResult, RetentionInput, RowRemovalResult, VacuumInput, VacuumResult } from '../../maintenance/index.js';
import { NATIVE_ROUTES as R } from '../../wire/index.js';
import type { FeatureGroupApi, RecordId } from '../feature-store-api.js';
import type { SnapshotInfo } from '../offline-queries.js';
import type { RemoteHttp } from './remote-http.js';
import { remoteIngest } from './remote-ingest.js';
import { reviveGroup, reviveSnapshot } from './revive.js';

/** A feature group's records on a Floe server: the same calls as in-process, over the native API. */
export class RemoteFeatureGroup implements FeatureGroupApi {
  private readonly params: { featureGroupName: string };

  constructor(
    readonly name: string,
    private readonly http: RemoteHttp,
  ) {
    this.params = { featureGroupName: name };
  }

  async describe(): Promise<FeatureGroup> {
    return reviveGroup(await this.http.json(R.describeFeatureGroup, { params: this.params }));
  }

  async putRecord(record: Record<string, unknown>, options: PutRecordOptions = {}): Promise<void> {
    await this.http.json(R.putRecord, { params: this.params, json: { record, ...options } });
  }

  getRecord(recordId: RecordId, options?: GetRecordOptions & { expirationTimeResponse?: 'Disabled' }): Promise<FeatureRecord | undefined>;
  getRecord(recordId: RecordId, options: GetRecordOptions & { expirationTimeResponse: 'Enabled' }): Promise<GetRecordResult | undefined>;
  async getRecord(recordId: RecordId, options: GetRecordOptions = {}): Promise<FeatureRecord | GetRecordResult | undefined> {
    const found = await this.http.json<{ record: FeatureRecord | null; expiresAt?: string }>(R.getRecord, {
      params: { ...this.params, recordId: String(recordId) },
      query: { featureNames: options.featureNames?.join(','), expirationTimeResponse: options.expirationTimeResponse },
    });
    if (!found.record) return undefined;
    if (options.expirationTimeResponse !== 'Enabled') return found.record;
    return found.expiresAt === undefined ? { record: found.record } : { record: found.record, expiresAt: found.expiresAt };
  }

  async batchGetRecord(recordIds: RecordId[], options: { featureNames?: string[] } = {}): Promise<FeatureRecord[]> {
    return (await this.http.json<{ records: FeatureRecord[] }>(R.groupBatchGetRecord, { params: this.params, json: { recordIds, ...options } })).records;
  }

  async deleteRecord(recordId: RecordId, eventTime: string | number, options: DeleteRecordOptions = {}): Promise<void> {
    await this.http.json(R.deleteRecord, {
      params: { ...this.params, recordId: String(recordId) },
      query: { eventTime: String(eventTime), deletionMode: options.deletionMode, targetStores: options.targetStores?.join(',') },
    });
  }

  async updateRecord(recordId: RecordId, features: Record<string, unknown>, options: UpdateRecordOptions = {}): Promise<void> {
    await this.http.json(R.updateRecord, { params: { ...this.params, recordId: String(recordId) }, json: { features, ...options } });
  }

  listRecords(options: ListRecordsOptions = {}): Promise<{ recordIdentifiers: string[]; nextToken?: string }> {
    return this.http.json(R.listRecords, {
      params: this.params,
      query: {
        maxResults: options.maxResults === undefined ? undefined : String(options.maxResults),
        nextToken: options.nextToken,
        includeSoftDeletedRecords: options.includeSoftDeletedRecords === undefined ? undefined : String(options.includeSoftDeletedRecords),
      },
    });
  }

  ingest(source: IngestSource, options?: IngestOptions): Promise<IngestResult> {
    return remoteIngest(this.http, this.name, source, options);
  }

  deleteRecords(records: Array<{ recordId: RecordId; eventTime: string | number }>, options: DeleteRecordOptions = {}): Promise<{ deleted: number; stale: string[] }> {
    return this.http.json(R.deleteRecords, { params: this.params, json: { records, ...options } });
  }

  async snapshots(): Promise<SnapshotInfo[]> {
    return (await this.http.json<{ snapshots: Array<Record<string, unknown>> }>(R.snapshots, { params: this.params })).snapshots.map(reviveSnapshot);
  }

  optimize(input: OptimizeInput = {}): Promise<OptimizeResult> {
    return this.http.json(R.optimize, { params: this.params, json: input });
  }

  vacuum(input: VacuumInput = {}): Promise<VacuumResult> {
    return this.http.json(R.vacuum, { params: this.params, json: input });
  }

  applyRetention(input: RetentionInput = {}): Promise<RowRemovalResult & { cutoff: string }> {
    return this.http.json(R.applyRetention, { params: this.params, json: input });
  }

  purgeRecords(recordIds: RecordId[]): Promise<PurgeResult> {
    return this.http.json(R.purgeRecords, { params: this.params, json: { recordIdentifiers: recordIds } });
  }

  async setTableProperties(properties: Record<string, string>): Promise<Record<string, string>> {
    return (await this.http.json<{ properties: Record<string, string> }>(R.setTableProperties, { params: this.params, json: properties })).properties;
  }

  async tableProperties(): Promise<Record<string, string>> {
    return (await this.http.json<{ properties: Record<string, string> }>(R.tableProperties, { params: this.params })).properties;
  }

  async flush(): Promise<void> {
    await this.http.json(R.flush, { params: this.params });
  }
}
