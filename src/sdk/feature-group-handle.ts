import type { FeatureGroup } from '../domain/index.js';
import type { IngestOptions, IngestResult } from '../ingest/bulk-ingest.js';
import type { IngestSource } from '../ingest/ingest-sources.js';
import type { FeatureGroupApi } from './feature-store-api.js';
import { GroupRecordReads } from './group-record-reads.js';
import type { OfflineQueries, SnapshotInfo } from './offline-queries.js';
import type {
  MaintenanceService,
  OptimizeHooks,
  OptimizeInput,
  OptimizeResult,
  PurgeResult,
  RetentionInput,
  RowRemovalResult,
  VacuumInput,
  VacuumResult,
} from '../maintenance/index.js';
import type {
  DeleteRecordOptions,
  ListRecordsOptions,
  PutRecordOptions,
  RecordService,
  UpdateRecordOptions,
} from '../records/record-service.js';

/**
 * One feature group's records: `store.featureGroup('users').putRecord({...})`.
 * A light handle: it holds only the name, so it stays valid across updates of the group.
 */
export class FeatureGroupHandle extends GroupRecordReads implements FeatureGroupApi {
  constructor(
    name: string,
    records: RecordService,
    private readonly queries: OfflineQueries,
    private readonly maintenance: MaintenanceService,
    private readonly describeGroup: () => Promise<FeatureGroup>,
    private readonly bulk: (source: IngestSource, options?: IngestOptions) => Promise<IngestResult>,
  ) {
    super(name, records);
  }

  describe(): Promise<FeatureGroup> {
    return this.describeGroup();
  }

  /** Writes a record. Resolves once it is durable and applied online (see the visibility contract in the README). */
  putRecord(record: Record<string, unknown>, options?: PutRecordOptions): Promise<void> {
    return this.records.putRecord(this.name, record, options);
  }

  deleteRecord(recordId: string | number | bigint, eventTime: string | number, options?: DeleteRecordOptions): Promise<void> {
    return this.records.deleteRecord(this.name, recordId, eventTime, options);
  }

  updateRecord(recordId: string | number | bigint, features: Record<string, unknown>, options?: UpdateRecordOptions): Promise<void> {
    return this.records.updateRecord(this.name, recordId, features, options);
  }

  listRecords(options?: ListRecordsOptions): Promise<{ recordIdentifiers: string[]; nextToken?: string }> {
    return this.records.listRecords(this.name, options);
  }

  /**
   * Bulk ingest from records, an Arrow table, or a Parquet / CSV / JSON Lines file: every row is
   * validated, good rows land in one offline commit and the newest per identifier goes online.
   * Bad rows come back in `failedRows` with their reasons, unless `failOnError` makes it all or nothing.
   */
  ingest(source: IngestSource, options?: IngestOptions): Promise<IngestResult> {
    return this.bulk(source, options);
  }

  /** Deletes many records at once; each gets its offline delete marker. */
  deleteRecords(
    records: Array<{ recordId: string | number | bigint; eventTime: string | number }>,
    options?: DeleteRecordOptions,
  ): Promise<{ deleted: number; stale: string[] }> {
    return this.records.deleteRecords(this.name, records, options);
  }

  /** The offline table's snapshots, oldest first (each commit, compaction or delete is one). */
  async snapshots(): Promise<SnapshotInfo[]> {
    return this.queries.snapshots(await this.describeGroup());
  }

  /**
   * Bin-pack compaction of the offline table (OPTIMIZE ... REWRITE DATA USING BIN_PACK): small
   * files rewritten into files near `targetFileSizeBytes`, optionally sorted, as one `replace`
   * snapshot with merged manifests; the content stays identical and concurrent writes are kept.
   */
  optimize(input: OptimizeInput = {}, options: { hooks?: OptimizeHooks } = {}): Promise<OptimizeResult> {
    return this.maintenance.optimize(this.name, input, options);
  }

  /** VACUUM: expires old snapshots, deletes the files only they referenced, removes old orphan files. */
  vacuum(input: VacuumInput = {}): Promise<VacuumResult> {
    return this.maintenance.vacuum(this.name, input);
  }

  /** Removes offline rows older than the retention period (by event time) as one `overwrite` snapshot. */
  applyRetention(input: RetentionInput = {}): Promise<RowRemovalResult & { cutoff: string }> {
    return this.maintenance.retention(this.name, input);
  }

  /**
   * Privacy delete: removes every row of these identifiers from the offline table (one
   * copy-on-write snapshot) and from the online store. After VACUUM expires the older snapshots,
   * their bytes are gone from disk.
   */
  purgeRecords(recordIds: Array<string | number | bigint>): Promise<PurgeResult> {
    return this.maintenance.purge(this.name, { recordIdentifiers: recordIds });
  }

  /** ALTER TABLE ... SET TBLPROPERTIES: Athena's names accepted; returns every property after. */
  setTableProperties(properties: Record<string, string>): Promise<Record<string, string>> {
    return this.maintenance.setTableProperties(this.name, properties);
  }

  /** Removes properties (Athena's names accepted), so their defaults apply again. */
  unsetTableProperties(names: string[]): Promise<Record<string, string>> {
    return this.maintenance.unsetTableProperties(this.name, names);
  }

  tableProperties(): Promise<Record<string, string>> {
    return this.maintenance.tableProperties(this.name);
  }

  /** Resolves when everything acknowledged before the call is committed to the offline store. */
  flush(): Promise<void> {
    return this.records.flush(this.name);
  }
}
