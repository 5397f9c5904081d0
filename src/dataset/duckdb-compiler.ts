import { ValidationError } from '../domain/index.js';
import { outputFeatures, type OutputFeature } from './output-columns.js';
import type { DatasetPlan, GroupJoinPlan } from './plan.js';

/** Where the compiled statement reads: relation names or SQL table expressions, given by the caller. */
export interface DuckDBRelations {
  /** The base: a FROM expression (a view name, `read_parquet('...')`, `(SELECT ...)`) and its columns with DuckDB types. */
  base: { from: string; columns: ReadonlyArray<{ name: string; type: string }> };
  /** Each feature group's offline rows, by feature group name, as a FROM expression. */
  groups: Readonly<Record<string, string>>;
}

export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const q = quoteIdentifier;
const at = (micros: number) => `make_timestamptz(${Math.trunc(micros)})`;
const INFINITY = `'infinity'::TIMESTAMPTZ`;

/**
 * ISO-8601 text to an instant. DuckDB's cast takes offsets ('+09:00', '+0900', '+09') and any
 * number of fractional digits (keeping microseconds, as the domain does), but not a lower-case
 * 'z', a decimal comma or a time without seconds, which ISO-8601 allows: those take the slower
 * rewrite, only when the plain cast fails.
 */
export function isoInstant(expression: string): string {
  const normalised =
    `regexp_replace(regexp_replace(replace(${expression}, ',', '.'), '[zZ]$', '+00:00'), ` +
    `'^(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2})([+-])', '\\1:00\\2')`;
  return `COALESCE(TRY_CAST(${expression} AS TIMESTAMPTZ), CAST(${normalised} AS TIMESTAMPTZ))`;
}

/** Fractional epoch seconds to an instant, rounded to the microsecond like the domain's epochSecondsToMicros. */
export const epochInstant = (expression: string) => `make_timestamptz(CAST(round(CAST(${expression} AS DOUBLE) * 1000000) AS BIGINT))`;

function baseInstant(expression: string, type: string, field: string): string {
  const t = type.toUpperCase();
  if (t === 'VARCHAR' || t.startsWith('VARCHAR(')) return isoInstant(expression);
  if (t.startsWith('TIMESTAMP') || t === 'DATE') return `CAST(${expression} AS TIMESTAMPTZ)`;
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC|HUGEINT|U?BIGINT|U?INTEGER|U?SMALLINT|U?TINYINT)/.test(t)) return epochInstant(expression);
  throw new ValidationError(`${field}: the base column's type ${type} is not an event time (ISO-8601 text, epoch seconds or a timestamp)`, { field });
}

/** Newest first: event time, then last written, then last invoked. */
const recordKey = (eventTime: string, writeTime: string, invocationTime: string) => `struct_pack(t := ${eventTime}, w := ${writeTime}, a := ${invocationTime})`;

/** Whether a group's join can be one ASOF JOIN: one record per row, matched on the identifier. */
function usesAsof(plan: DatasetPlan, g: GroupJoinPlan): boolean {
  return (
    !plan.includeDuplicatedRecords &&
    plan.recentRecordsPerIdentifier === undefined &&
    g.joinComparator === '=' &&
    g.featureNameInTarget === g.recordIdentifierFeatureName &&
    (g.joinType === 'left' || g.joinType === 'inner')
  );
}

const maxAgeInterval = (g: GroupJoinPlan) => `to_microseconds(${Math.round(g.maxAgeSeconds! * 1e6)})`;

/** The group's records after asOf, event-time range, delete-marker and duplicate rules, as a CTE body. */
function candidates(plan: DatasetPlan, g: GroupJoinPlan, from: string, deduplicate: boolean): string {
  const eventTime = g.eventTimeType === 'Fractional' ? epochInstant(q(g.eventTimeFeatureName)) : isoInstant(q(g.eventTimeFeatureName));
  const where = ['__floe_et IS NOT NULL'];
  if (plan.asOfMicros !== undefined) where.push(`write_time <= ${at(plan.asOfMicros)}`);
  if (plan.eventTimeRange) where.push(`__floe_et BETWEEN ${at(plan.eventTimeRange.startMicros)} AND ${at(plan.eventTimeRange.endMicros)}`);
  if (plan.includeDeletedRecords) where.push('NOT is_deleted');
  const columns = [
    `${q(g.recordIdentifierFeatureName)} AS __floe_id`,
    `${q(g.featureNameInTarget)} AS __floe_j`,
    '__floe_et',
    `${recordKey('__floe_et', 'CAST(write_time AS TIMESTAMPTZ)', 'CAST(api_invocation_time AS TIMESTAMPTZ)')} AS __floe_k`,
    'is_deleted AS __floe_deleted',
    ...g.includedFeatureNames.map((f, k) => `${q(f)} AS __floe_f${k}`),
  ];
  return (
    `SELECT ${columns.join(', ')} FROM (SELECT *, ${eventTime} AS __floe_et FROM ${from}) WHERE ${where.join(' AND ')}` +
    (deduplicate ? ' QUALIFY row_number() OVER (PARTITION BY __floe_id, __floe_et ORDER BY __floe_k DESC) = 1' : '')
  );
}

