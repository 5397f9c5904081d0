/**
 * A dataset plan: plain, engine-independent data that a compiler (DuckDB, Trino or Spark SQL; see
 * sql-compiler.ts) turns into one SQL statement, and the immutable `DatasetBuilder` that makes it.
 *
 * Semantics, for each base row r with time t = r[eventTimeFeatureName] and each joined group:
 * - Event times are instants: ISO-8601 text with any offset ('2025-01-01T09:00:00+09:00' equals
 *   '2025-01-01T00:00:00Z'), fractional epoch seconds, or a timestamp column all compare as such.
 * - Candidates: the group's records matching r (r[targetFeatureNameInBase] <joinComparator>
 *   record[featureNameInTarget], by default base identifier = record identifier; every record for
 *   a cross join) whose event time is <= t (only with `pointInTimeAccurateJoin`; without it, the
 *   newest record overall is joined), whose write_time is <= `asOf`, and whose event time is
 *   inside `withEventTimeRange` (both ends included).
 * - Duplicates (same identifier and event time) collapse to the last written (max write_time,
 *   then max api_invocation_time), unless `includeDuplicatedRecords`.
 * - Records are ordered newest first by (event time, write_time, api_invocation_time).
 * - Delete markers: a candidate is live if it is not a delete marker and is newer than every
 *   delete marker of its identifier among the candidates. So if the newest candidate is a delete
 *   marker the row gets no features from the group (NULLs with a left join).
 *   `includeDeletedRecords` ignores delete markers: a deleted record's last values still join.
 * - `maxAge`: a live candidate whose event time is before t - maxAge counts as missing.
 * - What joins: the newest live candidate; with duplicates included, every live candidate at the
 *   newest event time; with `withNumberOfRecentRecordsByRecordIdentifier(n)`, the n newest live
 *   candidates (one output row each, newest first); with a cross join, every live candidate.
 * - Join types: 'left' (default) keeps every base row, exactly once when one record joins, in the
 *   base's order; rows with nothing to join get NULLs. 'inner' and 'cross' drop them. 'right' drops
 *   them and appends, after the base rows, every live record of the group that joined no row
 *   (base columns NULL); 'full' keeps them and appends those records too. Several groups that each
 *   yield several rows for a base row multiply, as SQL joins do.
 * - `withNumberOfRecordsFromQueryResults(n)`: at most n output rows, the first in order.
 * - Output columns: the base's columns, then each group's included features (default: all but
 *   its identifier and event time, which are not repeated unless named in includedFeatureNames).
 *   A feature keeps its name, or `prefix + name` when the group has a prefix; if that name is
 *   already taken (case-insensitively), it becomes `<featureGroupName>__<feature>`.
 */
import type { Table } from 'apache-arrow';
import { toMicros, ValidationError, type FeatureGroup } from '../domain/index.js';
import { checkSqlOptions, type ToSqlOptions } from './dialects.js';
import { JOIN_COMPARATORS, JOIN_TYPES, nonEmptyName, oneOf, parseDuration, positiveInteger, type JoinComparator, type JoinType } from './plan-options.js';

/** What a dataset starts from: rows, an Arrow table, a file, SQL, a feature group, or a relation the engine already knows. */
export type DatasetBase =
  | ReadonlyArray<Record<string, unknown>>
  | Table
  | { path: string }
  | { sql: string }
  | { featureGroupName: string }
  | { relation: string };

/** One feature group's join, resolved: names and types only, nothing engine-specific. */
export interface GroupJoinPlan {
  featureGroupName: string;
  recordIdentifierFeatureName: string;
  eventTimeFeatureName: string;
  /** 'String' (ISO-8601) or 'Fractional' (epoch seconds), from the group's definition. */
  eventTimeType: 'String' | 'Fractional';
  /** The base column compared with `featureNameInTarget`. */
  targetFeatureNameInBase: string;
  /** The group's feature compared with the base column (default: its record identifier). */
  featureNameInTarget: string;
  joinComparator: JoinComparator;
  joinType: JoinType;
  includedFeatureNames: string[];
  maxAgeSeconds?: number;
  prefix?: string;
}

export interface DatasetPlan {
  base: DatasetBase;
  recordIdentifierFeatureName: string;
  eventTimeFeatureName: string;
  groups: GroupJoinPlan[];
  pointInTime: boolean;
  includeDuplicatedRecords: boolean;
  includeDeletedRecords: boolean;
  /** Epoch microseconds: only records written at or before. */
  asOfMicros?: number;
  /** Epoch microseconds, both ends included. */
  eventTimeRange?: { startMicros: number; endMicros: number };
  recentRecordsPerIdentifier?: number;
  limit?: number;
}

