import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

/** How often a long DuckDB statement reports its progress. */
const POLL_MS = 200;
/** Bytes sampled to estimate the rows of a text file. */
const SAMPLE_BYTES = 1 << 20;

/**
 * The rows of a file, for a progress bar: exact for Parquet (from its footer), estimated for CSV
 * and JSON Lines from the line length of the first megabyte. Undefined when it cannot tell.
 */
export async function estimateRows(connection: DuckDBConnection, path: string): Promise<number | undefined> {
  try {
    if (extname(path).toLowerCase() === '.parquet') {
      const literal = `'${path.replaceAll("'", "''")}'`;
      const [row] = (await connection.runAndReadAll(`SELECT sum(num_rows) AS n FROM parquet_file_metadata(${literal})`)).getRowObjectsJS();
      return Number(row!.n);
    }
    const { size } = await stat(path);
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      let lines = 0;
      for (let i = 0; i < bytesRead; i++) if (buffer[i] === 0x0a) lines++;
      if (bytesRead === size) return Math.max(lines + (buffer[bytesRead - 1] === 0x0a ? 0 : 1) - (extname(path).toLowerCase() === '.csv' ? 1 : 0), 0);
      return lines === 0 ? undefined : Math.round((size / bytesRead) * lines);
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * Runs a statement on `connection` while reporting DuckDB's own progress (a fraction, 0 to 1)
 * every POLL_MS. DuckDB tracks progress only when its progress bar is enabled; printing stays
 * off, so nothing reaches the terminal but what the caller draws.
 */
export async function withDuckDBProgress<T>(connection: DuckDBConnection, onTick: ((fraction: number) => void) | undefined, run: () => Promise<T>): Promise<T> {
  if (!onTick) return run();
  await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0');
  const timer = setInterval(() => {
    const { percentage } = connection.progress;
    if (percentage >= 0) onTick(Math.min(percentage / 100, 1));
  }, POLL_MS);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}
