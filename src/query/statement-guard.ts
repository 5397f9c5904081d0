import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { ValidationError } from '../domain/index.js';

const STATEMENT_NAMES = new Map<number, string>(
  Object.entries(StatementType)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, id]) => [id, name.replace(/_STATEMENT$/, '')]),
);

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
  const prepared = await statements.prepare(0);
  if (prepared.statementType !== StatementType.SELECT) {
    const kind = STATEMENT_NAMES.get(prepared.statementType) ?? `statement type ${prepared.statementType}`;
    prepared.destroySync();
    throw new ValidationError(`sql: only SELECT statements are allowed (got ${kind})`, { field: 'sql' });
  }
  return prepared;
}
