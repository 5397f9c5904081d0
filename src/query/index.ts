/** Read-only, sandboxed DuckDB SQL over table snapshots. */
export { QueryEngine, type QueryEngineOptions, type QueryResult } from './query-engine.js';
export { viewSql, quoteIdentifier, type QueryTable } from './query-table.js';
export { toArrowTable } from './arrow.js';
