import type { Table } from 'apache-arrow';
import { toMicros, ValidationError, type FeatureGroup } from '../domain/index.js';
import { compileToDuckDB } from './duckdb-compiler.js';
import type { DatasetPlan, GroupJoin } from './plan.js';

/** What a dataset starts from: rows, an Arrow table, a file, SQL over the offline store, or a feature group. */
export type DatasetBase = ReadonlyArray<Record<string, unknown>> | Table | { path: string } | { sql: string } | { featureGroupName: string };

export interface FeatureGroupJoinOptions {
  targetFeatureNameInBase?: string;
  includedFeatureNames?: string[];
  joinType?: 'left' | 'inner';
  /** A feature older than this at the row's time counts as missing: seconds, or '7d', '12h', '30m', '45s'. */
  maxAge?: number | string;
  /** Output names become prefix + feature name. */
  prefix?: string;
}

/** Resolves names and runs compiled plans; the store provides it. */
export interface DatasetRunner {
  featureGroup(name: string): Promise<FeatureGroup>;
  /** Makes the base selectable; returns its relation SQL, columns and event-time kind. */
  prepareBase(base: DatasetBase, eventTimeFeatureName: string): Promise<{ relation: string; columns: string[]; eventTimeKind: DatasetPlan['baseEventTimeKind'] }>;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  arrow(sql: string): Promise<Table>;
  writeFile(rows: Array<Record<string, unknown>>, path: string): Promise<void>;
}

interface Spec {
  base: DatasetBase;
  recordIdentifierFeatureName: string;
  eventTimeFeatureName: string;
  groups: Array<{ name: string; options: FeatureGroupJoinOptions }>;
  pointInTime: boolean;
  includeDuplicatedRecords: boolean;
  includeDeletedRecords: boolean;
  asOf?: Date | string | number;
  eventTimeRange?: [Date | string | number, Date | string | number];
  recentRecordsPerIdentifier?: number;
  limit?: number;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

function parseMaxAge(value: number | string, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const m = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!m) throw new ValidationError(`${field}: '${String(value)}' is not a duration (seconds, or like '7d', '12h', '30m')`, { field });
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

function positiveInteger(n: number, field: string): number {
  if (!Number.isInteger(n) || n < 1) throw new ValidationError(`${field}: must be a whole number of at least 1`, { field });
  return n;
}

/**
 * Builds a training or batch-inference dataset, SageMaker's DatasetBuilder in camelCase. Each
 * method returns a new builder; nothing runs until toRows / toArrow / toSQL.
 */
export class DatasetBuilder {
  constructor(
    private readonly runner: DatasetRunner,
    private readonly spec: Spec,
  ) {}

  private with(change: Partial<Spec>): DatasetBuilder {
    return new DatasetBuilder(this.runner, { ...this.spec, ...change });
  }

  withFeatureGroup(featureGroupName: string, options: FeatureGroupJoinOptions = {}): DatasetBuilder {
    return this.with({ groups: [...this.spec.groups, { name: featureGroupName, options }] });
  }

  pointInTimeAccurateJoin(): DatasetBuilder {
    return this.with({ pointInTime: true });
  }

  includeDuplicatedRecords(): DatasetBuilder {
    return this.with({ includeDuplicatedRecords: true });
  }

  includeDeletedRecords(): DatasetBuilder {
    return this.with({ includeDeletedRecords: true });
  }

  /** Only records written at or before this time. */
  asOf(writeTime: Date | string | number): DatasetBuilder {
    return this.with({ asOf: writeTime });
  }

  withEventTimeRange(start: Date | string | number, end: Date | string | number): DatasetBuilder {
    return this.with({ eventTimeRange: [start, end] });
  }

  /** Up to n most recent records per identifier and row (one output row each). */
  withNumberOfRecentRecordsByRecordIdentifier(n: number): DatasetBuilder {
    return this.with({ recentRecordsPerIdentifier: positiveInteger(n, 'numberOfRecentRecordsByRecordIdentifier') });
  }

  /** At most n output rows. */
  withNumberOfRecordsFromQueryResults(n: number): DatasetBuilder {
    return this.with({ limit: positiveInteger(n, 'numberOfRecordsFromQueryResults') });
  }

  async toSQL(): Promise<string> {
    return compileToDuckDB(await this.plan());
  }

  async toRows(): Promise<Array<Record<string, unknown>>> {
    return this.runner.rows(await this.toSQL());
  }

  async toArrow(): Promise<Table> {
    return this.runner.arrow(await this.toSQL());
  }

