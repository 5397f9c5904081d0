import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, statfs, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { diskFullOr, StorageFullError } from '../../domain/index.js';
import { decodeFrame, encodeFrame, HEADER_BYTES, payloadBytes } from './frame.js';

export interface WriteAheadLogOptions {
  dir: string;
  /** A new segment starts once the current one passes this size (default 64 MiB). */
  segmentBytes?: number;
  /**
   * Appends are refused (StorageFullError) while the disk has less free space than this (default
   * 4 MiB): the reserve lets what was already acknowledged still reach the online store and the
   * offline commits, whose own writes would otherwise fail half-way.
   */
  reserveBytes?: number;
}

/** How long a free-space reading is trusted. */
const SPACE_CHECK_MS = 100;

/** Bytes, or text written as UTF-8 straight into the log's buffer. */
export type Payload = Uint8Array | string;

interface Pending {
  payloads: ReadonlyArray<Payload>;
  resolve: (lsns: bigint[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Segments are opened for synchronised appends (O_DSYNC): each write returns once its bytes are on
 * disk, as write + fdatasync would, in one system call (one trip to the thread pool per batch).
 */
const APPEND_DSYNC = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC;

const SEGMENT = /^(\d{20})\.wal$/;
const segmentName = (firstLsn: bigint) => `${firstLsn.toString().padStart(20, '0')}.wal`;

/**
 * An append-only, checksummed log of opaque payloads. `append` resolves once the payload is on
 * disk (O_DSYNC, as fdatasync). Group commit: appends that arrive while a sync is running are written and
 * synced together by the next one, so concurrent writers share the cost of a sync.
 */
export class WriteAheadLog {
  private queue: Pending[] = [];
  private writing = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  private spaceCheckedAt = 0;
  private spaceLeft = true;

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    private segment: FileHandle,
    private segmentSize: number,
    private nextLsn: bigint,
    private checkpointed: bigint,
    private segments: bigint[],
    private readonly reserveBytes: number,
  ) {}

  static async open(options: WriteAheadLogOptions): Promise<WriteAheadLog> {
    const { dir } = options;
    await mkdir(dir, { recursive: true });
    const checkpointed = await readCheckpoint(dir);
    const segments = await listSegments(dir);
    let nextLsn = checkpointed + 1n;
    let lastSize = 0;
    const last = segments.at(-1);
    if (last !== undefined) {
      // Find the end of the last intact entry and cut whatever follows (a torn write).
      const path = join(dir, segmentName(last));
      const bytes = await readFile(path);
      let offset = 0;
      let lastLsn = last - 1n;
      for (let frame = decodeFrame(bytes, 0); frame; frame = decodeFrame(bytes, offset)) {
        lastLsn = frame.lsn;
        offset = frame.end;
      }
      if (offset < bytes.length) {
        const handle = await open(path, 'r+');
        await handle.truncate(offset);
        await handle.sync();
        await handle.close();
      }
      lastSize = offset;
      if (lastLsn + 1n > nextLsn) nextLsn = lastLsn + 1n;
    }
    let current: bigint;
    if (last === undefined || lastSize >= (options.segmentBytes ?? 64 * 1024 * 1024)) {
      current = nextLsn;
      segments.push(current);
      lastSize = 0;
    } else current = last;
    const handle = await open(join(dir, segmentName(current)), APPEND_DSYNC, 0o600);
    await syncDir(dir);
    const segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    return new WriteAheadLog(dir, segmentBytes, handle, lastSize, nextLsn, checkpointed, segments, options.reserveBytes ?? 4 * 1024 * 1024);
  }

  /** Everything at or below this position has been applied downstream. */
  get checkpointPosition(): bigint {
    return this.checkpointed;
  }

  append(payload: Payload): Promise<bigint> {
    return this.appendMany([payload]).then((lsns) => lsns[0]!);
  }

  appendMany(payloads: ReadonlyArray<Payload>): Promise<bigint[]> {
    if (this.closed) return Promise.reject(new Error('the write-ahead log is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ payloads, resolve, reject });
      if (!this.writing) void this.writeBatches();
    });
  }

  private async writeBatches(): Promise<void> {
    this.writing = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          const lsns = await this.writeBatch(batch);
          let i = 0;
          for (const pending of batch) {
            pending.resolve(lsns.slice(i, i + pending.payloads.length));
            i += pending.payloads.length;
          }
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.writing = false;
      this.markIdle();
    }
  }

  private async checkSpace(): Promise<void> {
    const now = Date.now();
    // A reading of enough space is trusted briefly; a full disk is re-read on every append, so
    // writes resume as soon as space returns.
    if (!this.spaceLeft || now - this.spaceCheckedAt >= SPACE_CHECK_MS) {
      this.spaceCheckedAt = now;
      const fs = await statfs(this.dir).catch(() => undefined);
      this.spaceLeft = fs === undefined || fs.bavail * fs.bsize >= this.reserveBytes;
    }
    if (!this.spaceLeft) {
      throw new StorageFullError(
        'write-ahead log: the disk is full (less free space than the reserve kept for acknowledged writes); acknowledged data is kept, retry once space is freed',
      );
    }
  }

  private async writeBatch(batch: Pending[]): Promise<bigint[]> {
    await this.checkSpace();
    if (this.segmentSize >= this.segmentBytes) await this.rollSegment();
    let size = 0;
    for (const p of batch) for (const payload of p.payloads) size += HEADER_BYTES + payloadBytes(payload);
    const buffer = Buffer.allocUnsafe(size);
    const lsns: bigint[] = [];
    let offset = 0;
    let lsn = this.nextLsn;
    for (const p of batch) {
      for (const payload of p.payloads) {
        offset = encodeFrame(lsn, payload, buffer, offset);
        lsns.push(lsn++);
      }
    }
    try {
      // A write may land short (a disk filling up): loop until all of it is written or it fails.
      for (let written = 0; written < size; ) {
        const { bytesWritten } = await this.segment.write(buffer, written, size - written);
        if (bytesWritten === 0) throw Object.assign(new Error('no space left on device (short write)'), { code: 'ENOSPC' });
        written += bytesWritten;
      }
    } catch (error) {
      // Nothing of this batch is acknowledged: cut what reached the file, so the next batch does
      // not follow a torn frame (replay stops at the first bad frame and would drop it).
      await this.segment.truncate(this.segmentSize).catch(() => undefined);
      throw diskFullOr(error, 'write-ahead log');
    }
    this.nextLsn = lsn;
    this.segmentSize += size;
    return lsns;
  }

  private async rollSegment(): Promise<void> {
    await this.segment.close();
    this.segments.push(this.nextLsn);
    this.segment = await open(join(this.dir, segmentName(this.nextLsn)), APPEND_DSYNC, 0o600);
    this.segmentSize = 0;
    await syncDir(this.dir);
  }

  /** Calls back for every entry after `fromExclusive`, in order. */
  async replay(fromExclusive: bigint, onEntry: (lsn: bigint, payload: Uint8Array) => void | Promise<void>): Promise<void> {
    const segments = [...this.segments];
    for (const [i, first] of segments.entries()) {
      const next = segments[i + 1];
      if (next !== undefined && next - 1n <= fromExclusive) continue; // wholly at or before the start
      let bytes: Buffer;
      try {
        bytes = await readFile(join(this.dir, segmentName(first)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      let offset = 0;
      for (let frame = decodeFrame(bytes, 0); frame; frame = decodeFrame(bytes, offset)) {
        offset = frame.end;
        if (frame.lsn > fromExclusive) await onEntry(frame.lsn, frame.payload);
      }
    }
  }

  /** Records durably that entries up to `lsn` are applied; removes segments wholly below it. */
  async checkpoint(lsn: bigint): Promise<void> {
    if (lsn <= this.checkpointed) return;
    const tmp = join(this.dir, 'checkpoint.tmp');
    try {
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(lsn.toString());
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, join(this.dir, 'checkpoint'));
      await syncDir(this.dir);
    } catch (error) {
      // The old checkpoint stands: replay starts earlier, and the offline guard skips what is committed.
      throw diskFullOr(error, 'write-ahead log checkpoint');
    }
    this.checkpointed = lsn;
    while (this.segments.length > 1 && this.segments[1]! - 1n <= lsn) {
      const first = this.segments.shift()!;
      await rm(join(this.dir, segmentName(first)), { force: true });
    }
  }

  /** Waits for appends in flight, then closes. Later appends are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.idle;
    await this.segment.close();
  }
}

async function readCheckpoint(dir: string): Promise<bigint> {
  try {
    return BigInt((await readFile(join(dir, 'checkpoint'), 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0n;
    throw error;
  }
}

async function listSegments(dir: string): Promise<bigint[]> {
  const names = await readdir(dir);
  return names
    .map((n) => SEGMENT.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => BigInt(m[1]!))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
