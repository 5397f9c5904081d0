import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'lossless-json';
import { formatCell } from './output.js';

type Rows = Array<Record<string, unknown>>;
type Columns = Array<{ name: string; type: string }>;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? (stringify(value) ?? '') : formatCell(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: Rows, columns: Columns): string {
  const lines = [columns.map((c) => csvField(c.name)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c.name])).join(','));
  return `${lines.join('\n')}\n`;
}

const jsonValue = (_key: string, v: unknown) => (v instanceof Date ? v.toISOString() : v);

export function toJson(rows: Rows): string {
  return `${stringify(rows, jsonValue, 2)}\n`;
}

/**
 * Writes rows as Parquet with the query's own DuckDB column types: through a JSON Lines file
 * (int64 exact) read back by DuckDB with those types. The sandbox that runs user SQL writes
 * no files, so the file is written here, by a DuckDB of the CLI's own.
 */
export async function writeParquet(rows: Rows, columns: Columns, path: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const dir = await mkdtemp(join(tmpdir(), 'floe-export-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  try {
    const jsonl = join(dir, 'rows.jsonl');
    await writeFile(jsonl, rows.map((r) => stringify(r, jsonValue)).join('\n'));
    const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
    const types = columns.map((c) => `${literal(c.name)}: ${literal(c.type)}`).join(', ');
    const source = rows.length === 0
      ? `SELECT ${columns.map((c) => `CAST(NULL AS ${c.type}) AS "${c.name.replaceAll('"', '""')}"`).join(', ')} LIMIT 0`
      : `SELECT * FROM read_json(${literal(jsonl)}, format = 'newline_delimited', columns = {${types}})`;
    await connection.run(`COPY (${source}) TO ${literal(resolve(path))} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
