import { assertReady, notFound, type FeatureGroupCache } from '../control/index.js';
import {
  featureGroupNameFromArn,
  microsToIso,
  NotFoundError,
  ConflictError,
  recordIdToString,
  ttlDurationSchema,
  ttlToMicros,
  parseOrThrow,
  validateRecord,
  isFloeError,
  ValidationError,
  type FeatureGroup,
  type ValidRecord,
  type FeatureRecord,
  type TtlDuration,
} from '../domain/index.js';
import type { DeletionMode, OnlineStore } from '../online/online-store.js';
import type { TargetStore, WriteEntry, WritePipeline } from './write-entry.js';

export interface PutRecordOptions {
  targetStores?: TargetStore[];
  /** Overrides the group's online TTL for this record. */
  ttlDuration?: TtlDuration;
  /** 'offline' waits until the record is committed to the offline store. */
  wait?: 'offline';
}

export interface GetRecordOptions {
  featureNames?: string[];
  expirationTimeResponse?: 'Enabled' | 'Disabled';
}

export interface GetRecordResult {
  record: FeatureRecord;
  /** ISO-8601, when asked for and the record expires. */
  expiresAt?: string;
}

export interface DeleteRecordOptions {
  deletionMode?: DeletionMode;
  targetStores?: TargetStore[];
}

export interface UpdateRecordOptions {
  targetStores?: TargetStore[];
  ttlDuration?: TtlDuration;
}

export interface ListRecordsOptions {
  maxResults?: number;
  nextToken?: string;
  includeSoftDeletedRecords?: boolean;
}

export interface BatchGetIdentifier {
  featureGroupName: string;
  recordIdentifiers: Array<string | number | bigint>;
  featureNames?: string[];
}

export interface BatchGetResult {
  records: Array<{ featureGroupName: string; recordIdentifier: string; record: FeatureRecord; expiresAt?: string }>;
  errors: Array<{ featureGroupName: string; recordIdentifier: string; errorCode: string; errorMessage: string }>;
  unprocessedIdentifiers: BatchGetIdentifier[];
}

export interface BatchWriteEntry {
  featureGroupName: string;
  record: Record<string, unknown>;
  targetStores?: TargetStore[];
  ttlDuration?: TtlDuration;
}

export interface BatchWriteResult {
  errors: Array<{ entry: BatchWriteEntry; errorCode: string; errorMessage: string }>;
  unprocessedEntries: BatchWriteEntry[];
}

export const BATCH_LIMITS = { getIdentifiers: 100, getRecordsPerIdentifier: 100, writeEntries: 25 } as const;

/**
 * The data plane: validates records against their group and routes them to the stores.
 * Puts are logged durably before they are acknowledged (see WritePipeline). Deletes and updates
 * are decided by the online store first, atomically, because their outcome depends on the stored
 * record; only then is the offline row logged.
 */
export class RecordService {
  constructor(
    private readonly groups: FeatureGroupCache,
    private readonly online: OnlineStore,
    private readonly pipeline: WritePipeline,
    private readonly clock: () => number = monotonicMicros(),
  ) {}

  async group(nameOrArn: string): Promise<FeatureGroup> {
    const name = featureGroupNameFromArn(nameOrArn);
    const group = await this.groups.get(name);
    if (!group) throw notFound(name);
    return group;
  }

  async putRecord(groupName: string, record: unknown, options: PutRecordOptions = {}): Promise<void> {
    await this.submit([await this.preparePut(groupName, record, options)], options.wait === 'offline');
  }

  /** Writes entries made by preparePut; with `waitOffline`, also waits for their offline commit. */
  async submit(entries: WriteEntry[], waitOffline = false): Promise<void> {
    await this.pipeline.submit(entries);
    if (!waitOffline) return;
    for (const group of new Set(entries.filter((e) => e.offline).map((e) => e.group))) await this.pipeline.flush(group);
  }

