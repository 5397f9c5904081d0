import type { DuckDBConnection } from '@duckdb/node-api';
import type { SqlDialect } from './dialects.js';

/**
 * Runs Trino and Spark statements on DuckDB, to check their shape and semantics where no Trino or
 * Spark can run. Their functions become DuckDB macros with the same meaning; three spellings that
 * DuckDB reads differently are rewritten, and only those: Trino's `TIMESTAMP(6) WITH TIME ZONE`
 * (DuckDB takes no precision), Spark's backtick quotes, and Spark's TIMESTAMP (an instant in
 * Spark, a local time in DuckDB) as TIMESTAMPTZ. What this cannot check is that Trino and Spark
 * parse ISO-8601 text as their documentation says; that remains unverified here.
 */
export async function installClusterFunctions(connection: DuckDBConnection, isoInstant: (x: string) => string): Promise<void> {
  const macros = [
    `from_iso8601_timestamp_nanos(x) AS ${isoInstant('x')}`,
    'from_unixtime_nanos(n) AS make_timestamptz(CAST(n // 1000 AS BIGINT))',
    'timestamp_micros(n) AS make_timestamptz(CAST(n AS BIGINT))',
    'unix_micros(t) AS epoch_us(t)',
    'monotonically_increasing_id() AS row_number() OVER ()',
  ];
  for (const macro of macros) await connection.run(`CREATE OR REPLACE TEMP MACRO ${macro}`);
}

export function asDuckDB(sql: string, dialect: SqlDialect): string {
  if (dialect === 'trino') return sql.replaceAll('TIMESTAMP(6) WITH TIME ZONE', 'TIMESTAMPTZ');
  if (dialect === 'spark') return sql.replaceAll('`', '"').replaceAll(' AS TIMESTAMP)', ' AS TIMESTAMPTZ)');
  return sql;
}
