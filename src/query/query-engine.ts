import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { realpath } from 'node:fs/promises';
import { LimitExceededError, ValidationError } from '../domain/index.js';
import { columnsToArrowTable } from './arrow.js';
import { quoteIdentifier, viewSql, type QueryTable } from './query-table.js';
import { toFloeValue } from './values.js';

export interface QueryEngineOptions {
  /** The only directory user SQL may read. */
  warehouseDir: string;
  memoryLimit?: string;
  threads?: number;
  /** Queries running longer are interrupted (default 60 s). */
  timeoutMs?: number;
}

export interface QueryResult {
  columns: Array<{ name: string; type: string }>;
  rows: Array<Record<string, unknown>>;
}

const STATEMENT_NAMES = Object.fromEntries(Object.entries(StatementType).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k]));

/**
 * Read-only SQL over table snapshots, on a DuckDB instance of its own. The sandbox settings are
 * instance-wide and locked: external access is off except for reading the warehouse, and the
 * configuration cannot be changed back. On top of that, only single SELECT statements run.
 */
export class QueryEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly timeoutMs: number,
  ) {}

  static async create(options: QueryEngineOptions): Promise<QueryEngine> {
    const warehouse = await realpath(options.warehouseDir);
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(options.threads ?? 2),
      memory_limit: options.memoryLimit ?? '2GB',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const setup = await instance.connect();
    await setup.run(`SET allowed_directories = [${`'${warehouse.replaceAll("'", "''")}/'`}]`);
    await setup.run('SET enable_external_access = false');
    await setup.run('SET lock_configuration = true');
    setup.closeSync();
    return new QueryEngine(instance, options.timeoutMs ?? 60_000);
  }

  async query(sql: string, tables: QueryTable[], options: { maxRows?: number } = {}): Promise<QueryResult> {
    const result = await this.run(sql, tables, (connection) => this.select(connection, sql));
    if (options.maxRows !== undefined) result.rows = result.rows.slice(0, options.maxRows);
    for (const row of result.rows) for (const key of Object.keys(row)) row[key] = toFloeValue(row[key]);
    return result;
  }

  /** The result as an Apache Arrow table (int64 kept exact). */
  async queryArrow(sql: string, tables: QueryTable[]): Promise<Table> {
    return this.run(sql, tables, async (connection) => {
      const reader = await (await this.prepareSelect(connection, sql)).runAndReadAll();
      const types = reader.columnTypes().map((t) => t.toString());
      const columns = reader.deduplicatedColumnNames().map((name, i) => ({ name, type: types[i]! }));
      return columnsToArrowTable(columns, reader.getColumnsJS() as unknown[][]);
    });
  }

  private async select(connection: DuckDBConnection, sql: string): Promise<QueryResult> {
    const reader = await (await this.prepareSelect(connection, sql)).runAndReadAll();
    const types = reader.columnTypes().map((t) => t.toString());
    const columns = reader.deduplicatedColumnNames().map((name, i) => ({ name, type: types[i]! }));
    return { columns, rows: reader.getRowObjectsJS() as Array<Record<string, unknown>> };
  }

  /** One connection per query: its temporary views are its own, so queries never see each other's. */
  private async run<T>(sql: string, tables: QueryTable[], body: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (typeof sql !== 'string' || sql.trim() === '') throw new ValidationError('sql: must be a non-empty SQL string', { field: 'sql' });
    const connection = await this.instance.connect();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, this.timeoutMs);
    try {
      for (const table of tables) await connection.run(`CREATE TEMP VIEW ${quoteIdentifier(table.name)} AS ${viewSql(table)}`);
      return await body(connection);
    } catch (error) {
      if (timedOut) throw new LimitExceededError(`sql: the query ran longer than ${this.timeoutMs / 1000} s and was stopped`, { field: 'sql' });
      if (error instanceof ValidationError) throw error;
      throw new ValidationError(`sql: ${(error as Error).message}`, { field: 'sql', cause: error });
    } finally {
      clearTimeout(timer);
      connection.closeSync();
    }
  }

  private async prepareSelect(connection: DuckDBConnection, sql: string) {
    const statements = await connection.extractStatements(sql);
    if (statements.count !== 1) {
      throw new ValidationError(`sql: exactly one statement is allowed (got ${statements.count})`, { field: 'sql' });
    }
    const prepared = await statements.prepare(0);
    if (prepared.statementType !== StatementType.SELECT) {
      const kind = STATEMENT_NAMES[prepared.statementType] ?? 'another kind of statement';
      throw new ValidationError(`sql: only SELECT statements are allowed (got ${kind})`, { field: 'sql' });
    }
    return prepared;
  }

  close(): void {
    this.instance.closeSync();
  }
}
