import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ObjectStore } from './object-store.js';

export interface ObjectCacheOptions {
  /** The cache's directory (owned by one process: it lives in the data directory). */
  dir: string;
  /** Bytes kept at most, beyond the files that running queries hold. */
  maxBytes: number;
  /** Objects are fetched in ranged parts of this size (default 8 MiB)... */
  partBytes?: number;
  /** ...this many at a time (default 4), which bounds memory and uses several connections for a large file. */
  parallelParts?: number;
}

/** Local copies of objects, held until `release`: eviction never removes a file a query is reading. */
export interface CacheLease {
  paths: string[];
  release(): void;
}

export interface ObjectCacheStats {
  hits: number;
  misses: number;
  /** Requests that joined a fetch of the same object already under way. */
  coalesced: number;
  evictions: number;
  /** Bytes downloaded. */
  fetchedBytes: number;
  /** Ranged GET requests sent. */
  requests: number;
  files: number;
  bytes: number;
}

interface Entry {
  path: string;
  size: number;
  pins: number;
  uri?: string;
}

/**
 * A bounded, least-recently-used cache of immutable objects on local disk, so that DuckDB (which
 * cannot fetch from S3 here) reads remote Parquet as local files. Objects never change once
 * written, so a cached copy is never stale; files survive a restart and are found again by name.
 * Concurrent requests for one object share one download.
 */
export class ObjectCache {
  /** Least recently used first (a Map keeps insertion order; a hit re-inserts). */
  private readonly entries = new Map<string, Entry>();
  /** Downloads under way, with how many requests wait on each (they are pinned the moment it lands). */
  private readonly inflight = new Map<string, { promise: Promise<Entry>; waiters: number }>();
  private bytes = 0;
  private readonly counters = { hits: 0, misses: 0, coalesced: 0, evictions: 0, fetchedBytes: 0, requests: 0 };
  private readonly partBytes: number;
  private readonly parallelParts: number;

  private constructor(
    private readonly io: ObjectStore,
    private readonly objectsDir: string,
    private readonly tmpDir: string,
    private readonly maxBytes: number,
    options: ObjectCacheOptions,
  ) {
    this.partBytes = options.partBytes ?? 8 * 1024 * 1024;
    this.parallelParts = options.parallelParts ?? 4;
  }

  static async open(io: ObjectStore, options: ObjectCacheOptions): Promise<ObjectCache> {
    const objectsDir = join(options.dir, 'objects');
    const tmpDir = join(options.dir, 'tmp');
    await rm(tmpDir, { recursive: true, force: true }); // downloads cut short by a crash
    await mkdir(objectsDir, { recursive: true });
    await mkdir(tmpDir, { recursive: true });
    const cache = new ObjectCache(io, objectsDir, tmpDir, options.maxBytes, options);
    // Files from an earlier run, oldest access first.
    const found = await Promise.all(
      (await readdir(objectsDir)).map(async (name) => {
        const s = await stat(join(objectsDir, name));
        return { name, size: s.size, at: s.atimeMs };
      }),
    );
    for (const f of found.sort((a, b) => a.at - b.at)) cache.insert(f.name, { path: join(objectsDir, f.name), size: f.size, pins: 0 });
    await cache.evict();
    return cache;
  }

  /** The directory DuckDB must be allowed to read. */
  get directory(): string {
    return this.objectsDir;
  }

  stats(): ObjectCacheStats {
    return { ...this.counters, files: this.entries.size, bytes: this.bytes };
  }

