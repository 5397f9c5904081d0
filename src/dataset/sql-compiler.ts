import { ValidationError } from '../domain/index.js';
import { outputFeatures, type OutputFeature } from './output-columns.js';
import type { DatasetPlan, GroupJoinPlan } from './plan.js';

/** Where the compiled statement reads: relation names or SQL table expressions, given by the caller. */
export interface DatasetRelations {
  /** The base: a FROM expression (a table name, `(SELECT ...)`) and its columns with DuckDB types (only the event time's matters). */
  base: { from: string; columns: ReadonlyArray<{ name: string; type: string }> };
  /** Each feature group's offline rows, by feature group name, as a FROM expression. */
  groups: Readonly<Record<string, string>>;
}

/** How a group joins in the statement: its CTEs, its join onto the base rows, and its columns there. */
interface GroupJoin {
  ctes: string[];
  join: string;
  /** Feature expressions over the join's alias, in output order. */
  features: string[];
  /** Expressions that order several records of one row newest first (empty when one record joins). */
  order: string[];
  /** A condition on the joined row (an inner join that keeps only rows with features). */
  where?: string;
}

/** Order of records, newest first: event time, then last written, then last invoked. */
const NEWEST_FIRST = ['__floe_et DESC', '__floe_wt DESC', '__floe_at DESC'];
const KEY = ['__floe_et', '__floe_wt', '__floe_at'];

/**
 * Compiles a dataset plan to one SQL statement: a visitor over the plan whose dialects override
 * a few methods (identifier quoting, instants from ISO-8601 text and epoch seconds, time
 * literals, durations, the base row number, filters on window functions) and, where an engine has
 * a better shape, a whole group join (DuckDB's ASOF JOIN).
 *
 * The shared shape is portable SQL with window functions, the one SageMaker generates for
 * Athena: a group's candidates (asOf, event-time range, duplicates collapsed to the last
 * written), paired with the base rows they match at or before the row's time, ranked newest
 * first per row; delete markers are counted in that order, so a candidate is live when no
 * marker is at or above it. The base's order is kept by a row number, and the final SELECT names
 * its columns.
 */
export abstract class DatasetSqlCompiler {
  abstract readonly dialect: string;

  /** The name of an identifier in this dialect's quoting. */
  quote(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  }

  /** ISO-8601 text with any offset, to an instant with microseconds. */
  protected abstract isoInstant(expression: string): string;
  /** Fractional epoch seconds to an instant, rounded to the microsecond. */
  protected abstract epochInstant(expression: string): string;
  /** A timestamp column (with or without zone, or a date) to an instant. */
  protected timestampInstant(expression: string): string {
    return `CAST(${expression} AS TIMESTAMP WITH TIME ZONE)`;
  }
  /** An instant literal from epoch microseconds. */
  protected abstract instantLiteral(micros: number): string;
  /** The instant `seconds` before `instant`. */
  protected instantMinus(instant: string, seconds: number): string {
    return `${instant} - INTERVAL '${seconds}' SECOND`;
  }
  /** A number for each base row that orders the rows as the base was read. */
  protected baseRowNumber(): string {
    return 'row_number() OVER ()';
  }
  /** `body` filtered on the window expressions in `windows` (name -> expression), then on `condition`. */
  protected filterOnWindows(body: string, windows: Record<string, string>, condition: string): string {
    const extra = Object.entries(windows).map(([name, expression]) => `, ${expression} AS ${name}`).join('');
    const select = body.replace(/^SELECT \* /, `SELECT *${extra} `);
    if (select === body) throw new Error('filterOnWindows: the body must begin with SELECT *');
    return `SELECT * FROM (${select}) __floe_w WHERE ${condition}`;
  }