  /** Validates and prepares a put without writing it (batch writes validate all entries first). */
  async preparePut(groupName: string, record: unknown, options: PutRecordOptions = {}): Promise<WriteEntry> {
    const apiInvocationTimeMicros = this.clock();
    const group = await this.group(groupName);
    assertReady(group);
    const valid = validateRecord(group, record);
    const targets = resolveTargets(group, options.targetStores);
    const ttl = options.ttlDuration ? parseOrThrow(ttlDurationSchema, options.ttlDuration, 'ttlDuration') : group.onlineStoreConfig.ttlDuration;
    return {
      kind: 'put',
      group: group.featureGroupName,
      recordId: valid.recordId,
      values: valid.values,
      eventTimeMicros: valid.eventTimeMicros,
      ...(ttl ? { expiresAtMicros: valid.eventTimeMicros + ttlToMicros(ttl) } : {}),
      online: targets.online,
      offline: targets.offline,
      apiInvocationTimeMicros,
    };
  }

  /**
   * BatchWriteRecord: up to 25 puts across groups, validated one by one; the valid ones are
   * written together (one log sync), the invalid ones come back with their reasons.
   */
  async batchWriteRecord(entries: BatchWriteEntry[], options: { ttlDuration?: TtlDuration } = {}): Promise<BatchWriteResult> {
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > BATCH_LIMITS.writeEntries) {
      throw new ValidationError(`entries: must hold 1 to ${BATCH_LIMITS.writeEntries} entries`, { field: 'entries' });
    }
    const result: BatchWriteResult = { errors: [], unprocessedEntries: [] };
    const prepared: WriteEntry[] = [];
    for (const entry of entries) {
      try {
        const ttlDuration = entry.ttlDuration ?? options.ttlDuration;
        prepared.push(
          await this.preparePut(entry.featureGroupName, entry.record, {
            ...(entry.targetStores ? { targetStores: entry.targetStores } : {}),
            ...(ttlDuration ? { ttlDuration } : {}),
          }),
        );
      } catch (error) {
        result.errors.push({ entry, ...errorCode(error) });
      }
    }
    if (prepared.length > 0) await this.pipeline.submit(prepared);
    return result;
  }

  getRecord(groupName: string, recordId: unknown, options: GetRecordOptions = {}): Promise<GetRecordResult | undefined> {
    return this.getOne(groupName, recordId, options);
  }

  private async getOne(groupName: string, rawId: unknown, options: GetRecordOptions): Promise<GetRecordResult | undefined> {
    const group = await this.group(groupName);
    requireOnline(group);
    const recordId = recordIdToString(group, rawId, 'recordIdentifierValueAsString');
    const featureNames = checkFeatureNames(group, options.featureNames);
    const stored = await this.online.get(group.featureGroupName, recordId, {
      ...(featureNames ? { featureNames } : {}),
      nowMicros: this.clock(),
    });
    if (!stored) return undefined;
    return withExpiry(stored.values, stored.expiresAtMicros, options.expirationTimeResponse);
  }

  async batchGetRecord(identifiers: BatchGetIdentifier[], options: { expirationTimeResponse?: 'Enabled' | 'Disabled' } = {}): Promise<BatchGetResult> {
    if (!Array.isArray(identifiers) || identifiers.length < 1 || identifiers.length > BATCH_LIMITS.getIdentifiers) {
      throw new ValidationError(`identifiers: must hold 1 to ${BATCH_LIMITS.getIdentifiers} entries`, { field: 'identifiers' });
    }
    const result: BatchGetResult = { records: [], errors: [], unprocessedIdentifiers: [] };
    const keys: Array<{ group: string; recordId: string; featureNames?: string[]; requested: string }> = [];
    for (const [i, ident] of identifiers.entries()) {
      const ids = ident.recordIdentifiers;
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > BATCH_LIMITS.getRecordsPerIdentifier) {
        throw new ValidationError(`identifiers[${i}].recordIdentifiers: must hold 1 to ${BATCH_LIMITS.getRecordsPerIdentifier} values`, {
          field: `identifiers[${i}].recordIdentifiers`,
        });
      }
      let group: FeatureGroup;
      let featureNames: string[] | undefined;
      try {
        group = await this.group(ident.featureGroupName);
        requireOnline(group);
        featureNames = checkFeatureNames(group, ident.featureNames);
      } catch (error) {
        for (const id of ids) result.errors.push(batchError(ident.featureGroupName, String(id), error));
        continue;
      }
      for (const id of ids) {
        try {
          const recordId = recordIdToString(group, id, 'recordIdentifiers');
          keys.push({ group: group.featureGroupName, recordId, requested: String(id), ...(featureNames ? { featureNames } : {}) });
        } catch (error) {
          result.errors.push(batchError(ident.featureGroupName, String(id), error));
        }
      }
    }
    const found = await this.online.getMany(keys, { nowMicros: this.clock() });
    found.forEach((stored, i) => {
      if (!stored) return;
      const key = keys[i]!;
      const { record, expiresAt } = withExpiry(stored.values, stored.expiresAtMicros, options.expirationTimeResponse);
      result.records.push({
        featureGroupName: key.group,
        recordIdentifier: key.recordId,
        record,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
    });
    return result;
  }

  async deleteRecord(groupName: string, rawId: unknown, eventTime: unknown, options: DeleteRecordOptions = {}): Promise<void> {
    const apiInvocationTimeMicros = this.clock();
    const group = await this.group(groupName);
    assertReady(group);
    const mode = options.deletionMode ?? 'SoftDelete';
    if (mode !== 'SoftDelete' && mode !== 'HardDelete') {
      throw new ValidationError('deletionMode: must be SoftDelete or HardDelete', { field: 'deletionMode' });
    }
    // The offline delete marker holds the identifier and the event time, every other feature null.
    const marker = validateRecord(group, { [group.recordIdentifierFeatureName]: rawId, [group.eventTimeFeatureName]: eventTime });
    const targets = resolveTargets(group, options.targetStores);
    if (targets.online) {
      const outcome = await this.online.delete(group.featureGroupName, marker.recordId, marker.eventTimeMicros, mode);
      if (outcome === 'stale' && mode === 'HardDelete') {
        throw new ValidationError(
          `${group.eventTimeFeatureName}: a hard delete needs an event time newer than the stored record's, and record '${marker.recordId}' is newer`,
          { field: group.eventTimeFeatureName },
        );
      }
    }
    if (targets.offline) await this.pipeline.submit([deleteMarker(group, marker, apiInvocationTimeMicros)]);
  }

  /**
   * Many deletes at once (SageMaker has only one at a time). Every item is validated before any
   * is applied; a bad item refuses the whole call. Returns how many were applied online and which
   * were stale there (the stored record is newer); every item gets its offline delete marker.
   */
  async deleteRecords(
    groupName: string,
    items: Array<{ recordId: string | number | bigint; eventTime: string | number }>,
    options: DeleteRecordOptions = {},
  ): Promise<{ deleted: number; stale: Array<string> }> {
    const apiInvocationTimeMicros = this.clock();
    const group = await this.group(groupName);
    assertReady(group);
    if (!Array.isArray(items) || items.length === 0) throw new ValidationError('records: must list at least one record', { field: 'records' });
    const mode = options.deletionMode ?? 'SoftDelete';
    if (mode !== 'SoftDelete' && mode !== 'HardDelete') throw new ValidationError('deletionMode: must be SoftDelete or HardDelete', { field: 'deletionMode' });
    const markers = items.map((item, i) => {
      try {
        return validateRecord(group, { [group.recordIdentifierFeatureName]: item?.recordId, [group.eventTimeFeatureName]: item?.eventTime });
      } catch (error) {
        if (error instanceof ValidationError) throw new ValidationError(`records[${i}].${error.message}`, { field: `records[${i}]`, cause: error });
        throw error;
      }
    });
    const targets = resolveTargets(group, options.targetStores);
    const stale: string[] = [];
    let deleted = 0;
    if (targets.online) {
      for (const marker of markers) {
        const outcome = await this.online.delete(group.featureGroupName, marker.recordId, marker.eventTimeMicros, mode);
        if (outcome === 'stale') stale.push(marker.recordId);
        else if (outcome === 'deleted') deleted++;
      }
    }
    if (targets.offline) await this.pipeline.submit(markers.map((marker) => deleteMarker(group, marker, apiInvocationTimeMicros)));
    return { deleted, stale };
  }

  /**
   * UpdateRecord: merges features into an existing live online record. Missing or
   * soft-deleted: NotFoundError; an older event time: ConflictError. The merged record is
   * appended to the offline store.
   */
  async updateRecord(groupName: string, rawId: unknown, features: unknown, options: UpdateRecordOptions = {}): Promise<void> {
    const apiInvocationTimeMicros = this.clock();
    const group = await this.group(groupName);
    assertReady(group);
    requireOnline(group);
    const recordId = recordIdToString(group, rawId, 'recordIdentifierValueAsString');
    if (typeof features !== 'object' || features === null || Array.isArray(features)) {
      throw new ValidationError('features: expected an object keyed by feature name', { field: 'features' });
    }
    const changes = features as Record<string, unknown>;
    if (Object.keys(changes).length > 100) throw new ValidationError('features: at most 100 features per call', { field: 'features' });
    if (group.recordIdentifierFeatureName in changes) {
      throw new ValidationError(`${group.recordIdentifierFeatureName}: the record identifier cannot be updated`, {
        field: group.recordIdentifierFeatureName,
      });
    }
    const valid = validateRecord(group, { ...changes, [group.recordIdentifierFeatureName]: rawId }, { partial: true });
    const { [group.recordIdentifierFeatureName]: _id, ...values } = valid.values;
    const targets = resolveTargets(group, options.targetStores);
    const ttl = options.ttlDuration ? parseOrThrow(ttlDurationSchema, options.ttlDuration, 'ttlDuration') : undefined;
    const hasEventTime = !Number.isNaN(valid.eventTimeMicros);
    const outcome = await this.online.update(group.featureGroupName, recordId, {
      values,
      ...(hasEventTime ? { eventTimeMicros: valid.eventTimeMicros } : {}),
      ...(ttl && hasEventTime ? { expiresAtMicros: valid.eventTimeMicros + ttlToMicros(ttl) } : {}),
    });
    if (outcome === 'absent') throw new NotFoundError(`recordIdentifierValueAsString: record '${recordId}' does not exist`, { field: 'recordIdentifierValueAsString' });
    if (outcome === 'stale') {
      throw new ConflictError(`${group.eventTimeFeatureName}: the event time is older than the stored record's`, {
        field: group.eventTimeFeatureName,
      });
    }
    if (targets.offline) {
      const merged = await this.online.get(group.featureGroupName, recordId, { nowMicros: this.clock() });
      if (merged) {
        await this.pipeline.submit([
          {
            kind: 'put',
            group: group.featureGroupName,
            recordId,
            values: merged.values,
            eventTimeMicros: merged.eventTimeMicros,
            online: false,
            offline: true,
            apiInvocationTimeMicros,
          },
        ]);
      }
    }
  }

  async listRecords(groupName: string, options: ListRecordsOptions = {}): Promise<{ recordIdentifiers: string[]; nextToken?: string }> {
    const group = await this.group(groupName);
    requireOnline(group);
    const limit = options.maxResults ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ValidationError('maxResults: must be a whole number from 1 to 1000', { field: 'maxResults' });
    }
    const page = await this.online.listIds(group.featureGroupName, {
      limit,
      ...(options.nextToken ? { cursor: options.nextToken } : {}),
      includeSoftDeleted: options.includeSoftDeletedRecords ?? false,
      nowMicros: this.clock(),
    });
    return page.nextCursor ? { recordIdentifiers: page.recordIds, nextToken: page.nextCursor } : { recordIdentifiers: page.recordIds };
  }

  flush(groupName?: string): Promise<void> {
    return this.pipeline.flush(groupName === undefined ? undefined : featureGroupNameFromArn(groupName));
  }
}

