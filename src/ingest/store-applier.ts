import type { OnlineStore } from '../online/online-store.js';
import type { WriteEntry } from '../records/write-entry.js';

/** An entry with its place in the log and its logged text (tagged JSON, see entry-codec.ts). */
export interface LoggedEntry {
  entry: WriteEntry;
  /** Orders entries (the log sequence number). */
  position: bigint;
  text: string;
}

/** Where acknowledged offline rows go: buffered and committed to the offline store in batches. */
export interface OfflineSink {
  enqueue(entries: ReadonlyArray<LoggedEntry>): void;
  flush(group?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Applies logged entries to the stores: online puts (grouped per feature group, one round trip
 * each), then the offline buffer. Applying an entry twice is harmless online (put-if-newer at an
 * equal event time rewrites the same record); the offline sink drops positions it already committed.
 */
export class StoreApplier {
  constructor(
    private readonly online: OnlineStore,
    private readonly offline?: OfflineSink,
  ) {}

  /** Resolves once the online store has everything applied so far on disk. */
  async flushOnline(): Promise<void> {
    await this.online.flush?.();
  }

  /**
   * Offline rows are queued synchronously, before any await, so that they reach the buffer in
   * log order (callers resolve in log order); the offline store's replay guard relies on it.
   */
  async apply(entries: ReadonlyArray<LoggedEntry>): Promise<void> {
    const offline = entries.filter(({ entry }) => entry.offline);
    if (offline.length > 0) {
      if (!this.offline) throw new Error('an offline write reached a store opened without an offline store');
      this.offline.enqueue(offline);
    }
    const byGroup = new Map<string, WriteEntry[]>();
    for (const { entry } of entries) {
      if (!entry.online || entry.kind !== 'put') continue;
      let list = byGroup.get(entry.group);
      if (!list) byGroup.set(entry.group, (list = []));
      list.push(entry);
    }
    await Promise.all(
      [...byGroup].map(([group, list]) =>
        this.online.putMany(
          group,
          list.map((e) => ({
            recordId: e.recordId,
            record: {
              values: e.values,
              eventTimeMicros: e.eventTimeMicros,
              ...(e.expiresAtMicros === undefined ? {} : { expiresAtMicros: e.expiresAtMicros }),
            },
          })),
        ),
      ),
    );
  }
}
