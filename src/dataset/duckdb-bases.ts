import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { timestampTZValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { DataType, type Table } from 'apache-arrow';
import { ValidationError } from '../domain/index.js';
import { quoteIdentifier as q } from './duckdb-compiler.js';
import type { DatasetBase } from './plan.js';

/** A base made selectable on a connection; `release` drops what registering created. */
export interface RegisteredBase {
  from: string;
  columns: Array<{ name: string; type: string }>;
  release(): Promise<void>;
}

type ColumnType = 'BOOLEAN' | 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'TIMESTAMPTZ';

/**
 * Makes a dataset base selectable on a DuckDB connection: JS rows and Arrow tables are appended
 * into a temporary table (Appender), files are read by extension (.parquet, .csv, .json, .jsonl,
 * .ndjson), SQL is a subquery, a relation is used as given and a feature group reads its relation.
 */
export async function registerBase(connection: DuckDBConnection, base: DatasetBase, groupRelations: Readonly<Record<string, string>> = {}): Promise<RegisteredBase> {
  let from: string;
  let release = async () => {};
  if (Array.isArray(base)) ({ from, release } = await appendTable(connection, rowColumns(base)));
  else if (isArrowTable(base)) ({ from, release } = await appendTable(connection, arrowColumns(base)));
  else if ('path' in base && typeof base.path === 'string') from = await fileReader(base.path);
  else if ('sql' in base && typeof base.sql === 'string') from = `(${base.sql})`;
  else if ('relation' in base && typeof base.relation === 'string') from = base.relation;
  else if ('featureGroupName' in base && typeof base.featureGroupName === 'string') {
    const relation = groupRelations[base.featureGroupName];
    if (relation === undefined) throw new ValidationError(`base.featureGroupName: no relation given for feature group '${base.featureGroupName}'`, { field: 'base.featureGroupName' });
    from = relation;
  } else throw new ValidationError('base: expected rows, an Arrow table, { path }, { sql }, { relation } or { featureGroupName }', { field: 'base' });
  try {
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`);
    const columns = described.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    return { from, columns, release };
  } catch (error) {
    await release();
    throw new ValidationError(`base: cannot read it: ${(error as Error).message}`, { field: 'base', cause: error });
  }
}

async function fileReader(path: string): Promise<string> {
  const full = resolve(path);
  try {
    await stat(full);
  } catch {
    throw new ValidationError(`base.path: cannot read '${path}'`, { field: 'base.path' });
  }
  const literal = `'${full.replaceAll("'", "''")}'`;
  const ext = extname(full).toLowerCase();
  if (ext === '.parquet') return `read_parquet(${literal})`;
  if (ext === '.csv') return `read_csv(${literal}, header = true)`;
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return `read_json(${literal}, format = 'auto')`;
  throw new ValidationError(`base.path: '${path}' is not a .parquet, .csv, .json or .jsonl file`, { field: 'base.path' });
}

interface Column {
  name: string;
  type: ColumnType;
  value(row: number): unknown;
}

interface Columns {
  columns: Column[];
  length: number;
}

function isArrowTable(base: DatasetBase): base is Table {
  return typeof (base as Table).numRows === 'number' && typeof (base as Table).getChild === 'function' && (base as Table).schema !== undefined;
}

function rowColumns(rows: ReadonlyArray<Record<string, unknown>>): Columns {
  if (rows.length === 0) throw new ValidationError('base: has no rows', { field: 'base' });
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const columns = names.map((name): Column => {
    let type: ColumnType | undefined;
    for (const [i, row] of rows.entries()) {
      const v = row[name];
      if (v === null || v === undefined) continue;
      const t = valueType(v, `base[${i}].${name}`);
      if (type === undefined || type === t) type = t;
      else if ((type === 'BIGINT' && t === 'DOUBLE') || (type === 'DOUBLE' && t === 'BIGINT')) type = 'DOUBLE';
      else throw new ValidationError(`base[${i}].${name}: a ${t} value in a column of ${type} values`, { field: `base[${i}].${name}` });
    }
    return { name, type: type ?? 'VARCHAR', value: (i) => rows[i]![name] };
  });
  return { columns, length: rows.length };
}

function valueType(v: unknown, field: string): ColumnType {
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'bigint') return 'BIGINT';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'BIGINT' : 'DOUBLE';
  if (typeof v === 'string') return 'VARCHAR';
  if (v instanceof Date) return 'TIMESTAMPTZ';
  throw new ValidationError(`${field}: base values must be booleans, numbers, bigints, strings or Dates`, { field });
}

function arrowColumns(table: Table): Columns {
  const columns = table.schema.fields.map((field, c): Column => {
    const vector = table.getChildAt(c)!;
    // Dictionary-encoded columns read as their values.
    const t = DataType.isDictionary(field.type) ? field.type.dictionary : field.type;
    let type: ColumnType;
    if (DataType.isBool(t)) type = 'BOOLEAN';
    else if (DataType.isInt(t)) type = 'BIGINT';
    else if (DataType.isFloat(t) || DataType.isDecimal(t)) type = 'DOUBLE';
    else if (DataType.isUtf8(t) || DataType.isLargeUtf8(t)) type = 'VARCHAR';
    else if (DataType.isTimestamp(t) || DataType.isDate(t)) type = 'TIMESTAMPTZ';
    else throw new ValidationError(`base.${field.name}: Arrow type ${String(t)} is not supported in a base`, { field: `base.${field.name}` });
    return { name: field.name, type, value: (i) => vector.get(i) };
  });
  return { columns, length: table.numRows };
}

async function appendTable(connection: DuckDBConnection, { columns, length }: Columns): Promise<{ from: string; release: () => Promise<void> }> {
  const name = `__floe_base_${randomUUID().replaceAll('-', '')}`;
  await connection.run(`CREATE TEMP TABLE ${name} (${columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')})`);
  const release = async () => {
    await connection.run(`DROP TABLE IF EXISTS ${name}`);
  };
  let appender: DuckDBAppender | undefined;
  try {
    appender = await connection.createAppender(name, 'main', 'temp');
    for (let i = 0; i < length; i++) {
      for (const column of columns) append(appender, column.type, column.value(i));
      appender.endRow();
    }
    appender.flushSync();
  } catch (error) {
    await release();
    throw error instanceof ValidationError ? error : new ValidationError(`base: cannot load it: ${(error as Error).message}`, { field: 'base', cause: error });
  } finally {
    appender?.closeSync();
  }
  return { from: name, release };
}

function append(appender: DuckDBAppender, type: ColumnType, v: unknown): void {
  if (v === null || v === undefined) return appender.appendNull();
  switch (type) {
    case 'BOOLEAN':
      return appender.appendBoolean(v as boolean);
    case 'BIGINT':
      return appender.appendBigInt(BigInt(v as number | bigint));
    case 'DOUBLE':
      return appender.appendDouble(Number(v));
    case 'VARCHAR':
      return appender.appendVarchar(String(v));
    case 'TIMESTAMPTZ': {
      // Arrow timestamps and dates read as epoch milliseconds.
      const ms = v instanceof Date ? v.getTime() : Number(v);
      return appender.appendTimestampTZ(timestampTZValue(BigInt(Math.round(ms * 1000))));
    }
  }
}
