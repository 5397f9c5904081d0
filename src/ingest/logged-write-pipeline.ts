import type { WriteEntry, WritePipeline } from '../records/write-entry.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import { PositionTracker } from './position-tracker.js';
import type { LoggedEntry, OfflineSink, StoreApplier } from './store-applier.js';

/** The part of the write-ahead log the pipeline needs. */
export interface DurableLog {
  /** Resolves with one position per payload once all of them are on disk (fsynced). */
  appendMany(payloads: ReadonlyArray<Uint8Array | string>): Promise<bigint[]>;
  /** Calls back for every entry after `fromExclusive`, in order. */
  replay(fromExclusive: bigint, onEntry: (position: bigint, payload: Uint8Array) => void | Promise<void>): Promise<void>;
  /** Everything at or below `position` is applied downstream and need not be kept. */
  checkpoint(position: bigint): Promise<void>;
  readonly checkpointPosition: bigint;
  close(): Promise<void>;
}

/**
 * Write path: log (group commit + fsync) -> acknowledge -> online store -> offline buffer.
 * The log is checkpointed up to the low watermark of what every store has; on open, entries
 * after the checkpoint are replayed through the same applier (idempotent online, guarded offline).
 */
export class LoggedWritePipeline implements WritePipeline {
  private closed = false;
  private readonly tracker: PositionTracker;
  private checkpointing: Promise<void> | undefined;
  private applyQueue: Array<{ items: LoggedEntry[]; resolve: () => void; reject: (e: unknown) => void }> = [];
  private checkpointed: bigint;

  constructor(
    private readonly log: DurableLog,
    private readonly applier: StoreApplier,
    private readonly offline?: OfflineSink,
  ) {
    this.checkpointed = log.checkpointPosition;
    this.tracker = new PositionTracker(log.checkpointPosition);
  }

  /** Call from the offline sink when rows are committed. */
  readonly onOfflineCommitted = (positions: bigint[]): void => {
    this.tracker.end(positions);
    // A failed checkpoint (a full disk) is harmless: the log keeps more, and the next commit retries.
    this.scheduleCheckpoint().catch(() => undefined);
  };

  /** Re-applies what was acknowledged but may not have reached the stores before a crash. */
  async recover(): Promise<number> {
    let batch: LoggedEntry[] = [];
    let count = 0;
    const applyBatch = async () => {
      const items = batch;
      batch = [];
      await this.applyTracked(items);
    };
    await this.log.replay(this.log.checkpointPosition, async (position, payload) => {
      batch.push({ ...decodeEntry(payload), position });
      count++;
      if (batch.length >= 1000) await applyBatch();
    });
    if (batch.length > 0) await applyBatch();
    return count;
  }

  async submit(entries: WriteEntry[]): Promise<void> {
    if (this.closed) throw new Error('the feature store is closed');
    const texts = entries.map(encodeEntry);
    const positions = await this.log.appendMany(texts);
    await this.applyTracked(entries.map((entry, i) => ({ entry, position: positions[i]!, text: texts[i]! })));
  }

  async flush(group?: string): Promise<void> {
    await this.offline?.flush(group);
    await this.scheduleCheckpoint();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.offline?.close();
    await this.scheduleCheckpoint();
    await this.log.close();
  }

  /**
   * Entries acknowledged by one log sync arrive here in the same turn: they are coalesced and
   * applied together (one online-store batch instead of one per caller), in log order.
   */
  private applyTracked(items: LoggedEntry[]): Promise<void> {
    this.tracker.begin(items.map((i) => i.position));
    return new Promise((resolve, reject) => {
      this.applyQueue.push({ items, resolve, reject });
      if (this.applyQueue.length === 1) queueMicrotask(() => void this.applyQueued());
    });
  }

  private async applyQueued(): Promise<void> {
    const queued = this.applyQueue;
    this.applyQueue = [];
    const items = queued.length === 1 ? queued[0]!.items : queued.flatMap((q) => q.items);
    try {
      await this.applier.apply(items);
    } catch (error) {
      // Everything stays outstanding, so the log keeps the entries for the next open to replay.
      for (const q of queued) q.reject(error);
      return;
    }
    // Offline rows stay outstanding until the sink reports them committed.
    this.tracker.end(items.filter((i) => !i.entry.offline).map((i) => i.position));
    for (const q of queued) q.resolve();
  }

  private scheduleCheckpoint(): Promise<void> {
    if (this.checkpointing) return this.checkpointing;
    const target = this.tracker.lowWatermark();
    if (target <= this.checkpointed) return Promise.resolve();
    this.checkpointing = this.applier
      .flushOnline()
      .then(() => this.log.checkpoint(target))
      .then(() => {
        this.checkpointed = target;
      })
      .finally(() => {
        this.checkpointing = undefined;
      });
    return this.checkpointing;
  }
}