export interface FeatureGroupJoinOptions {
  /** The base column holding the value to match (default: the base's record identifier column). */
  targetFeatureNameInBase?: string;
  /** Features to attach (default: all but the group's identifier and event time). */
  includedFeatureNames?: string[];
  /** The group's feature compared with `targetFeatureNameInBase` (default: its record identifier). */
  featureNameInTarget?: string;
  joinComparator?: JoinComparator;
  joinType?: JoinType;
  /** A record older than this at the row's time counts as missing: seconds, or '7d', '12h', '30m', '45s'. */
  maxAge?: number | string;
  /** Output names become prefix + feature name. */
  prefix?: string;
}

/** Runs plans; the store provides one, and `DuckDBDatasetSource` runs them on a DuckDB connection. */
export interface DatasetSource {
  /** Describes a feature group given to `withFeatureGroup` by name. */
  featureGroup(name: string): Promise<FeatureGroup>;
  /** The statement for `options.dialect` (default: the one the source runs). */
  sql(plan: DatasetPlan, options?: ToSqlOptions): Promise<string>;
  rows(plan: DatasetPlan): Promise<Array<Record<string, unknown>>>;
  arrow(plan: DatasetPlan): Promise<Table>;
  /** Writes a Parquet or CSV file (by extension); returns the number of rows. */
  toFile(plan: DatasetPlan, path: string): Promise<number>;
}

export interface DatasetBuilderOptions {
  base: DatasetBase;
  /** The base column holding record identifiers. */
  recordIdentifierFeatureName: string;
  /** The base column holding each row's event time. */
  eventTimeFeatureName: string;
}

interface Spec extends Omit<DatasetPlan, 'groups'> {
  groups: ReadonlyArray<{ group: FeatureGroup | string; options: FeatureGroupJoinOptions }>;
}

type Instant = Date | string | number;

/**
 * Builds a training or batch-inference dataset, SageMaker's DatasetBuilder in camelCase. Every
 * method returns a new builder; nothing runs until toRows / toArrow / toFile / toSQL.
 *
 * @example
 * const rows = await new DatasetBuilder(source, { base: [{ user_id: 'u1', ts: '2025-01-02T00:00:00Z' }], recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' })
 *   .withFeatureGroup(users, { maxAge: '7d' })
 *   .pointInTimeAccurateJoin()
 *   .toRows();
 */
export class DatasetBuilder {
  // Replaced only on a fresh copy (see `with`): a builder never changes once returned.
  private spec: Readonly<Spec>;

  constructor(
    private readonly source: DatasetSource,
    options: DatasetBuilderOptions,
  ) {
    this.spec = Object.freeze({
      base: options.base,
      recordIdentifierFeatureName: nonEmptyName(options.recordIdentifierFeatureName, 'recordIdentifierFeatureName'),
      eventTimeFeatureName: nonEmptyName(options.eventTimeFeatureName, 'eventTimeFeatureName'),
      groups: [],
      pointInTime: false,
      includeDuplicatedRecords: false,
      includeDeletedRecords: false,
    });
  }

  private with(change: Partial<Spec>): DatasetBuilder {
    const next = new DatasetBuilder(this.source, this.spec);
    next.spec = Object.freeze({ ...this.spec, ...change });
    return next;
  }