  compile(plan: DatasetPlan, relations: DatasetRelations): string {
    const types = checkColumns(plan, relations);
    const q = (name: string) => this.quote(name);
    const baseColumns = relations.base.columns.map((c) => c.name);
    const names = outputFeatures(plan, baseColumns);
    const baseTime = this.baseInstant(q(plan.eventTimeFeatureName), types.get(plan.eventTimeFeatureName)!);
    const ctes = [`__floe_base AS (SELECT *, ${this.baseRowNumber()} AS __floe_row, ${baseTime} AS __floe_t FROM ${relations.base.from})`];
    const select = baseColumns.map((c) => `b.${q(c)} AS ${q(c)}`);
    const joins: string[] = [];
    const where: string[] = [];
    const order = ['__floe_row'];
    const internal = ['__floe_row'];
    const extras: Array<{ group: number; select: string }> = [];
    plan.groups.forEach((g, i) => {
      const from = relations.groups[g.featureGroupName]!;
      const join = this.oneRecordPerRow(plan, g) ? this.oneRecordJoin(plan, g, i, from) : this.windowJoin(plan, g, i, from);
      ctes.push(...join.ctes);
      joins.push(join.join);
      names[i]!.forEach((n, k) => select.push(`${join.features[k]} AS ${q(n.name)}`));
      join.order.forEach((expression, k) => {
        select.push(`${expression} AS __floe_k${i}_${k}`);
        internal.push(`__floe_k${i}_${k}`);
        order.push(`__floe_k${i}_${k} DESC`);
      });
      if (join.where) where.push(join.where);
      if (g.joinType === 'right' || g.joinType === 'full') extras.push({ group: i, select: '' });
    });
    select.push('b.__floe_row AS __floe_row');
    const outputs = [...baseColumns, ...names.flat().map((n) => n.name)].map(q);
    const limit = plan.limit === undefined ? '' : `\nLIMIT ${plan.limit}`;
    const main = `SELECT ${select.join(', ')}\nFROM __floe_base b\n${joins.join('\n')}${where.length ? `\nWHERE ${where.map((w) => `(${w})`).join(' AND ')}` : ''}`;
    if (extras.length === 0) {
      return `WITH ${ctes.join(',\n')}\nSELECT ${outputs.join(', ')} FROM (\n${main}\n) __floe_r\nORDER BY ${order.join(', ')}${limit}`;
    }
    // Right and full joins append each group's unmatched live records, base columns NULL.
    const columns = [...baseColumns.map(q), ...names.flatMap((group) => group.map((n) => q(n.name))), ...internal];
    const union = [
      `SELECT ${columns.join(', ')}, CAST(NULL AS INTEGER) AS __floe_extra, NULL AS __floe_xid FROM (\n${main}\n) __floe_m`,
      ...extras.map(({ group }) => this.unmatchedRecords(plan.groups[group]!, group, names, baseColumns, internal)),
    ];
    return (
      `WITH ${ctes.join(',\n')}\nSELECT ${outputs.join(', ')} FROM (\n${union.join('\nUNION ALL\n')}\n) __floe_r\n` +
      `ORDER BY __floe_row NULLS LAST, __floe_extra NULLS FIRST, __floe_xid, ${order.slice(1).join(', ')}${limit}`
    );
  }

  /** Whether a group joins at most one record per row, matched on its identifier. */
  protected oneRecordPerRow(plan: DatasetPlan, g: GroupJoinPlan): boolean {
    return (
      !plan.includeDuplicatedRecords &&
      plan.recentRecordsPerIdentifier === undefined &&
      g.joinComparator === '=' &&
      g.featureNameInTarget === g.recordIdentifierFeatureName &&
      (g.joinType === 'left' || g.joinType === 'inner')
    );
  }