/**
 * Epoch microseconds that never repeat or go back within a process, so `api_invocation_time`
 * orders writes made in the same millisecond (duplicates resolve to the last written).
 */
export function monotonicMicros(): () => number {
  let last = 0;
  return () => {
    const now = Date.now() * 1000;
    last = now > last ? now : last + 1;
    return last;
  };
}

/** The offline row of a delete: is_deleted, the identifier and event time, every other feature null. */
function deleteMarker(group: FeatureGroup, marker: ValidRecord, apiInvocationTimeMicros: number): WriteEntry {
  return {
    kind: 'delete',
    group: group.featureGroupName,
    recordId: marker.recordId,
    values: marker.values,
    eventTimeMicros: marker.eventTimeMicros,
    online: false,
    offline: true,
    apiInvocationTimeMicros,
  };
}

function resolveTargets(group: FeatureGroup, targets: TargetStore[] | undefined): { online: boolean; offline: boolean } {
  const onlineEnabled = group.onlineStoreConfig.enableOnlineStore;
  const offlineEnabled = group.offlineStoreConfig.enableOfflineStore;
  if (targets === undefined) return { online: onlineEnabled, offline: offlineEnabled };
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new ValidationError('targetStores: must list OnlineStore, OfflineStore or both', { field: 'targetStores' });
  }
  for (const t of targets) {
    if (t !== 'OnlineStore' && t !== 'OfflineStore') {
      throw new ValidationError(`targetStores: '${String(t)}' is not OnlineStore or OfflineStore`, { field: 'targetStores' });
    }
    if ((t === 'OnlineStore' && !onlineEnabled) || (t === 'OfflineStore' && !offlineEnabled)) {
      throw new ValidationError(`targetStores: feature group '${group.featureGroupName}' has no ${t}`, { field: 'targetStores' });
    }
  }
  return { online: targets.includes('OnlineStore'), offline: targets.includes('OfflineStore') };
}

