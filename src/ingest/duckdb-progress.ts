import type { DuckDBConnection } from '@duckdb/node-api';

/** How often a long DuckDB statement reports its progress. */
const POLL_MS = 200;

/**
 * Runs a statement on `connection` while reporting DuckDB's own progress (rows processed of an
 * estimated total) every POLL_MS. DuckDB tracks progress only when its progress bar is enabled;
 * printing stays off, so nothing reaches the terminal but what the caller draws.
 */
export async function withDuckDBProgress<T>(
  connection: DuckDBConnection,
  onTick: ((processed: number, total: number) => void) | undefined,
  run: () => Promise<T>,
): Promise<T> {
  if (!onTick) return run();
  await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0');
  const timer = setInterval(() => {
    const p = connection.progress;
    if (p.percentage >= 0 && p.total_rows_to_process > 0n) onTick(Number(p.rows_processed), Number(p.total_rows_to_process));
  }, POLL_MS);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}