  /** Writes the dataset to a Parquet or CSV file (by extension); returns the number of rows. */
  async toFile(path: string): Promise<number> {
    const rows = await this.toRows();
    await this.runner.writeFile(rows, path);
    return rows.length;
  }

  /** Resolves names and options into a plan (validating them, naming the option at fault). */
  async plan(): Promise<DatasetPlan> {
    const s = this.spec;
    if (s.groups.length === 0) throw new ValidationError('withFeatureGroup: add at least one feature group', { field: 'featureGroups' });
    const base = await this.runner.prepareBase(s.base, s.eventTimeFeatureName);
    for (const column of [s.recordIdentifierFeatureName, s.eventTimeFeatureName]) {
      if (!base.columns.includes(column)) throw new ValidationError(`${column}: the base has no column '${column}'`, { field: column });
    }
    const groups: GroupJoin[] = [];
    for (const [i, { name, options }] of s.groups.entries()) {
      const field = `featureGroups[${i}]`;
      const group = await this.runner.featureGroup(name);
      if (!group.offlineStoreConfig.enableOfflineStore) {
        throw new ValidationError(`${field}: feature group '${name}' has no offline store`, { field });
      }
      const target = options.targetFeatureNameInBase ?? s.recordIdentifierFeatureName;
      if (!base.columns.includes(target)) throw new ValidationError(`${field}.targetFeatureNameInBase: the base has no column '${target}'`, { field: `${field}.targetFeatureNameInBase` });
      const known = new Set(group.features.map((f) => f.featureName));
      const included = options.includedFeatureNames ?? group.features.map((f) => f.featureName).filter((f) => f !== group.recordIdentifierFeatureName && f !== group.eventTimeFeatureName);
      for (const f of included) {
        if (!known.has(f)) throw new ValidationError(`${field}.includedFeatureNames: '${f}' is not a feature of '${name}'`, { field: `${field}.includedFeatureNames` });
      }
      const joinType = options.joinType ?? 'left';
      if (joinType !== 'left' && joinType !== 'inner') {
        throw new ValidationError(`${field}.joinType: '${String(joinType)}' is not supported yet (left or inner)`, { field: `${field}.joinType` });
      }
      const eventTime = group.features.find((f) => f.featureName === group.eventTimeFeatureName)!;
      groups.push({
        featureGroupName: group.featureGroupName,
        recordIdentifierFeatureName: group.recordIdentifierFeatureName,
        eventTimeFeatureName: group.eventTimeFeatureName,
        eventTimeType: eventTime.featureType === 'Fractional' ? 'Fractional' : 'String',
        targetFeatureNameInBase: target,
        includedFeatureNames: included,
        joinType,
        ...(options.maxAge === undefined ? {} : { maxAgeSeconds: parseMaxAge(options.maxAge, `${field}.maxAge`) }),
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      });
    }
    return {
      baseRelation: base.relation,
      baseColumns: base.columns,
      baseEventTimeKind: base.eventTimeKind,
      recordIdentifierFeatureName: s.recordIdentifierFeatureName,
      eventTimeFeatureName: s.eventTimeFeatureName,
      groups,
      pointInTime: s.pointInTime,
      includeDuplicatedRecords: s.includeDuplicatedRecords,
      includeDeletedRecords: s.includeDeletedRecords,
      ...(s.asOf === undefined ? {} : { asOfMicros: toMicros(s.asOf, 'asOf') }),
      ...(s.recentRecordsPerIdentifier === undefined ? {} : { recentRecordsPerIdentifier: s.recentRecordsPerIdentifier }),
      ...(s.limit === undefined ? {} : { limit: s.limit }),
      ...(s.eventTimeRange === undefined
        ? {}
        : { eventTimeRange: { startMicros: toMicros(s.eventTimeRange[0], 'eventTimeRange.start'), endMicros: toMicros(s.eventTimeRange[1], 'eventTimeRange.end') } }),
    };
  }
}

export function newDatasetBuilder(runner: DatasetRunner, base: DatasetBase, options: { recordIdentifierFeatureName: string; eventTimeFeatureName: string }): DatasetBuilder {
  return new DatasetBuilder(runner, {
    base,
    recordIdentifierFeatureName: options.recordIdentifierFeatureName,
    eventTimeFeatureName: options.eventTimeFeatureName,
    groups: [],
    pointInTime: false,
    includeDuplicatedRecords: false,
    includeDeletedRecords: false,
  });
}
