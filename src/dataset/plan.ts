/**
 * A dataset plan: plain, engine-independent data that a compiler turns into SQL.
 *
 * Semantics (point-in-time accurate joins):
 * - Event times are instants: ISO-8601 with any offset and fractional epoch seconds compare as such.
 * - For a base row at time t, a group's candidates are its records with the same identifier and
 *   event time <= t, written at or before `asOf`, and inside the event-time range.
 * - Records with the same identifier and event time are duplicates: the last written counts
 *   (then the latest API invocation), unless duplicates are included.
 * - If the newest candidate is a delete marker, the row gets no features from that group (NULLs).
 *   `includeDeletedRecords` ignores delete markers, so a deleted record's last values still join.
 * - `maxAge`: a record older than t - maxAge counts as missing (NULLs), with or without the
 *   point-in-time flag.
 * - Without the point-in-time flag, the newest record overall (as of `asOf`) is joined.
 * - A left join keeps every base row exactly once, in the base's order.
 * - `withNumberOfRecentRecordsByRecordIdentifier(n)`: up to n candidates per row (newest first),
 *   one output row each; a row with none keeps one row of NULLs (left join).
 * - Feature columns keep their names; a name already present is written `<group>__<feature>`,
 *   or the group's `prefix` + name when a prefix is given.
 */
export interface GroupJoin {
  featureGroupName: string;
  recordIdentifierFeatureName: string;
  eventTimeFeatureName: string;
  /** 'String' (ISO-8601) or 'Fractional' (epoch seconds). */
  eventTimeType: 'String' | 'Fractional';
  /** The base column holding the group's identifier (default: the group's identifier name). */
  targetFeatureNameInBase: string;
  includedFeatureNames: string[];
  joinType: 'left' | 'inner';
  /** Seconds. */
  maxAgeSeconds?: number;
  prefix?: string;
}

export interface DatasetPlan {
  /** The base relation, as SQL the compiler can select from. */
  baseRelation: string;
  baseColumns: string[];
  /** How the base's event-time column is typed: numbers are epoch seconds, text is ISO-8601. */
  baseEventTimeKind: 'number' | 'text' | 'timestamp';
  recordIdentifierFeatureName: string;
  eventTimeFeatureName: string;
  groups: GroupJoin[];
  pointInTime: boolean;
  includeDuplicatedRecords: boolean;
  includeDeletedRecords: boolean;
  /** Epoch microseconds. */
  asOfMicros?: number;
  eventTimeRange?: { startMicros: number; endMicros: number };
  /** Up to this many most recent records per identifier (one output row each), instead of one. */
  recentRecordsPerIdentifier?: number;
  /** At most this many output rows. */
  limit?: number;
}
