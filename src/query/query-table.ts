import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ValidationError } from '../domain/index.js';

/** A table as the query engine binds it: a name, the Parquet files of a snapshot, its columns. */
export interface QueryTable {
  name: string;
  /** Local Parquet paths, inside the warehouse. */
  files: string[];
  /** Columns with DuckDB types (BIGINT, DOUBLE, VARCHAR, VARCHAR[], TIMESTAMPTZ, BOOLEAN, ...). */
  columns: Array<{ name: string; type: string }>;
}

export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

// Types are spliced into SQL, so only plain type names pass: BIGINT, DECIMAL(18,3), VARCHAR[],
// DOUBLE[3][], TIMESTAMP WITH TIME ZONE. Nested STRUCT/MAP types are not feature types.
const COLUMN_TYPE = /^[A-Za-z][A-Za-z0-9_]*( [A-Za-z][A-Za-z0-9_]*)*(\(\d+(, ?\d+)?\))?(\[\d*\])*$/;

/**
 * The view over a table's files. Files written before a column was added lack it: the union
 * with an empty, fully typed relation makes such columns NULL of the right type; a table with no
 * files yet is that empty relation alone. Every column is cast to its declared type, so a file
 * written with a narrower type (INTEGER for BIGINT) reads as the table says.
 */
export function viewSql(table: QueryTable): string {
  const typed = table.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdentifier(c.name)}`).join(', ');
  const empty = `SELECT ${typed} WHERE false`;
  if (table.files.length === 0) return empty;
  const columns = table.columns.map((c) => `CAST(${quoteIdentifier(c.name)} AS ${c.type}) AS ${quoteIdentifier(c.name)}`).join(', ');
  const files = `[${table.files.map(quoteLiteral).join(', ')}]`;
  // hive_partitioning off: a directory named key=value in a data path must not invent a column.
  const scan = `read_parquet(${files}, union_by_name = true, hive_partitioning = false)`;
  return `SELECT ${columns} FROM (${empty} UNION ALL BY NAME SELECT * FROM ${scan})`;
}

/**
 * Checks the tables handed to one query: unique non-empty names, at least one column, plain
 * column types, and files inside the warehouse (given as it was named or as its real path).
 * DuckDB would refuse other files anyway, but with a message that blames the user's SQL.
 */
export function checkTables(tables: readonly QueryTable[], warehouseDirs: readonly string[]): void {
  const seen = new Set<string>();
  tables.forEach((table, i) => {
    const at = `tables[${i}]`;
    if (typeof table.name !== 'string' || table.name === '') throw new ValidationError(`${at}.name: must be a non-empty string`, { field: `${at}.name` });
    const key = table.name.toLowerCase();
    // DuckDB resolves identifiers case-insensitively, so "Users" and "users" would collide.
    if (seen.has(key)) throw new ValidationError(`${at}.name: table '${table.name}' is bound twice`, { field: `${at}.name` });
    seen.add(key);
    if (table.columns.length === 0) throw new ValidationError(`${at}.columns: table '${table.name}' has no columns`, { field: `${at}.columns` });
    table.columns.forEach((column, j) => {
      if (!COLUMN_TYPE.test(column.type)) {
        throw new ValidationError(`${at}.columns[${j}].type: '${column.type}' is not a plain DuckDB type (column '${column.name}')`, {
          field: `${at}.columns[${j}].type`,
        });
      }
    });
    table.files.forEach((file, j) => {
      if (!isAbsolute(file) || !warehouseDirs.some((dir) => isInside(dir, file))) {
        throw new ValidationError(`${at}.files[${j}]: '${file}' is not an absolute path inside the warehouse`, { field: `${at}.files[${j}]` });
      }
    });
  });
}

function isInside(dir: string, file: string): boolean {
  const path = relative(dir, resolve(file));
  return path !== '' && path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path);
}
