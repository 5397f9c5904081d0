import { extname, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { InternalError, ValidationError } from '../domain/index.js';
import { duckdbResultToArrow, toFloeValue } from '../query/index.js';

/**
 * A compiled dataset statement and the DuckDB connection that runs it. The connection must see
 * the relations the statement names; it is the caller's (not closed here). Event times without a
 * zone, and TIMESTAMP columns, are read in the connection's TimeZone: keep it UTC.
 */
export class Dataset {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly sql: string,
  ) {}

  toSQL(): string {
    return this.sql;
  }

  /** Rows as objects: integers as number when safe (bigint beyond), timestamps as Date. */
  async rows(): Promise<Array<Record<string, unknown>>> {
    const reader = await this.run(() => this.connection.runAndReadAll(this.sql));
    const rows = reader.getRowObjectsJS() as Array<Record<string, unknown>>;
    for (const row of rows) for (const key of Object.keys(row)) row[key] = toFloeValue(row[key]);
    return rows;
  }

  /** An Apache Arrow table: int64 exact, TIMESTAMPTZ as microsecond UTC timestamps. */
  async arrow(): Promise<Table> {
    return this.run(async () => (await duckdbResultToArrow(await this.connection.stream(this.sql))).table);
  }

  /** Writes a Parquet or CSV file (by extension, or `format`) with COPY; returns the number of rows. */
  async toFile(path: string, options: { format?: 'parquet' | 'csv' } = {}): Promise<number> {
    const ext = extname(path).toLowerCase();
    const format = options.format ?? (ext === '.parquet' ? 'parquet' : ext === '.csv' ? 'csv' : undefined);
    if (format !== 'parquet' && format !== 'csv') throw new ValidationError(`path: '${path}' must end in .parquet or .csv`, { field: 'path' });
    const target = `'${resolve(path).replaceAll("'", "''")}'`;
    const result = await this.run(() => this.connection.run(`COPY (${this.sql}) TO ${target} (FORMAT ${format}${format === 'csv' ? ', HEADER true' : ''})`));
    return Number(result.rowsChanged);
  }

  private async run<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const message = (error as Error).message;
      // Data that does not convert (an unreadable event time, a join key of another type) is the caller's to fix.
      if (/^(Conversion|Binder|Invalid Input|Catalog|IO) Error/.test(message)) {
        throw new ValidationError(`dataset: ${message}`, { field: 'dataset', cause: error });
      }
      throw new InternalError(`dataset: ${message}`, { field: 'dataset', cause: error });
    }
  }
}
