import type { DatasetPlan } from './plan.js';
import { DatasetSqlCompiler, type DatasetRelations } from './sql-compiler.js';

/**
 * Spark SQL (3.1 or later): the shared window shape with Spark's quoting and functions. Spark's
 * TIMESTAMP is an instant with microseconds: ISO-8601 text with an offset or 'Z' casts to it,
 * epoch microseconds go through timestamp_micros. `row_number() OVER ()` needs an order in Spark,
 * so base rows are numbered by monotonically_increasing_id(): increasing in read order, not dense,
 * which is all the statement needs.
 */
export class SparkDatasetCompiler extends DatasetSqlCompiler {
  readonly dialect = 'spark';

  override quote(name: string): string {
    return `\`${name.replaceAll('`', '``')}\``;
  }

  protected isoInstant(expression: string): string {
    return `CAST(${expression} AS TIMESTAMP)`;
  }

  protected epochInstant(expression: string): string {
    return `timestamp_micros(CAST(round(CAST(${expression} AS DOUBLE) * 1000000) AS BIGINT))`;
  }

  protected override timestampInstant(expression: string): string {
    return `CAST(${expression} AS TIMESTAMP)`;
  }

  protected instantLiteral(micros: number): string {
    return `timestamp_micros(${Math.trunc(micros)})`;
  }

  protected override instantMinus(instant: string, seconds: number): string {
    return `timestamp_micros(unix_micros(${instant}) - ${Math.round(seconds * 1e6)})`;
  }

  protected override baseRowNumber(): string {
    return 'monotonically_increasing_id()';
  }
}

/** Compiles a plan to one Spark SQL statement (see SparkDatasetCompiler). */
export function compileToSpark(plan: DatasetPlan, relations: DatasetRelations): string {
  return new SparkDatasetCompiler().compile(plan, relations);
}
