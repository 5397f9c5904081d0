import { ValidationError } from '../domain/index.js';
import { DuckDBDatasetCompiler } from './duckdb-compiler.js';
import { oneOf } from './plan-options.js';
import type { DatasetPlan } from './plan.js';
import { SparkDatasetCompiler } from './spark-compiler.js';
import type { DatasetRelations, DatasetSqlCompiler } from './sql-compiler.js';
import { TrinoDatasetCompiler } from './trino-compiler.js';

export const SQL_DIALECTS = ['duckdb', 'trino', 'spark'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

export interface ToSqlOptions {
  /** The engine the statement is for (default 'duckdb', the statement Floe runs itself). */
  dialect?: SqlDialect;
  /**
   * Trino and Spark: each feature group's table as the cluster names it, e.g.
   * `{ users: 'iceberg.floe.users' }` (default: the group's name, quoted, in the session's schema).
   */
  tables?: Readonly<Record<string, string>>;
  /**
   * Trino and Spark: the table holding the base rows on the cluster. Needed when the base is rows,
   * an Arrow table or a local file; a base given as { relation } or { featureGroupName } names its
   * own, and { sql } is used as written.
   */
  baseRelation?: string;
}

const COMPILERS: Record<SqlDialect, () => DatasetSqlCompiler> = {
  duckdb: () => new DuckDBDatasetCompiler(),
  trino: () => new TrinoDatasetCompiler(),
  spark: () => new SparkDatasetCompiler(),
};

export function checkSqlOptions(options: ToSqlOptions): SqlDialect {
  if (options === null || typeof options !== 'object') throw new ValidationError('options: expected { dialect, tables, baseRelation }', { field: 'options' });
  const dialect = options.dialect === undefined ? 'duckdb' : oneOf(options.dialect, SQL_DIALECTS, 'dialect');
  for (const [name, table] of Object.entries(options.tables ?? {})) {
    if (typeof table !== 'string' || table.trim() === '') throw new ValidationError(`tables.${name}: must be a table name`, { field: `tables.${name}` });
  }
  if (options.baseRelation !== undefined && (typeof options.baseRelation !== 'string' || options.baseRelation.trim() === '')) {
    throw new ValidationError('baseRelation: must be a table name', { field: 'baseRelation' });
  }
  return dialect;
}

/**
 * A plan as SQL for another engine than the one Floe runs: the base's columns (described where
 * Floe can read it) with the cluster's table names.
 */
export function compileForCluster(plan: DatasetPlan, dialect: Exclude<SqlDialect, 'duckdb'>, baseColumns: DatasetRelations['base']['columns'], options: ToSqlOptions): string {
  const compiler = COMPILERS[dialect]();
  const table = (group: string) => options.tables?.[group] ?? compiler.quote(group);
  const base = plan.base as { relation?: unknown; featureGroupName?: unknown; sql?: unknown };
  let from: string;
  if (options.baseRelation !== undefined) from = options.baseRelation;
  else if (typeof base.relation === 'string') from = base.relation;
  else if (typeof base.featureGroupName === 'string') from = table(base.featureGroupName);
  else if (typeof base.sql === 'string') from = `(${base.sql})`;
  else {
    throw new ValidationError(`baseRelation: a ${dialect} statement reads its base from a table on the cluster; give the table holding the base rows`, { field: 'baseRelation' });
  }
  const groups = Object.fromEntries(plan.groups.map((g) => [g.featureGroupName, table(g.featureGroupName)]));
  return compiler.compile(plan, { base: { from, columns: baseColumns }, groups });
}
