import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { stringifyTagged } from '../domain/index.js';
import type { DataFile } from './iceberg/manifest.js';
import { duckdbType, type IcebergSchema } from './iceberg/schema.js';
import { bounds } from './bounds.js';

export interface OfflineRow {
  values: Record<string, unknown>;
  writeTimeMicros: number;
  apiInvocationTimeMicros: number;
  isDeleted: boolean;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** DuckDB's FIELD_IDS option: Iceberg field ids on every column, lists with their element id. */
export function fieldIdsOption(schema: IcebergSchema): string {
  const parts = schema.fields.map((f) =>
    typeof f.type === 'object' ? `${quote(f.name)}: {__duckdb_field_id: ${f.id}, element: ${f.type['element-id']}}` : `${quote(f.name)}: ${f.id}`,
  );
  return `{${parts.join(', ')}}`;
}

/**
 * Writes one Parquet data file from a SELECT whose columns are the schema's (by name, any
 * order; missing ones are written as NULL), and returns its manifest entry with column stats.
 */
export async function writeParquetFromSelect(
  connection: DuckDBConnection,
  select: string,
  schema: IcebergSchema,
  localPath: string,
  uri: string,
): Promise<DataFile | undefined> {
  const projection = schema.fields.map((f) => `CAST(${quote(f.name)} AS ${duckdbType(f.type)}) AS ${quote(f.name)}`).join(', ');
  const result = await connection.runAndReadAll(
    `COPY (SELECT ${projection} FROM (${select})) TO '${localPath.replaceAll("'", "''")}' ` +
      `(FORMAT parquet, COMPRESSION zstd, FIELD_IDS ${fieldIdsOption(schema)}, RETURN_STATS true)`,
  );
  const [row] = result.getRowObjectsJson() as Array<{ count: string; file_size_bytes: string; column_statistics: Array<{ key: string; value: Array<{ key: string; value: string }> }> }>;
  if (!row || row.count === '0') {
    await rm(localPath, { force: true });
    return undefined;
  }
  const file: DataFile = { filePath: uri, recordCount: BigInt(row.count), fileSizeInBytes: BigInt(row.file_size_bytes) };
  const columnSizes = new Map<number, bigint>();
  const valueCounts = new Map<number, bigint>();
  const nullValueCounts = new Map<number, bigint>();
  const lowerBounds = new Map<number, Buffer>();
  const upperBounds = new Map<number, Buffer>();
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  for (const { key, value } of row.column_statistics ?? []) {
    const stats = Object.fromEntries(value.map((v) => [v.key, v.value]));
    const path = JSON.parse(`[${key.replaceAll('"."', '","')}]`) as string[];
    const field = byName.get(path[0]!);
    if (!field) continue;
    const id = typeof field.type === 'object' ? field.type['element-id'] : field.id;
    if (stats.column_size_bytes !== undefined) columnSizes.set(id, BigInt(stats.column_size_bytes));
    if (stats.num_values !== undefined) valueCounts.set(id, BigInt(stats.num_values));
    if (stats.null_count !== undefined) nullValueCounts.set(id, BigInt(stats.null_count));
    if (typeof field.type !== 'object') {
      const b = bounds(field.type, stats.min, stats.max);
      if (b) {
        lowerBounds.set(id, b.lower);
        upperBounds.set(id, b.upper);
      }
    }
  }
  Object.assign(file, { columnSizes, valueCounts, nullValueCounts, lowerBounds, upperBounds });
  return file;
}

const TAGGED_INT64 = /\{"\$int64":"(-?\d+)"\}/g;

/** Tagged bigints ({"$int64": "..."}) become bare JSON integers, which DuckDB reads into BIGINT exactly. */
const untag = (text: string) => (text.includes('"$int64"') ? text.replace(TAGGED_INT64, '$1') : text);

/** A DuckDB literal of a local path. */
const pathLiteral = (path: string) => `'${path.replaceAll("'", "''")}'`;

/**
 * Writes write-ahead-log entries (their logged text: `{kind, values: {...}, apiInvocationTimeMicros,
 * ...}`) as one Parquet data file. The lines go to DuckDB as they were logged, so a record is
 * encoded once on its way to the log and the offline store; DuckDB picks the fields it needs.
 */
export async function writeParquetFromLogEntries(
  connection: DuckDBConnection,
  entries: string[],
  writeTimeMicros: number,
  schema: IcebergSchema,
  scratchDir: string,
  localPath: string,
  uri: string,
): Promise<DataFile | undefined> {
  const jsonPath = `${scratchDir}/${randomUUID()}.jsonl`;
  await writeFile(jsonPath, untag(entries.join('\n')));
  try {
    const features = schema.fields.filter((f) => !META_COLUMNS.has(f.name));
    const struct = `STRUCT(${features.map((f) => `${quote(f.name)} ${duckdbType(f.type)}`).join(', ')})`;
    const projection = schema.fields.map((f) => {
      if (f.name === 'write_time') return `make_timestamptz(${writeTimeMicros}) AS write_time`;
      if (f.name === 'api_invocation_time') return 'make_timestamptz(apiInvocationTimeMicros) AS api_invocation_time';
      if (f.name === 'is_deleted') return "kind = 'delete' AS is_deleted";
      return `"values".${quote(f.name)} AS ${quote(f.name)}`;
    });
    const columns = `{kind: 'VARCHAR', apiInvocationTimeMicros: 'BIGINT', "values": '${struct.replaceAll("'", "''")}'}`;
    const select = `SELECT ${projection.join(', ')} FROM read_json(${pathLiteral(jsonPath)}, format = 'newline_delimited', columns = ${columns})`;
    return await writeParquetFromSelect(connection, select, schema, localPath, uri);
  } finally {
    await rm(jsonPath, { force: true });
  }
}

const META_COLUMNS = new Set(['write_time', 'api_invocation_time', 'is_deleted']);

/**
 * Writes rows (JS values, int64 exact) as one Parquet data file. The rows go to DuckDB as
 * newline-delimited JSON with declared column types, which DuckDB parses natively and fast.
 */
export async function writeParquetFromRows(
  connection: DuckDBConnection,
  rows: OfflineRow[],
  schema: IcebergSchema,
  scratchDir: string,
  localPath: string,
  uri: string,
): Promise<DataFile | undefined> {
  const jsonPath = `${scratchDir}/${randomUUID()}.jsonl`;
  const lines = rows.map((r) =>
    stringifyTagged({ ...r.values, write_time: r.writeTimeMicros, api_invocation_time: r.apiInvocationTimeMicros, is_deleted: r.isDeleted }),
  );
  await writeFile(jsonPath, untag(lines.join('\n')));
  try {
    const columns = schema.fields
      .map((f) => `${quote(f.name)}: '${f.name === 'write_time' || f.name === 'api_invocation_time' ? 'BIGINT' : duckdbType(f.type)}'`)
      .join(', ');
    const projection = schema.fields
      .map((f) => (f.type === 'timestamptz' ? `make_timestamptz(${quote(f.name)}) AS ${quote(f.name)}` : quote(f.name)))
      .join(', ');
    const select = `SELECT ${projection} FROM read_json('${jsonPath.replaceAll("'", "''")}', format = 'newline_delimited', columns = {${columns}})`;
    return await writeParquetFromSelect(connection, select, schema, localPath, uri);
  } finally {
    await rm(jsonPath, { force: true });
  }
}