/** Without the point-in-time flag: each identifier's newest record, by aggregation (no sort). */
function newestPerIdentifier(g: GroupJoinPlan, i: number): string {
  const newest = (column: string) => `arg_max_null(${column}, __floe_k) AS ${column}`;
  const columns = ['__floe_et', '__floe_deleted', ...g.includedFeatureNames.map((_, k) => `__floe_f${k}`)].map(newest);
  return `SELECT __floe_id, __floe_id AS __floe_j, max(__floe_k) AS __floe_k, ${columns.join(', ')} FROM __floe_g${i} GROUP BY __floe_id`;
}

/** The join condition between base row b and record g, without the point-in-time bound. */
function matches(g: GroupJoinPlan, record: string): string {
  if (g.joinType === 'cross') return 'TRUE';
  return `b.${q(g.targetFeatureNameInBase)} ${g.joinComparator} ${record}.__floe_j`;
}

/**
 * The (base row, record) pairs that join, for groups that may join several records or none-key
 * conditions: a plain join ranked by window functions (the shape SageMaker generates).
 */
function selectedPairs(plan: DatasetPlan, g: GroupJoinPlan, i: number): string[] {
  const time = plan.pointInTime ? ' AND g.__floe_et <= b.__floe_t' : '';
  const pairs =
    `__floe_p${i} AS (SELECT b.__floe_row, b.__floe_t, g.*, ` +
    `max(CASE WHEN g.__floe_deleted THEN g.__floe_k END) OVER (PARTITION BY b.__floe_row, g.__floe_id) AS __floe_dk ` +
    `FROM __floe_base b JOIN __floe_g${i} g ON ${matches(g, 'g')}${time})`;
  const live = ['NOT __floe_deleted', '(__floe_dk IS NULL OR __floe_k > __floe_dk)'];
  if (g.maxAgeSeconds !== undefined) live.push(`__floe_et >= __floe_t - ${maxAgeInterval(g)}`);
  const rank = 'row_number() OVER (PARTITION BY __floe_row ORDER BY __floe_k DESC)';
  let qualify: string | undefined;
  if (plan.recentRecordsPerIdentifier !== undefined) qualify = `${rank} <= ${plan.recentRecordsPerIdentifier}`;
  else if (g.joinType === 'cross') qualify = undefined;
  else if (plan.includeDuplicatedRecords) qualify = '__floe_et = max(__floe_et) OVER (PARTITION BY __floe_row)';
  else qualify = `${rank} = 1`;
  const selected = `__floe_m${i} AS (SELECT * FROM __floe_p${i} WHERE ${live.join(' AND ')}${qualify ? ` QUALIFY ${qualify}` : ''})`;
  return [pairs, selected];
}

/** Records of a right or full join that joined no row: live ones (not deleted later), after the base rows. */
function unmatchedRecords(g: GroupJoinPlan, i: number, names: OutputFeature[]): string {
  const features = names.map((n, k) => `g.__floe_f${k} AS ${q(n.name)}`);
  return (
    `SELECT ${features.join(', ')}, ${i} AS __floe_extra, g.__floe_id AS __floe_xid, g.__floe_k AS __floe_k${i} ` +
    `FROM (SELECT *, max(CASE WHEN __floe_deleted THEN __floe_k END) OVER (PARTITION BY __floe_id) AS __floe_dk FROM __floe_g${i}) g ` +
    `WHERE NOT g.__floe_deleted AND (g.__floe_dk IS NULL OR g.__floe_k > g.__floe_dk) ` +
    `AND NOT EXISTS (SELECT 1 FROM __floe_m${i} m WHERE m.__floe_id = g.__floe_id AND m.__floe_k = g.__floe_k)`
  );
}

function checkColumns(plan: DatasetPlan, relations: DuckDBRelations): Map<string, string> {
  const types = new Map(relations.base.columns.map((c) => [c.name, c.type]));
  for (const field of ['recordIdentifierFeatureName', 'eventTimeFeatureName'] as const) {
    if (!types.has(plan[field])) throw new ValidationError(`${field}: the base has no column '${plan[field]}'`, { field });
  }
  plan.groups.forEach((g, i) => {
    const field = `featureGroups[${i}]`;
    if (g.joinType !== 'cross' && !types.has(g.targetFeatureNameInBase)) {
      throw new ValidationError(`${field}.targetFeatureNameInBase: the base has no column '${g.targetFeatureNameInBase}'`, { field: `${field}.targetFeatureNameInBase` });
    }
    if (relations.groups[g.featureGroupName] === undefined) {
      throw new ValidationError(`${field}: no relation given for feature group '${g.featureGroupName}'`, { field });
    }
  });
  return types;
}

