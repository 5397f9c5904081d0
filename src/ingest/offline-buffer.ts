import { NotFoundError } from '../domain/index.js';
import type { LoggedEntry, OfflineSink } from './store-applier.js';

/** The offline store as the buffer sees it. */
export interface OfflineTableWriter {
  /**
   * Appends logged entries (their log text, see entry-codec.ts) as rows of one commit
   * (NotFoundError when the group's table no longer exists), recording `logPosition` (the highest
   * log position among them) with the snapshot, so a replay after a crash does not append them twice.
   */
  appendLogEntries(group: string, entries: string[], writeTimeMicros: number, logPosition: bigint): Promise<unknown>;
  /** The highest log position committed to the group's table (0 when none). */
  committedLogPosition(group: string): Promise<bigint>;
}

export interface OfflineBufferOptions {
  /** Oldest a buffered row may get before a commit (default 200 ms). */
  maxDelayMs?: number;
  /** Rows that force a commit at once (default 10,000). */
  maxRows?: number;
  /** Told whenever rows are committed, with their positions (for log checkpoints). */
  onCommitted?(positions: bigint[]): void;
  /** Told when a commit fails; the rows stay buffered and are retried. */
  onError?(group: string, error: unknown): void;
}

interface GroupBuffer {
  rows: LoggedEntry[];
  timer?: NodeJS.Timeout;
  committing?: Promise<void>;
  /** Count of rows ever enqueued / committed, for flush's "everything before now". */
  enqueued: number;
  committed: number;
  waiters: Array<{ target: number; resolve: () => void; reject: (e: unknown) => void }>;
  /** Positions at or below this are in the table already (replay after a crash). */
  committedPosition?: Promise<bigint>;
  failures: number;
}

/**
 * Batches acknowledged rows per feature group and commits them to the offline store by size
 * or age. Commits of one group run one at a time, in log order; groups commit independently.
 */
export class OfflineBuffer implements OfflineSink {
  private readonly groups = new Map<string, GroupBuffer>();
  private readonly maxDelayMs: number;
  private readonly maxRows: number;
  private closed = false;

  constructor(
    private readonly writer: OfflineTableWriter,
    private readonly options: OfflineBufferOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 200;
    this.maxRows = options.maxRows ?? 10_000;
  }

  enqueue(entries: ReadonlyArray<LoggedEntry>): void {
    for (const item of entries) {
      const buffer = this.buffer(item.entry.group);
      buffer.rows.push(item);
      buffer.enqueued++;
      if (buffer.rows.length >= this.maxRows) this.commitSoon(item.entry.group, 0);
      else this.commitSoon(item.entry.group, this.maxDelayMs);
    }
  }

  async flush(group?: string): Promise<void> {
    const names = group === undefined ? [...this.groups.keys()] : this.groups.has(group) ? [group] : [];
    await Promise.all(
      names.map((name) => {
        const buffer = this.groups.get(name)!;
        if (buffer.committed >= buffer.enqueued) return undefined;
        const done = new Promise<void>((resolve, reject) => buffer.waiters.push({ target: buffer.enqueued, resolve, reject }));
        this.commitSoon(name, 0);
        return done;
      }),
    );
  }

  /** Commits what is buffered, then stops; rows that still fail stay in the log for the next open. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      for (const buffer of this.groups.values()) clearTimeout(buffer.timer);
    }
  }

  /** Forgets a group's buffered rows (the group is being deleted). */
  discard(group: string): void {
    const buffer = this.groups.get(group);
    if (!buffer) return;
    clearTimeout(buffer.timer);
    buffer.committed = buffer.enqueued;
    buffer.rows = [];
    for (const w of buffer.waiters.splice(0)) w.resolve();
    this.groups.delete(group);
  }

  private buffer(group: string): GroupBuffer {
    let buffer = this.groups.get(group);
    if (!buffer) {
      buffer = { rows: [], enqueued: 0, committed: 0, waiters: [], failures: 0 };
      this.groups.set(group, buffer);
    }
    return buffer;
  }

  private commitSoon(group: string, delayMs: number): void {
    const buffer = this.groups.get(group);
    if (!buffer || this.closed) return;
    if (buffer.timer && delayMs > 0) return;
    clearTimeout(buffer.timer);
    buffer.timer = setTimeout(() => {
      buffer.timer = undefined;
      void this.commit(group);
    }, delayMs);
  }

  private async commit(group: string): Promise<void> {
    const buffer = this.groups.get(group);
    if (!buffer) return;
    if (buffer.committing) {
      // The running commit reports its own failure (and retries); this one only follows it.
      await buffer.committing.catch(() => undefined);
      if (buffer.rows.length > 0) this.commitSoon(group, 0);
      return;
    }
    if (buffer.rows.length === 0) return;
    const batch = buffer.rows.splice(0, this.maxRows);
    buffer.committing = this.write(group, buffer, batch);
    try {
      await buffer.committing;
      buffer.failures = 0;
      buffer.committed += batch.length;
      this.options.onCommitted?.(batch.map((b) => b.position));
      this.settleWaiters(buffer);
    } catch (error) {
      if (error instanceof NotFoundError) {
        // The group (and its table) is gone: its buffered rows have nowhere to go.
        buffer.committed += batch.length;
        this.options.onCommitted?.(batch.map((b) => b.position));
        this.settleWaiters(buffer);
      } else {
        buffer.rows.unshift(...batch);
        buffer.failures++;
        this.options.onError?.(group, error);
        if (buffer.failures >= 5) {
          // Give flush() callers the error; the rows stay buffered (and logged) for later attempts.
          for (const w of buffer.waiters.splice(0)) w.reject(error);
        }
      }
    } finally {
      buffer.committing = undefined;
    }
    if (buffer.rows.length > 0) this.commitSoon(group, buffer.failures > 0 ? Math.min(5000, 100 * 2 ** buffer.failures) : 0);
  }

  private async write(group: string, buffer: GroupBuffer, batch: LoggedEntry[]): Promise<void> {
    buffer.committedPosition ??= this.writer.committedLogPosition(group);
    const already = await buffer.committedPosition;
    const fresh = batch.filter((b) => b.position > already);
    if (fresh.length === 0) return;
    let maxPosition = 0n;
    const texts = fresh.map(({ position, text }) => {
      if (position > maxPosition) maxPosition = position;
      return text;
    });
    await this.writer.appendLogEntries(group, texts, Date.now() * 1000, maxPosition);
    buffer.committedPosition = Promise.resolve(maxPosition);
  }

  private settleWaiters(buffer: GroupBuffer): void {
    buffer.waiters = buffer.waiters.filter((w) => {
      if (buffer.committed < w.target) return true;
      w.resolve();
      return false;
    });
  }
}
