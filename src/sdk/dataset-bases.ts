import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { stringifyTagged, ValidationError } from '../domain/index.js';
import type { DatasetBase } from '../dataset/index.js';
import { fileReader } from '../ingest/file-ingest.js';

/**
 * Base tables given as rows, Arrow or a file are copied into a Parquet file inside the warehouse,
 * so that the dataset query runs in the sandboxed engine, which reads nothing else.
 */
export class DatasetBases {
  private readonly files: string[] = [];

  constructor(private readonly scratchDir: string) {}

  async materialize(base: DatasetBase): Promise<string> {
    await mkdir(this.scratchDir, { recursive: true });
    const target = join(this.scratchDir, `dataset-base-${randomUUID()}.parquet`);
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const connection = await instance.connect();
    try {
      let select: string;
      let jsonPath: string | undefined;
      if ('path' in base && typeof (base as { path: unknown }).path === 'string') {
        select = `SELECT * FROM ${await fileReader((base as { path: string }).path)}`;
      } else {
        const rows = Array.isArray(base) ? (base as Array<Record<string, unknown>>) : arrowRows(base as Table);
        if (rows.length === 0) throw new ValidationError('base: has no rows', { field: 'base' });
        jsonPath = join(this.scratchDir, `dataset-base-${randomUUID()}.jsonl`);
        const text = rows.map((r) => stringifyTagged(r)).join('\n');
        await writeFile(jsonPath, text.includes('"$int64"') ? text.replace(/\{"\$int64":"(-?\d+)"\}/g, '$1') : text);
        select = `SELECT * FROM read_json('${jsonPath.replaceAll("'", "''")}', format = 'newline_delimited')`;
      }
      try {
        await connection.run(`COPY (${select}) TO '${target.replaceAll("'", "''")}' (FORMAT parquet)`);
      } finally {
        if (jsonPath) await rm(jsonPath, { force: true });
      }
      this.files.push(target);
      return target;
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw new ValidationError(`base: cannot read it: ${(error as Error).message}`, { field: 'base', cause: error });
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.files.splice(0).map((f) => rm(f, { force: true })));
  }
}

function arrowRows(table: Table): Array<Record<string, unknown>> {
  if (typeof table.numRows !== 'number' || !table.schema) {
    throw new ValidationError('base: expected rows, an Arrow table, { path }, { sql } or { featureGroupName }', { field: 'base' });
  }
  return table.toArray().map((row) => {
    const plain: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row.toJSON() as Record<string, unknown>)) {
      plain[k] = v !== null && typeof v === 'object' && Symbol.iterator in v ? [...(v as Iterable<unknown>)] : v;
    }
    return plain;
  });
}
