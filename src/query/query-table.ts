/** A table as the query engine binds it: a name, the Parquet files of a snapshot, its columns. */
export interface QueryTable {
  name: string;
  /** Local Parquet paths (inside the warehouse). */
  files: string[];
  /** Columns with DuckDB types (BIGINT, DOUBLE, VARCHAR, VARCHAR[], TIMESTAMPTZ, BOOLEAN, ...). */
  columns: Array<{ name: string; type: string }>;
}

export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The view over a table's files. Files written before a column was added lack it: the union
 * with an empty, fully typed relation makes such columns NULL of the right type; a table with no
 * files yet is that empty relation alone.
 */
export function viewSql(table: QueryTable): string {
  const typed = table.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdentifier(c.name)}`).join(', ');
  const empty = `SELECT ${typed} WHERE false`;
  if (table.files.length === 0) return empty;
  const columns = table.columns.map((c) => quoteIdentifier(c.name)).join(', ');
  const files = `[${table.files.map(quoteLiteral).join(', ')}]`;
  return `SELECT ${columns} FROM (${empty} UNION ALL BY NAME SELECT * FROM read_parquet(${files}, union_by_name = true))`;
}