  /** Local copies of the objects (fetched when missing), pinned until the lease is released. */
  async acquire(objects: ReadonlyArray<{ uri: string; size?: number }>): Promise<CacheLease> {
    // Each entry is pinned synchronously when it is handed out, so no eviction slips in between.
    const settled = await Promise.allSettled(objects.map((o) => this.pinned(o.uri, o.size)));
    const held = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const e of held) e.pins--;
      void this.evict();
    };
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) {
      release();
      throw failed.reason;
    }
    await this.evict();
    return { paths: held.map((e) => e.path), release };
  }

  /** Takes a file just written and uploaded as the object at `uri` (moved, not copied): readers need not download it. */
  async adopt(uri: string, file: string): Promise<void> {
    const name = cacheName(uri);
    const path = join(this.objectsDir, name);
    const { size } = await stat(file);
    await rename(file, path);
    if (!this.entries.has(name)) this.insert(name, { path, size, pins: 0, uri });
    await this.evict();
  }

  /** Drops cached copies of objects under a prefix (a dropped table). */
  async forget(prefixUri: string): Promise<void> {
    for (const [name, e] of this.entries) {
      if (e.uri?.startsWith(prefixUri) && e.pins === 0) {
        this.remove(name, e);
        await rm(e.path, { force: true });
      }
    }
  }

  private insert(name: string, entry: Entry): void {
    this.entries.set(name, entry);
    this.bytes += entry.size;
  }

  private remove(name: string, entry: Entry): void {
    this.entries.delete(name);
    this.bytes -= entry.size;
  }

  private pinned(uri: string, size: number | undefined): Promise<Entry> {
    const name = cacheName(uri);
    const cached = this.entries.get(name);
    if (cached) {
      this.counters.hits++;
      this.entries.delete(name);
      this.entries.set(name, cached); // most recently used
      cached.uri ??= uri;
      cached.pins++;
      return Promise.resolve(cached);
    }
    const running = this.inflight.get(name);
    if (running) {
      this.counters.coalesced++;
      running.waiters++;
      return running.promise;
    }
    this.counters.misses++;
    const download = { promise: this.fetch(uri, name, size).finally(() => this.inflight.delete(name)), waiters: 1 };
    this.inflight.set(name, download);
    return download.promise;
  }

  /** Downloads in ranged parts, a few at a time, into a temporary file, then renames it into place. */
  private async fetch(uri: string, name: string, knownSize: number | undefined): Promise<Entry> {
    const size = knownSize ?? (await this.io.size(uri));
    if (size === undefined) throw new Error(`object ${uri} does not exist`);
    const tmp = join(this.tmpDir, `${randomUUID()}${extname(name)}`);
    const handle = await open(tmp, 'w');
    try {
      let next = 0;
      const worker = async () => {
        while (next < size) {
          const offset = next;
          next += this.partBytes;
          const bytes = await this.io.readRange(uri, offset, Math.min(this.partBytes, size - offset));
          this.counters.requests++;
          this.counters.fetchedBytes += bytes.length;
          if (bytes.length !== Math.min(this.partBytes, size - offset)) throw new Error(`object ${uri}: short read at ${offset}`);
          await handle.write(bytes, 0, bytes.length, offset);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(this.parallelParts, Math.ceil(size / this.partBytes))) }, worker));
    } catch (error) {
      await handle.close();
      await rm(tmp, { force: true });
      throw error;
    }
    await handle.close();
    const path = join(this.objectsDir, name);
    await rename(tmp, path);
    const entry: Entry = { path, size, pins: this.inflight.get(name)!.waiters, uri };
    this.insert(name, entry);
    return entry;
  }

  /** Removes least recently used files, never a pinned one, until the cache fits its bound. */
  private async evict(): Promise<void> {
    if (this.bytes <= this.maxBytes) return;
    const victims: Entry[] = [];
    for (const [name, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      if (e.pins > 0) continue;
      this.remove(name, e);
      victims.push(e);
      this.counters.evictions++;
    }
    await Promise.all(victims.map((e) => rm(e.path, { force: true })));
  }
}

/** A file name per URI: a hash (no path from the URI reaches the disk) that keeps the extension DuckDB reads by. */
function cacheName(uri: string): string {
  const ext = extname(uri).toLowerCase();
  return `${createHash('sha256').update(uri).digest('hex').slice(0, 40)}${/^\.[a-z0-9]{1,10}$/.test(ext) ? ext : ''}`;
}
