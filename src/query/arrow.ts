import duckdb from '@duckdb/node-bindings';
import type { DuckDBResult } from '@duckdb/node-api';
import { Field, makeData, RecordBatch, Schema, Struct, Table } from 'apache-arrow';
import { columnBuilder } from './arrow-columns.js';

export interface ArrowReadOptions {
  /** Rows read at most; reading stops as soon as one more row is seen (then `truncated`). */
  maxRows?: number;
  /** Column names, when the result's own may repeat (the query engine deduplicates them). */
  names?: readonly string[];
}

/**
 * Reads a DuckDB result into one Apache Arrow record batch, chunk by chunk as DuckDB produces
 * them (a streamed result is never materialised twice). `@duckdb/node-api` 1.5 binds none of the
 * C API's Arrow functions and the arrow extension cannot be installed here, so columns are built
 * from the vectors' raw buffers (see arrow-columns.ts): typed-array copies for fixed-width
 * values, DuckDB's validity words as Arrow bitmaps, strings as bytes.
 */
export async function duckdbResultToArrow(result: DuckDBResult, options: ArrowReadOptions = {}): Promise<{ table: Table; truncated: boolean }> {
  const names = options.names ?? result.columnNames();
  const builders = result.columnTypes().map((type, i) => columnBuilder(type, names[i]!));
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  let rows = 0;
  let truncated = false;
  for (;;) {
    const chunk = await result.fetchChunk();
    const size = chunk?.rowCount ?? 0;
    if (!chunk || size === 0) break;
    const take = Math.min(size, maxRows - rows);
    for (let i = 0; i < builders.length; i++) builders[i]!.append(duckdb.data_chunk_get_vector(chunk.chunk, i), 0, take);
    rows += take;
    if (take < size) {
      truncated = true;
      break;
    }
  }
  const fields = builders.map((b, i) => new Field(names[i]!, b.type, true));
  const struct = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children: builders.map((b) => b.finish()) });
  return { table: new Table([new RecordBatch(new Schema(fields), struct)]), truncated };
}