  /** Joins a feature group, given as its description or by name (resolved through the source). */
  withFeatureGroup(group: FeatureGroup | string, options: FeatureGroupJoinOptions = {}): DatasetBuilder {
    const index = this.spec.groups.length;
    // Checked now, so that the mistake surfaces where it is made; again once the group is known.
    if (typeof group !== 'string') resolveGroupJoin(group, options, this.spec.recordIdentifierFeatureName, index);
    else {
      nonEmptyName(group, `featureGroups[${index}]`);
      generalJoinOptions(options, `featureGroups[${index}]`);
    }
    return this.with({ groups: [...this.spec.groups, { group, options: { ...options } }] });
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

  /** Up to n most recent records per row and group (one output row each). */
  withNumberOfRecentRecordsByRecordIdentifier(n: number): DatasetBuilder {
    return this.with({ recentRecordsPerIdentifier: positiveInteger(n, 'numberOfRecentRecordsByRecordIdentifier') });
  }

  /** At most n output rows. */
  withNumberOfRecordsFromQueryResults(n: number): DatasetBuilder {
    return this.with({ limit: positiveInteger(n, 'numberOfRecordsFromQueryResults') });
  }

  /** Only records written at or before this time (a Date, ISO-8601 text, or epoch seconds). */
  asOf(writeTime: Instant): DatasetBuilder {
    return this.with({ asOfMicros: toMicros(writeTime, 'asOf') });
  }

  /** Only records whose event time is within [start, end]. */
  withEventTimeRange(start: Instant, end: Instant): DatasetBuilder {
    const startMicros = toMicros(start, 'eventTimeRange.start');
    const endMicros = toMicros(end, 'eventTimeRange.end');
    if (startMicros > endMicros) throw new ValidationError('eventTimeRange: start is after end', { field: 'eventTimeRange' });
    return this.with({ eventTimeRange: { startMicros, endMicros } });
  }

  /** The plan: groups given by name are described through the source; options are checked again. */
  async plan(): Promise<DatasetPlan> {
    const { groups, ...rest } = this.spec;
    if (groups.length === 0) throw new ValidationError('featureGroups: add at least one feature group with withFeatureGroup', { field: 'featureGroups' });
    const resolved: GroupJoinPlan[] = [];
    for (const [i, { group, options }] of groups.entries()) {
      const described = typeof group === 'string' ? await this.source.featureGroup(group) : group;
      resolved.push(resolveGroupJoin(described, options, rest.recordIdentifierFeatureName, i));
    }
    return { ...rest, groups: resolved };
  }

  /**
   * The statement, for DuckDB (what Floe runs) or for a cluster: `{ dialect: 'trino' | 'spark' }`
   * with the cluster's table names (see ToSqlOptions), so the same point-in-time join runs there.
   */
  async toSQL(options: ToSqlOptions = {}): Promise<string> {
    checkSqlOptions(options);
    return this.source.sql(await this.plan(), options);
  }

  async toRows(): Promise<Array<Record<string, unknown>>> {
    return this.source.rows(await this.plan());
  }

  async toArrow(): Promise<Table> {
    return this.source.arrow(await this.plan());
  }

  /** Writes the dataset to a Parquet or CSV file (by extension); returns the number of rows. */
  async toFile(path: string): Promise<number> {
    return this.source.toFile(await this.plan(), path);
  }
}

function resolveGroupJoin(group: FeatureGroup, options: FeatureGroupJoinOptions, baseIdentifier: string, index: number): GroupJoinPlan {
  const field = `featureGroups[${index}]`;
  const name = group.featureGroupName;
  if (!group.offlineStoreConfig.enableOfflineStore) throw new ValidationError(`${field}: feature group '${name}' has no offline store`, { field });
  const known = new Map(group.features.map((f) => [f.featureName, f]));
  const feature = (value: unknown, option: string) => {
    const featureName = nonEmptyName(value, `${field}.${option}`);
    if (!known.has(featureName)) throw new ValidationError(`${field}.${option}: '${featureName}' is not a feature of '${name}'`, { field: `${field}.${option}` });
    return featureName;
  };
  if (options.includedFeatureNames !== undefined && !Array.isArray(options.includedFeatureNames)) {
    throw new ValidationError(`${field}.includedFeatureNames: must be a list of feature names`, { field: `${field}.includedFeatureNames` });
  }
  const included =
    options.includedFeatureNames?.map((f) => feature(f, 'includedFeatureNames')) ??
    group.features.map((f) => f.featureName).filter((f) => f !== group.recordIdentifierFeatureName && f !== group.eventTimeFeatureName);
  if (new Set(included).size !== included.length) {
    throw new ValidationError(`${field}.includedFeatureNames: a feature is named twice`, { field: `${field}.includedFeatureNames` });
  }
  const eventTimeType = known.get(group.eventTimeFeatureName)?.featureType === 'Fractional' ? 'Fractional' : 'String';
  return {
    featureGroupName: name,
    recordIdentifierFeatureName: group.recordIdentifierFeatureName,
    eventTimeFeatureName: group.eventTimeFeatureName,
    eventTimeType,
    targetFeatureNameInBase: nonEmptyName(options.targetFeatureNameInBase ?? baseIdentifier, `${field}.targetFeatureNameInBase`),
    featureNameInTarget: options.featureNameInTarget === undefined ? group.recordIdentifierFeatureName : feature(options.featureNameInTarget, 'featureNameInTarget'),
    includedFeatureNames: included,
    ...generalJoinOptions(options, field),
  };
}

/** The options that do not depend on the group. */
function generalJoinOptions(options: FeatureGroupJoinOptions, field: string): Pick<GroupJoinPlan, 'joinComparator' | 'joinType' | 'maxAgeSeconds' | 'prefix'> {
  return {
    joinComparator: options.joinComparator === undefined ? '=' : oneOf(options.joinComparator, JOIN_COMPARATORS, `${field}.joinComparator`),
    joinType: options.joinType === undefined ? 'left' : oneOf(options.joinType, JOIN_TYPES, `${field}.joinType`),
    ...(options.maxAge === undefined ? {} : { maxAgeSeconds: parseDuration(options.maxAge, `${field}.maxAge`) }),
    ...(options.prefix === undefined ? {} : { prefix: nonEmptyName(options.prefix, `${field}.prefix`) }),
  };
}
