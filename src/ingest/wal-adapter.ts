import type { DurableLog } from './logged-write-pipeline.js';
import { WriteAheadLog } from './wal/index.js';

/** Opens the write-ahead log of a data directory. */
export function openWriteAheadLog(dir: string): Promise<DurableLog> {
  return WriteAheadLog.open({ dir });
}
