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

/** Reads in-memory sources (records, Arrow) in chunks of at most `chunkRows` records. */
export async function* readChunks(source: IngestSource, chunkRows: number): AsyncGenerator<Array<Record<string, unknown>>> {
  if (typeof source === 'string') throw new Error('files are ingested by file-ingest.ts');
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