  protected baseInstant(expression: string, type: string): string {
    const t = type.toUpperCase();
    if (t === 'VARCHAR' || t.startsWith('VARCHAR(')) return this.isoInstant(expression);
    if (t.startsWith('TIMESTAMP') || t === 'DATE') return this.timestampInstant(expression);
    if (/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC|HUGEINT|U?BIGINT|U?INTEGER|U?SMALLINT|U?TINYINT)/.test(t)) return this.epochInstant(expression);
    const field = 'eventTimeFeatureName';
    throw new ValidationError(`${field}: the base column's type ${type} is not an event time (ISO-8601 text, epoch seconds or a timestamp)`, { field });
  }

  /** The group's records inside asOf and the event-time range, with Floe's internal names. */
  protected candidates(plan: DatasetPlan, g: GroupJoinPlan, from: string): string {
    const q = (name: string) => this.quote(name);
    const eventTime = g.eventTimeType === 'Fractional' ? this.epochInstant(q(g.eventTimeFeatureName)) : this.isoInstant(q(g.eventTimeFeatureName));
    const where = ['__floe_et IS NOT NULL'];
    if (plan.asOfMicros !== undefined) where.push(`__floe_wt <= ${this.instantLiteral(plan.asOfMicros)}`);
    if (plan.eventTimeRange) where.push(`__floe_et BETWEEN ${this.instantLiteral(plan.eventTimeRange.startMicros)} AND ${this.instantLiteral(plan.eventTimeRange.endMicros)}`);
    if (plan.includeDeletedRecords) where.push('NOT __floe_deleted');
    const columns = [
      `${q(g.recordIdentifierFeatureName)} AS __floe_id`,
      `${q(g.featureNameInTarget)} AS __floe_j`,
      `${eventTime} AS __floe_et`,
      `${this.timestampInstant(q('write_time'))} AS __floe_wt`,
      `${this.timestampInstant(q('api_invocation_time'))} AS __floe_at`,
      `${q('is_deleted')} AS __floe_deleted`,
      ...g.includedFeatureNames.map((f, k) => `${q(f)} AS __floe_f${k}`),
    ];
    return `SELECT * FROM (SELECT ${columns.join(', ')} FROM ${from}) __floe_c WHERE ${where.join(' AND ')}`;
  }

  /** Duplicates (same identifier and event time) collapsed to the last written. */
  protected deduplicated(candidates: string): string {
    return this.filterOnWindows(candidates, { __floe_dup: 'row_number() OVER (PARTITION BY __floe_id, __floe_et ORDER BY __floe_wt DESC, __floe_at DESC)' }, '__floe_dup = 1');
  }

  /** The join condition between base row b and a record, without the point-in-time bound. */
  protected matches(g: GroupJoinPlan, record: string): string {
    if (g.joinType === 'cross') return '1 = 1';
    return `b.${this.quote(g.targetFeatureNameInBase)} ${g.joinComparator} ${record}.__floe_j`;
  }

  /** Whether the record at `alias` is live for base row b: not a delete marker, young enough. */
  protected liveOneRecord(g: GroupJoinPlan, alias: string): string {
    const live = [`${alias}.__floe_id IS NOT NULL`, `NOT ${alias}.__floe_deleted`];
    // A NULL comparison (no base time) fails in CASE and WHERE alike: the record counts as too old.
    if (g.maxAgeSeconds !== undefined) live.push(`${alias}.__floe_et >= ${this.instantMinus('b.__floe_t', g.maxAgeSeconds)}`);
    return live.join(' AND ');
  }

  /**
   * One record per row: the newest candidate matching the row (at or before its time with the
   * point-in-time flag), its features NULL when it is a delete marker or too old. Portable shape:
   * the matching pairs ranked newest first per base row, the first kept.
   */
  protected oneRecordJoin(plan: DatasetPlan, g: GroupJoinPlan, i: number, from: string): GroupJoin {
    const alias = `g${i}`;
    const ctes = [`__floe_g${i} AS (${this.candidates(plan, g, from)})`];
    if (plan.pointInTime) {
      const pairs = `SELECT * FROM (SELECT b.__floe_row AS __floe_r, g.* FROM __floe_base b JOIN __floe_g${i} g ON ${this.matches(g, 'g')} AND g.__floe_et <= b.__floe_t) __floe_p`;
      ctes.push(`__floe_m${i} AS (${this.filterOnWindows(pairs, { __floe_n: `row_number() OVER (PARTITION BY __floe_r ORDER BY ${NEWEST_FIRST.join(', ')})` }, '__floe_n = 1')})`);
      return this.oneRecordResult(g, i, `LEFT JOIN __floe_m${i} ${alias} ON ${alias}.__floe_r = b.__floe_row`, alias, ctes);
    }
    // Without the point-in-time flag: each identifier's newest record, then an equality join.
    ctes.push(`__floe_l${i} AS (${this.filterOnWindows(`SELECT * FROM __floe_g${i}`, { __floe_n: `row_number() OVER (PARTITION BY __floe_id ORDER BY ${NEWEST_FIRST.join(', ')})` }, '__floe_n = 1')})`);
    return this.oneRecordResult(g, i, `LEFT JOIN __floe_l${i} ${alias} ON ${this.matches(g, alias)}`, alias, ctes);
  }

  protected oneRecordResult(g: GroupJoinPlan, i: number, join: string, alias: string, ctes: string[]): GroupJoin {
    const live = this.liveOneRecord(g, alias);
    return {
      ctes,
      join,
      features: g.includedFeatureNames.map((_, k) => `CASE WHEN ${live} THEN ${alias}.__floe_f${k} END`),
      order: [],
      ...(g.joinType === 'inner' ? { where: live } : {}),
    };
  }

  /**
   * Several records per row (N most recent, duplicates included), other comparators, and right,
   * full or cross joins: the (base row, record) pairs that match, delete markers counted newest
   * first per row and identifier (a candidate is live when none is at or above it), ranked.
   */
  protected windowJoin(plan: DatasetPlan, g: GroupJoinPlan, i: number, from: string): GroupJoin {
    const alias = `g${i}`;
    const candidates = this.candidates(plan, g, from);
    const time = plan.pointInTime ? ' AND g.__floe_et <= b.__floe_t' : '';
    const pairs = `SELECT * FROM (SELECT b.__floe_row AS __floe_r, b.__floe_t AS __floe_t, g.* FROM __floe_base b JOIN __floe_g${i} g ON ${this.matches(g, 'g')}${time}) __floe_p`;
    const markers = `count(CASE WHEN __floe_deleted THEN 1 END) OVER (PARTITION BY __floe_r, __floe_id ORDER BY ${NEWEST_FIRST.join(', ')} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
    const live = ['__floe_markers = 0'];
    if (g.maxAgeSeconds !== undefined) live.push(`__floe_et >= ${this.instantMinus('__floe_t', g.maxAgeSeconds)}`);
    const livePairs = this.filterOnWindows(pairs, { __floe_markers: markers }, live.join(' AND '));
    const rank = `row_number() OVER (PARTITION BY __floe_r ORDER BY ${NEWEST_FIRST.join(', ')})`;
    let selected: string;
    if (plan.recentRecordsPerIdentifier !== undefined) selected = this.filterOnWindows(livePairs, { __floe_n: rank }, `__floe_n <= ${plan.recentRecordsPerIdentifier}`);
    else if (g.joinType === 'cross') selected = livePairs;
    else if (plan.includeDuplicatedRecords) selected = this.filterOnWindows(livePairs, { __floe_newest: 'max(__floe_et) OVER (PARTITION BY __floe_r)' }, '__floe_et = __floe_newest');
    else selected = this.filterOnWindows(livePairs, { __floe_n: rank }, '__floe_n = 1');
    const keepsUnmatchedRows = g.joinType === 'left' || g.joinType === 'full';
    return {
      ctes: [`__floe_g${i} AS (${plan.includeDuplicatedRecords ? candidates : this.deduplicated(candidates)})`, `__floe_m${i} AS (${selected})`],
      join: `${keepsUnmatchedRows ? 'LEFT JOIN' : 'JOIN'} __floe_m${i} ${alias} ON ${alias}.__floe_r = b.__floe_row`,
      features: g.includedFeatureNames.map((_, k) => `${alias}.__floe_f${k}`),
      order: KEY.map((k) => `${alias}.${k}`),
    };
  }

  /** Records of a right or full join that joined no row: live ones (no delete marker at or above them), after the base rows. */
  protected unmatchedRecords(g: GroupJoinPlan, i: number, names: OutputFeature[][], baseColumns: readonly string[], internal: readonly string[]): string {
    const q = (name: string) => this.quote(name);
    const columns = [
      ...baseColumns.map((c) => `NULL AS ${q(c)}`),
      ...names.flatMap((group, j) => group.map((n, k) => (j === i ? `u.__floe_f${k} AS ${q(n.name)}` : `NULL AS ${q(n.name)}`))),
      ...internal.map((name) => {
        const key = new RegExp(`^__floe_k${i}_(\\d)$`).exec(name);
        return key ? `u.${KEY[Number(key[1])]} AS ${name}` : `NULL AS ${name}`;
      }),
      `${i} AS __floe_extra`,
      'u.__floe_id AS __floe_xid',
    ];
    const markers = `count(CASE WHEN __floe_deleted THEN 1 END) OVER (PARTITION BY __floe_id ORDER BY ${NEWEST_FIRST.join(', ')} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
    const live = this.filterOnWindows(`SELECT * FROM __floe_g${i}`, { __floe_markers: markers }, '__floe_markers = 0');
    const joined = KEY.map((k) => `m.${k} = u.${k}`).join(' AND ');
    return `SELECT ${columns.join(', ')} FROM (${live}) u WHERE NOT EXISTS (SELECT 1 FROM __floe_m${i} m WHERE m.__floe_id = u.__floe_id AND ${joined})`;
  }
}

function checkColumns(plan: DatasetPlan, relations: DatasetRelations): Map<string, string> {
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
