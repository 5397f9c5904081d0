import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** A temp directory with a warehouse inside it, and a plain DuckDB (no sandbox) to write fixtures. */
export interface TestWarehouse {
  /** The temp directory; the warehouse is its `warehouse/` child, so siblings are "outside". */
  dir: string;
  warehouse: string;
  /** Writes `SELECT ...` as a Parquet file at a path relative to the warehouse; returns its absolute path. */
  parquet(path: string, select: string): Promise<string>;
  remove(): Promise<void>;
}

export async function makeTestWarehouse(): Promise<TestWarehouse> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-query-'));
  const warehouse = join(dir, 'warehouse');
  await mkdir(warehouse);
  const instance = await DuckDBInstance.create(':memory:');
  const writer = await instance.connect();
  return {
    dir,
    warehouse,
    async parquet(path, select) {
      const file = join(warehouse, path);
      await mkdir(dirname(file), { recursive: true });
      await writer.run(`COPY (${select}) TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
      return file;
    },
    async remove() {
      writer.closeSync();
      instance.closeSync();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
