import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { AccessDeniedError, ValidationError } from '../domain/index.js';

const STATEMENT_NAMES = new Map<number, string>(
  Object.entries(StatementType)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, id]) => [id, name.replace(/_STATEMENT$/, '')]),
);

const refuse = (kind: string) => new ValidationError(`sql: only SELECT statements are allowed (got ${kind})`, { field: 'sql' });

/**
 * Prepares user SQL if it is exactly one read-only statement. DuckDB reports SELECT for queries,
 * VALUES, DESCRIBE, SUMMARIZE, SHOW and read-only PRAGMAs (`PRAGMA version`); PRAGMAs that change
 * settings report SET, and COPY, CREATE, INSERT, ATTACH, EXPORT, CALL and the rest their own kinds.
 */
export async function prepareSelect(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const statements = await connection.extractStatements(sql);
  if (statements.count !== 1) {
    // PIVOT without an IN list is one statement to the user but two to DuckDB (it creates an enum first).
    const hint = /^\s*pivot\b/i.test(sql) ? ' (PIVOT needs an explicit IN list here)' : '';
    throw new ValidationError(`sql: exactly one statement is allowed (got ${statements.count})${hint}`, { field: 'sql' });
  }
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await statements.prepare(0);
  } catch (error) {
    // Preparing binds: `DROP VIEW missing` fails there with a catalog error before its kind is
    // known. Ask the parser alone whether it was a SELECT, so a refusal reads as one.
    if (!(await parsesAsSelect(connection, sql))) throw refuse(firstKeyword(sql));
    throw error;
  }
  if (prepared.statementType !== StatementType.SELECT) {
    const kind = STATEMENT_NAMES.get(prepared.statementType) ?? `statement type ${prepared.statementType}`;
    prepared.destroySync();
    throw refuse(kind);
  }
  return prepared;
}

/** json_serialize_sql parses without binding and serializes SELECT statements only. */
async function parsesAsSelect(connection: DuckDBConnection, sql: string): Promise<boolean> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
  const tree = JSON.parse(String(reader.getRowObjectsJS()[0]?.tree)) as { error: boolean; error_type?: string };
  return !(tree.error && tree.error_type === 'not implemented');
}

function firstKeyword(sql: string): string {
  const word = sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '').match(/^[A-Za-z]+/)?.[0]?.toUpperCase();
  return word === undefined || word === 'WITH' ? 'a statement that is not a SELECT' : word;
}

const beyondTables = (what: string) => new AccessDeniedError(`sql: this caller may read only its feature groups' tables, not ${what}`, { field: 'sql' });

/**
 * Refuses SQL that could read anything but the tables named (or its own CTEs): a table function
 * (read_parquet, read_text, glob, query...), a file name as a table (`FROM 'x.parquet'`, also as
 * a quoted identifier), a DESCRIBE or SHOW of anything else, or a statement DuckDB cannot show as
 * a parse tree (a PRAGMA). The tree is DuckDB's own parse of the same text, before binding.
 */
export async function refuseReadsBeyondTables(connection: DuckDBConnection, sql: string, tableNames: readonly string[]): Promise<void> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
  const tree = JSON.parse(String(reader.getRowObjectsJS()[0]?.tree)) as { error?: boolean };
  if (tree.error !== false) throw beyondTables('a statement other than a SELECT');
  const allowed = new Set(tableNames.map((n) => n.toLowerCase()));
  const nodes: Array<Record<string, unknown>> = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      nodes.push(value as Record<string, unknown>);
      Object.values(value).forEach(walk);
    }
  };
  walk(tree);
  // CTE names are the query's own relations.
  for (const node of nodes) {
    const map = (node.cte_map as { map?: Array<{ key?: unknown }> } | undefined)?.map;
    for (const entry of map ?? []) if (typeof entry.key === 'string') allowed.add(entry.key.toLowerCase());
  }
  for (const node of nodes) {
    if (node.type === 'TABLE_FUNCTION') {
      const name = (node.function as { function_name?: unknown } | undefined)?.function_name;
      throw beyondTables(`the table function ${typeof name === 'string' ? name : '(unknown)'}`);
    }
    if (node.type === 'BASE_TABLE' || (node.type === 'SHOW_REF' && node.table_name !== '')) {
      const name = String(node.table_name);
      const qualified = (node.catalog_name ?? '') !== '' || !['', 'main', 'temp'].includes(String(node.schema_name ?? ''));
      if (qualified || !allowed.has(name.toLowerCase())) throw beyondTables(`'${name}' (a relation that is not one of its tables)`);
    }
  }
}
