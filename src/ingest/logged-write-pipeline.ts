import type { WriteEntry, WritePipeline } from '../records/write-entry.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import type { OfflineSink, StoreApplier } from './store-applier.js';

/** The part of the write-ahead log the pipeline needs. */
export interface DurableLog {
  /** Resolves with one position per payload once all of them are on disk (fsynced). */
  appendMany(payloads: Uint8Array[]): Promise<bigint[]>;
  replay(fromExclusive: bigint, onEntry: (position: bigint, payload: Uint8Array) => void | Promise<void>): Promise<void>;
  checkpoint(position: bigint): Promise<void>;
  readonly checkpointPosition: bigint;
  close(): Promise<void>;
}

/**
 * Write path: log (group commit + fsync) -> acknowledge -> online store -> offline buffer.
 * On open, entries after the last checkpoint are replayed through the same applier.
 */
export class LoggedWritePipeline implements WritePipeline {
  private closed = false;

  constructor(
    private readonly log: DurableLog,
    private readonly applier: StoreApplier,
    private readonly offline?: OfflineSink,
  ) {}

  /** Re-applies what was acknowledged but may not have reached the stores before a crash. */
  async recover(): Promise<number> {
    let batch: Array<{ entry: WriteEntry; position: bigint }> = [];
    let count = 0;
    await this.log.replay(this.log.checkpointPosition, async (position, payload) => {
      batch.push({ entry: decodeEntry(payload), position });
      count++;
      if (batch.length >= 1000) {
        await this.applier.apply(batch);
        batch = [];
      }
    });
    if (batch.length > 0) await this.applier.apply(batch);
    return count;
  }

  async submit(entries: WriteEntry[]): Promise<void> {
    if (this.closed) throw new Error('the feature store is closed');
    const positions = await this.log.appendMany(entries.map(encodeEntry));
    await this.applier.apply(entries.map((entry, i) => ({ entry, position: positions[i]! })));
  }

  async flush(group?: string): Promise<void> {
    await this.offline?.flush(group);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.offline?.close();
    await this.log.close();
  }
}
