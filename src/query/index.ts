/** Read-only, sandboxed DuckDB SQL over table snapshots. */
export { QueryEngine, type QueryEngineOptions, type QueryRunOptions, type QueryResult } from './query-engine.js';
export { viewSql, quoteIdentifier, type QueryTable } from './query-table.js';
export { duckdbResultToArrow, type ArrowReadOptions } from './arrow.js';
export { toFloeValue } from './values.js';