function requireOnline(group: FeatureGroup): void {
  if (!group.onlineStoreConfig.enableOnlineStore) {
    throw new ValidationError(`featureGroupName: feature group '${group.featureGroupName}' has no online store`, {
      field: 'featureGroupName',
    });
  }
}

function checkFeatureNames(group: FeatureGroup, names: string[] | undefined): string[] | undefined {
  if (names === undefined) return undefined;
  const known = new Set(group.features.map((f) => f.featureName));
  for (const name of names) {
    if (!known.has(name)) {
      throw new ValidationError(`featureNames: feature '${name}' is not defined in feature group '${group.featureGroupName}'`, {
        field: 'featureNames',
      });
    }
  }
  return names;
}

function withExpiry(record: FeatureRecord, expiresAtMicros: number | undefined, response: GetRecordOptions['expirationTimeResponse']): GetRecordResult {
  return response === 'Enabled' && expiresAtMicros !== undefined ? { record, expiresAt: microsToIso(expiresAtMicros) } : { record };
}

/** Per-item errors of batch calls carry the SageMaker error name; unexpected errors are rethrown. */
function errorCode(error: unknown): { errorCode: string; errorMessage: string } {
  if (!isFloeError(error)) throw error;
  return { errorCode: error.sagemakerName, errorMessage: error.message };
}

function batchError(group: string, id: string, error: unknown): BatchGetResult['errors'][number] {
  return { featureGroupName: group, recordIdentifier: id, ...errorCode(error) };
}

