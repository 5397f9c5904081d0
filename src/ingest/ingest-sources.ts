import { extname, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { ValidationError } from '../domain/index.js';

/** What bulk ingest reads: records, an Arrow table, or a Parquet / CSV / JSON Lines file path. */
export type IngestSource = ReadonlyArray<Record<string, unknown>> | Table | string;

/** Plain JS values out of Arrow's (lists as arrays, structs as objects). */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'object' && Symbol.iterator in value && typeof (value as { toArray?: unknown }).toArray === 'function') {
    return [...(value as Iterable<unknown>)].map(plain);
  }
  return value;
}

/** DuckDB values in plain JS: lists as arrays, decimals as numbers, anything else exotic as text. */
function fromDuckDB(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if ('items' in value && Array.isArray((value as { items: unknown[] }).items)) return (value as { items: unknown[] }).items.map(fromDuckDB);
  if (typeof (value as { toDouble?: unknown }).toDouble === 'function') return (value as { toDouble(): number }).toDouble();
  return String(value);
}

/** Reads a source in chunks of at most `chunkRows` records, so big files stream through bounded memory. */
export async function* readChunks(source: IngestSource, chunkRows: number): AsyncGenerator<Array<Record<string, unknown>>> {
  if (typeof source === 'string') {
    yield* readFileChunks(source, chunkRows);
    return;
  }
  if (Array.isArray(source)) {
    for (let i = 0; i < source.length; i += chunkRows) yield source.slice(i, i + chunkRows) as Array<Record<string, unknown>>;
    return;
  }
  const table = source as Table;
  if (typeof table.numRows !== 'number' || !table.schema) {
    throw new ValidationError('source: expected an array of records, an Arrow table, or a file path', { field: 'source' });
  }
  const names = table.schema.fields.map((f) => f.name);
  for (let start = 0; start < table.numRows; start += chunkRows) {
    const slice = table.slice(start, Math.min(table.numRows, start + chunkRows));
    const columns = names.map((n) => slice.getChild(n)!);
    const rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < slice.numRows; i++) {
      const row: Record<string, unknown> = {};
      names.forEach((n, c) => (row[n] = plain(columns[c]!.get(i))));
      rows.push(row);
    }
    yield rows;
  }
}

async function* readFileChunks(path: string, chunkRows: number): AsyncGenerator<Array<Record<string, unknown>>> {
  const full = resolve(path);
  try {
    await stat(full);
  } catch {
    throw new ValidationError(`source: cannot read '${path}'`, { field: 'source' });
  }
  const ext = extname(full).toLowerCase();
  const literal = `'${full.replaceAll("'", "''")}'`;
  const reader =
    ext === '.parquet'
      ? `read_parquet(${literal})`
      : ext === '.csv'
        ? `read_csv(${literal}, header = true)`
        : ext === '.jsonl' || ext === '.ndjson' || ext === '.json'
          ? `read_json(${literal}, format = 'newline_delimited')`
          : undefined;
  if (!reader) throw new ValidationError(`source: '${path}' is not a .parquet, .csv or .jsonl file`, { field: 'source' });
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  try {
    const result = await connection.stream(`SELECT * FROM ${reader}`);
    let rows: Array<Record<string, unknown>> = [];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const names = result.columnNames();
      for (const values of chunk.getRows()) {
        const row: Record<string, unknown> = {};
        names.forEach((n, i) => (row[n] = fromDuckDB(values[i])));
        rows.push(row);
      }
      if (rows.length >= chunkRows) {
        yield rows;
        rows = [];
      }
    }
    if (rows.length > 0) yield rows;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError(`source: cannot read '${path}': ${(error as Error).message}`, { field: 'source', cause: error });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
