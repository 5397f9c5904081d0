import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InternalError, LimitExceededError, ValidationError, isFloeError } from '../domain/index.js';
import { duckdbResultToArrow } from './arrow.js';
import { checkTables, quoteIdentifier, viewSql, type QueryTable } from './query-table.js';
import { openSandbox } from './sandbox.js';
import { prepareSelect, refuseReadsBeyondTables } from './statement-guard.js';
import { toFloeValue } from './values.js';

const MEMORY_SIZE = /^\d+(\.\d+)?\s*([KMGT]i?B|B|%)$/i;

export interface QueryEngineOptions {
  /** The only directory user SQL may read (symbolic links out of it are refused by DuckDB). */
  warehouseDir: string;
  /** DuckDB's memory limit for all queries together, e.g. '2GB' (default). Past it, DuckDB spills, then fails. */
  memoryLimit?: string;
  /** DuckDB worker threads (default 2). */
  threads?: number;
  /** Queries running longer are interrupted and fail with LimitExceededError (default 60 s). */
  timeoutMs?: number;
}

export interface QueryRunOptions {
  /** Rows returned at most; the result is streamed and reading stops there. */
  maxRows?: number;
  /**
   * The SQL may read the bound tables and nothing else: no table functions (read_parquet, glob,
   * query...) and no file name used as a table. The sandbox lets any SQL read the whole warehouse,
   * other tables' files included, so a caller limited to some tables needs this.
   */
  tablesOnly?: boolean;
}

export interface QueryResult {
  /** Names as the rows' keys (duplicates get DuckDB's `name_1` suffixes) and DuckDB types. */
  columns: Array<{ name: string; type: string }>;
  rows: Array<Record<string, unknown>>;
  /** True when `maxRows` cut the result short. */
  truncated?: boolean;
  /**
   * Where the time went, in milliseconds: `planningMs` from the call until DuckDB is handed the
   * snapshot's files (table metadata, manifest lists, manifests read), `executionMs` the rest.
   */
  timings?: { planningMs: number; executionMs: number };
}

/**
 * Read-only SQL over table snapshots, on a DuckDB instance of its own (see sandbox.ts): user SQL
 * can read the warehouse and nothing else, can change no setting, and runs only as one SELECT.
 * Each query gets its own connection, on which its tables are temporary views, so concurrent
 * queries never see each other's tables.
 *
 * @example
 * const engine = await QueryEngine.create({ warehouseDir: '/data/warehouse', timeoutMs: 30_000 });
 * const { rows } = await engine.query('SELECT count(*) AS n FROM "user-features"', tables);
 * engine.close();
 */
