import type { DatasetPlan, GroupJoinPlan } from './plan.js';
import { DatasetSqlCompiler, type DatasetRelations } from './sql-compiler.js';

/** Where a DuckDB statement reads (the shared relations type). */
export type DuckDBRelations = DatasetRelations;

export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * ISO-8601 text to an instant. DuckDB's cast takes offsets ('+09:00', '+0900', '+09') and any
 * number of fractional digits (keeping microseconds, as the domain does), but not a lower-case
 * 'z', a decimal comma or a time without seconds, which ISO-8601 allows: those take the slower
 * rewrite, only when the plain cast fails. Shared with maintenance (retention by event time).
 */
export function isoInstant(expression: string): string {
  const normalised =
    `regexp_replace(regexp_replace(replace(${expression}, ',', '.'), '[zZ]$', '+00:00'), ` +
    `'^(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2})([+-])', '\\1:00\\2')`;
  return `COALESCE(TRY_CAST(${expression} AS TIMESTAMPTZ), CAST(${normalised} AS TIMESTAMPTZ))`;
}

/** Fractional epoch seconds to an instant, rounded to the microsecond like the domain's epochSecondsToMicros. */
export const epochInstant = (expression: string): string => `make_timestamptz(CAST(round(CAST(${expression} AS DOUBLE) * 1000000) AS BIGINT))`;

/**
 * DuckDB: the shared shape, with an ASOF LEFT JOIN for a group that joins one record per row.
 * Its inequality orders records by (event time, write_time, api_invocation_time), so the newest
 * candidate at or before the row's time is also the last written of its duplicates, with no
 * window function; delete markers and maxAge then turn its features into NULLs. Without the
 * point-in-time flag, each identifier's newest record comes from an aggregation, not a sort.
 */
export class DuckDBDatasetCompiler extends DatasetSqlCompiler {
  readonly dialect = 'duckdb';

  protected isoInstant(expression: string): string {
    return isoInstant(expression);
  }

  protected epochInstant(expression: string): string {
    return epochInstant(expression);
  }

  protected override timestampInstant(expression: string): string {
    return `CAST(${expression} AS TIMESTAMPTZ)`;
  }

  protected instantLiteral(micros: number): string {
    return `make_timestamptz(${Math.trunc(micros)})`;
  }

  protected override instantMinus(instant: string, seconds: number): string {
    return `${instant} - to_microseconds(${Math.round(seconds * 1e6)})`;
  }

  protected override oneRecordJoin(plan: DatasetPlan, g: GroupJoinPlan, i: number, from: string): ReturnType<DatasetSqlCompiler['oneRecordJoin']> {
    const alias = `g${i}`;
    const ctes = [`__floe_g${i} AS (SELECT *, struct_pack(t := __floe_et, w := __floe_wt, a := __floe_at) AS __floe_k FROM (${this.candidates(plan, g, from)}) __floe_c)`];
    if (plan.pointInTime) {
      const probe = `CASE WHEN b.__floe_t IS NULL THEN NULL ELSE struct_pack(t := b.__floe_t, w := 'infinity'::TIMESTAMPTZ, a := 'infinity'::TIMESTAMPTZ) END`;
      return this.oneRecordResult(g, i, `ASOF LEFT JOIN __floe_g${i} ${alias} ON ${this.matches(g, alias)} AND ${probe} >= ${alias}.__floe_k`, alias, ctes);
    }
    const newest = ['__floe_et', '__floe_deleted', ...g.includedFeatureNames.map((_, k) => `__floe_f${k}`)].map((c) => `arg_max_null(${c}, __floe_k) AS ${c}`);
    ctes.push(`__floe_l${i} AS (SELECT __floe_id, __floe_id AS __floe_j, ${newest.join(', ')} FROM __floe_g${i} GROUP BY __floe_id)`);
    return this.oneRecordResult(g, i, `LEFT JOIN __floe_l${i} ${alias} ON ${this.matches(g, alias)}`, alias, ctes);
  }
}

/** Compiles a plan to one DuckDB statement (see DuckDBDatasetCompiler). */
export function compileToDuckDB(plan: DatasetPlan, relations: DuckDBRelations): string {
  return new DuckDBDatasetCompiler().compile(plan, relations);
}
