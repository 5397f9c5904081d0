import type { DatasetPlan } from './plan.js';
import { DatasetSqlCompiler, type DatasetRelations } from './sql-compiler.js';

/**
 * Trino (and engines that share its functions, such as Athena engine 3): the shared window shape,
 * which is Trino's own way to say "newest at or before" (it has no ASOF JOIN). Instants are
 * `timestamp(6) with time zone`: ISO-8601 text through from_iso8601_timestamp_nanos (any offset, 'Z',
 * fractions), epoch seconds and literals through from_unixtime_nanos, so microseconds are kept
 * where from_iso8601_timestamp and from_unixtime would round to milliseconds.
 */
export class TrinoDatasetCompiler extends DatasetSqlCompiler {
  readonly dialect: string = 'trino';

  protected isoInstant(expression: string): string {
    return `CAST(from_iso8601_timestamp_nanos(${expression}) AS TIMESTAMP(6) WITH TIME ZONE)`;
  }

  protected epochInstant(expression: string): string {
    return `CAST(from_unixtime_nanos(CAST(round(CAST(${expression} AS DOUBLE) * 1000000) AS BIGINT) * 1000) AS TIMESTAMP(6) WITH TIME ZONE)`;
  }

  protected override timestampInstant(expression: string): string {
    return `CAST(${expression} AS TIMESTAMP(6) WITH TIME ZONE)`;
  }

  protected instantLiteral(micros: number): string {
    return `CAST(from_unixtime_nanos(${Math.trunc(micros)}000) AS TIMESTAMP(6) WITH TIME ZONE)`;
  }
}

/** Compiles a plan to one Trino statement (see TrinoDatasetCompiler). */
export function compileToTrino(plan: DatasetPlan, relations: DatasetRelations): string {
  return new TrinoDatasetCompiler().compile(plan, relations);
}
