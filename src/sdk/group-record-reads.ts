import { ValidationError, type FeatureRecord } from '../domain/index.js';
import type { GetRecordOptions, GetRecordResult, RecordService } from '../records/record-service.js';

/**
 * One feature group's online reads: the part of a group handle a store replica has too
 * (FeatureGroupHandle and ReplicaGroup extend it), so both answer with exactly the same rules.
 */
export class GroupRecordReads {
  constructor(
    readonly name: string,
    protected readonly records: RecordService,
  ) {}

  /** The latest live record, or undefined. With `expirationTimeResponse: 'Enabled'`, also its expiry. */
  getRecord(recordId: string | number | bigint, options?: GetRecordOptions & { expirationTimeResponse?: 'Disabled' }): Promise<FeatureRecord | undefined>;
  getRecord(recordId: string | number | bigint, options: GetRecordOptions & { expirationTimeResponse: 'Enabled' }): Promise<GetRecordResult | undefined>;
  async getRecord(recordId: string | number | bigint, options: GetRecordOptions = {}): Promise<FeatureRecord | GetRecordResult | undefined> {
    const result = await this.records.getRecord(this.name, recordId, options);
    if (!result) return undefined;
    return options.expirationTimeResponse === 'Enabled' ? result : result.record;
  }

  /** Records of several identifiers of this group, in the order found. */
  async batchGetRecord(recordIds: Array<string | number | bigint>, options: { featureNames?: string[] } = {}): Promise<FeatureRecord[]> {
    await this.records.group(this.name); // a missing group is a NotFoundError, not a per-record error
    const result = await this.records.batchGetRecord([{ featureGroupName: this.name, recordIdentifiers: recordIds, ...options }]);
    const failed = result.errors[0];
    if (failed) throw new ValidationError(failed.errorMessage, { field: 'recordIds' });
    return result.records.map((r) => r.record);
  }
}