export class QueryEngine {
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly warehouseDirs: string[],
    private readonly spillDir: string,
    private readonly timeoutMs: number,
    private readonly memoryLimit: string,
  ) {}

  static async create(options: QueryEngineOptions): Promise<QueryEngine> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    if (!(timeoutMs > 0)) throw new ValidationError(`timeoutMs: must be a positive number of milliseconds (got ${options.timeoutMs})`, { field: 'timeoutMs' });
    const threads = options.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1) throw new ValidationError(`threads: must be a positive integer (got ${options.threads})`, { field: 'threads' });
    const memoryLimit = options.memoryLimit ?? '2GB';
    if (!MEMORY_SIZE.test(memoryLimit)) throw new ValidationError(`memoryLimit: '${memoryLimit}' is not a memory size such as '2GB', '512MiB' or '50%'`, { field: 'memoryLimit' });
    let warehouse: string;
    try {
      warehouse = await realpath(options.warehouseDir);
    } catch (error) {
      throw new ValidationError(`warehouseDir: '${options.warehouseDir}' cannot be opened (${(error as Error).message})`, { field: 'warehouseDir', cause: error });
    }
    // Spill files go to a directory of the engine's own: DuckDB makes its temp directory readable
    // to SQL, and its default ('.tmp' under the working directory) would widen the sandbox.
    const spillDir = realpathSync(mkdtempSync(join(tmpdir(), 'floe-query-spill-')));
    try {
      const instance = await openSandbox({ warehouseDir: warehouse, spillDir, memoryLimit, threads });
      return new QueryEngine(instance, [...new Set([resolve(options.warehouseDir), warehouse])], spillDir, timeoutMs, memoryLimit);
    } catch (error) {
      rmSync(spillDir, { recursive: true, force: true });
      throw new InternalError(`queryEngine: DuckDB could not be opened: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Rows in Floe's value forms: BIGINT (and HUGEINT) as number when safe and bigint beyond,
   * lists as arrays, DOUBLE and DECIMAL as number, TIMESTAMPTZ as a JavaScript Date (so
   * milliseconds; select `epoch_us(t)` or `CAST(t AS VARCHAR)` for microseconds).
   */
  async query(sql: string, tables: QueryTable[], options: QueryRunOptions = {}): Promise<QueryResult> {
    const maxRows = checkMaxRows(options.maxRows);
    return this.run(sql, tables, options, async (connection) => {
      const reader = await read(connection, sql, maxRows);
      const columns = columnsOf(reader).map((c) => ({ name: c.name, type: c.type.toString() }));
      const all = reader.getRowObjectsJS() as Array<Record<string, unknown>>;
      const truncated = maxRows !== undefined && all.length > maxRows;
      const rows = truncated ? all.slice(0, maxRows) : all;
      for (const row of rows) for (const key of Object.keys(row)) row[key] = toFloeValue(row[key]);
      return { columns, rows, truncated };
    });
  }

  /**
   * The result as an Apache Arrow table: int64 exact (BigInt64Array), TIMESTAMPTZ as
   * Timestamp<MICROSECOND, UTC> with DuckDB's exact microseconds, lists as List. See arrow.ts.
   */
  async queryArrow(sql: string, tables: QueryTable[], options: QueryRunOptions = {}): Promise<Table> {
    const maxRows = checkMaxRows(options.maxRows);
    return this.run(sql, tables, options, async (connection) => {
      const result = await (await prepareSelect(connection, sql)).stream();
      return (await duckdbResultToArrow(result, { maxRows, names: result.deduplicatedColumnNames() })).table;
    });
  }

  /**
   * Writes the result of one read-only SELECT to a Parquet or CSV file with DuckDB's COPY, never
   * passing the rows through JavaScript; returns the number of rows. User SQL may not COPY: the
   * statement is checked as a SELECT first, and `path` is the caller's, inside the warehouse
   * (the sandbox refuses any other), so the caller moves the file where it belongs.
   */
  async copyTo(sql: string, tables: QueryTable[], target: { path: string; format: 'parquet' | 'csv' }, options: Pick<QueryRunOptions, 'tablesOnly'> = {}): Promise<number> {
    if (target.format !== 'parquet' && target.format !== 'csv') throw new InternalError(`copyTo: unknown format '${String(target.format)}'`);
    return this.run(sql, tables, options, async (connection) => {
      (await prepareSelect(connection, sql)).destroySync();
      // The newlines keep a trailing line comment of the SELECT from swallowing the closing parenthesis.
      const options = target.format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet';
      const result = await connection.run(`COPY (\n${sql}\n) TO '${target.path.replaceAll("'", "''")}' (${options})`);
      return Number(result.rowsChanged);
    });
  }

  private async run<T>(sql: string, tables: QueryTable[], options: Pick<QueryRunOptions, 'tablesOnly'>, body: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new InternalError('queryEngine: the engine is closed');
    if (typeof sql !== 'string' || sql.trim() === '') throw new ValidationError('sql: must be a non-empty SQL string', { field: 'sql' });
    checkTables(tables, this.warehouseDirs);
    const connection = await this.instance.connect();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, this.timeoutMs);
    let binding: number | undefined;
    try {
      for (binding = 0; binding < tables.length; binding++) {
        const table = tables[binding]!;
        await connection.run(`CREATE TEMP VIEW ${quoteIdentifier(table.name)} AS ${viewSql(table)}`);
      }
      binding = undefined;
      if (options.tablesOnly) await refuseReadsBeyondTables(connection, sql, tables.map((t) => t.name));
      return await body(connection);
    } catch (error) {
      throw this.translate(error, timedOut, binding === undefined ? undefined : { index: binding, name: tables[binding]!.name });
    } finally {
      clearTimeout(timer);
      connection.closeSync();
    }
  }

  private translate(error: unknown, timedOut: boolean, binding: { index: number; name: string } | undefined): Error {
    if (timedOut) return new LimitExceededError(`sql: the query ran longer than ${this.timeoutMs} ms and was stopped`, { field: 'sql', cause: error });
    if (isFloeError(error)) return error;
    const message = (error as Error).message ?? String(error);
    if (/^Out of Memory Error/i.test(message)) {
      return new LimitExceededError(`sql: the query needs more memory than the engine's limit (${this.memoryLimit}): ${message}`, { field: 'sql', cause: error });
    }
    // Binding a table reads its files' schemas: a failure there is the store's, not the user's SQL.
    if (binding) return new InternalError(`tables[${binding.index}]: table '${binding.name}' cannot be read: ${message}`, { field: `tables[${binding.index}]`, cause: error });
    return new ValidationError(`sql: ${message}`, { field: 'sql', cause: error });
  }

  /** Closes the DuckDB instance and removes its spill directory. Queries still running fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.instance.closeSync();
    rmSync(this.spillDir, { recursive: true, force: true });
  }
}

function checkMaxRows(maxRows: number | undefined): number | undefined {
  if (maxRows !== undefined && (!Number.isInteger(maxRows) || maxRows < 0)) {
    throw new ValidationError(`maxRows: must be a non-negative integer (got ${maxRows})`, { field: 'maxRows' });
  }
  return maxRows;
}

/** Streams the result, stopping one row past maxRows (enough to know it was cut short). */
async function read(connection: DuckDBConnection, sql: string, maxRows: number | undefined): Promise<DuckDBResultReader> {
  const prepared = await prepareSelect(connection, sql);
  return maxRows === undefined ? prepared.streamAndReadAll() : prepared.streamAndReadUntil(maxRows + 1);
}

function columnsOf(reader: DuckDBResultReader) {
  const types = reader.columnTypes();
  return reader.deduplicatedColumnNames().map((name, i) => ({ name, type: types[i]! }));
}