/**
 * Compiles a plan to one DuckDB statement. A group that joins one record per row on its identifier
 * is an ASOF LEFT JOIN whose inequality orders records by (event time, write_time,
 * api_invocation_time), so the newest candidate at or before the row's time is also the last
 * written of its duplicates, with no window function; delete markers and maxAge then turn its
 * features into NULLs. Several records per row (N most recent, duplicates included), other
 * comparators and right, full or cross joins take ranked window functions instead. The base's
 * order is kept by a row number.
 */
export function compileToDuckDB(plan: DatasetPlan, relations: DuckDBRelations): string {
  const types = checkColumns(plan, relations);
  const baseColumns = relations.base.columns.map((c) => c.name);
  const names = outputFeatures(plan, baseColumns);
  const baseTime = baseInstant(q(plan.eventTimeFeatureName), types.get(plan.eventTimeFeatureName)!, 'eventTimeFeatureName');
  const ctes = [`__floe_base AS (SELECT *, row_number() OVER () AS __floe_row, ${baseTime} AS __floe_t FROM ${relations.base.from})`];
  const select = baseColumns.map((c) => `b.${q(c)}`);
  const joins: string[] = [];
  const where: string[] = [];
  const order = ['__floe_row'];
  const extras: string[] = [];
  plan.groups.forEach((g, i) => {
    const from = relations.groups[g.featureGroupName]!;
    const alias = `g${i}`;
    if (usesAsof(plan, g)) {
      ctes.push(`__floe_g${i} AS (${candidates(plan, g, from, false)})`);
      if (plan.pointInTime) {
        const probe = `CASE WHEN b.__floe_t IS NULL THEN NULL ELSE ${recordKey('b.__floe_t', INFINITY, INFINITY)} END`;
        joins.push(`ASOF LEFT JOIN __floe_g${i} ${alias} ON ${matches(g, alias)} AND ${probe} >= ${alias}.__floe_k`);
      } else {
        ctes.push(`__floe_l${i} AS (${newestPerIdentifier(g, i)})`);
        joins.push(`LEFT JOIN __floe_l${i} ${alias} ON ${matches(g, alias)}`);
      }
      const live = [`${alias}.__floe_id IS NOT NULL`, `NOT ${alias}.__floe_deleted`];
      if (g.maxAgeSeconds !== undefined) live.push(`(${alias}.__floe_et >= b.__floe_t - ${maxAgeInterval(g)}) IS TRUE`);
      const isLive = live.join(' AND ');
      names[i]!.forEach((n, k) => select.push(`CASE WHEN ${isLive} THEN ${alias}.__floe_f${k} END AS ${q(n.name)}`));
      if (g.joinType === 'inner') where.push(isLive);
      return;
    }
    ctes.push(`__floe_g${i} AS (${candidates(plan, g, from, !plan.includeDuplicatedRecords)})`, ...selectedPairs(plan, g, i));
    const keepsUnmatchedRows = g.joinType === 'left' || g.joinType === 'full';
    joins.push(`${keepsUnmatchedRows ? 'LEFT JOIN' : 'JOIN'} __floe_m${i} ${alias} ON ${alias}.__floe_row = b.__floe_row`);
    names[i]!.forEach((n, k) => select.push(`${alias}.__floe_f${k} AS ${q(n.name)}`));
    select.push(`${alias}.__floe_k AS __floe_k${i}`);
    order.push(`__floe_k${i} DESC`);
    if (g.joinType === 'right' || g.joinType === 'full') extras.push(unmatchedRecords(g, i, names[i]!));
  });
  select.push('b.__floe_row');
  const limit = plan.limit === undefined ? '' : `\nLIMIT ${plan.limit}`;
  const main = `SELECT ${select.join(', ')}\nFROM __floe_base b\n${joins.join('\n')}${where.length ? `\nWHERE ${where.map((w) => `(${w})`).join(' AND ')}` : ''}`;
  const internal = ['__floe_row', ...plan.groups.flatMap((g, i) => (usesAsof(plan, g) ? [] : [`__floe_k${i}`]))];
  if (extras.length === 0) {
    return `WITH ${ctes.join(',\n')}\nSELECT * EXCLUDE (${internal.join(', ')}) FROM (\n${main}\n)\nORDER BY ${order.join(', ')}${limit}`;
  }
  const all = [main, ...extras].join('\nUNION ALL BY NAME\n');
  return (
    `WITH ${ctes.join(',\n')}\nSELECT * EXCLUDE (${[...internal, '__floe_extra', '__floe_xid'].join(', ')}) FROM (\n${all}\n)\n` +
    `ORDER BY __floe_row NULLS LAST, __floe_extra NULLS FIRST, __floe_xid, ${order.slice(1).join(', ')}${limit}`
  );
}
