import { randomInt, randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, SnapshotExpiredError } from '../../domain/index.js';
import type { TablePointer } from '../../registry/registry.js';
import type { ObjectStore } from '../objectstore/index.js';
import {
  EntryStatus,
  writeManifest,
  writeManifestList,
  type DataFile,
  type ManifestEntry,
  type ManifestFile,
} from './manifest.js';
import { highestFieldId, type IcebergSchema, type NestedField } from './schema.js';
import { ManifestCache } from './manifest-cache.js';
import type { TablePointerStore } from './table-pointer-store.js';
import { currentSchema, currentSnapshot, parseTableMetadata, type Snapshot, type TableMetadata } from './table-metadata.js';
import { writeMetadataFile, writeVersionHint } from './metadata-files.js';
import { summarize } from './snapshot-summary.js';

export interface RewriteChange {
  operation: 'replace' | 'overwrite' | 'delete';
  /** Live files to remove (by path); each must still be live when the commit lands. */
  removeFiles: string[];
  addFiles: DataFile[];
  /** Writes all the snapshot's manifests as one (compaction keeps planning to a manifest or two). */
  mergeManifests?: boolean;
}

export interface ExpireSnapshotsOptions {
  /** Snapshots older than this (epoch ms) are expired... */
  olderThanMs: number;
  /** ...except the newest `retainLast` of the current branch (at least 1: the current snapshot stays). */
  retainLast: number;
  /** Younger snapshots to expire as well (thinning), chosen from the metadata the commit builds on. */
  thin?: (snapshots: readonly Snapshot[]) => Set<bigint>;
}

export interface ExpiredSnapshots {
  /** The snapshots removed from the metadata. */
  expired: Snapshot[];
  /** The snapshots kept, as committed. */
  kept: Snapshot[];
  /** Metadata files dropped from the metadata log (previous versions). */
  droppedMetadataFiles: string[];
}

const RETRIES = 8;
const ENGINE = { 'engine-name': 'floe', 'engine-version': '0.1.0' };

/**
 * One Apache Iceberg v2 table: metadata JSON, Avro manifests, Parquet data files. Commits are
 * optimistic: build the next metadata file from the current one, then compare-and-set the table
 * pointer; on a lost race, reload, re-validate and retry. A crash leaves at most orphan files.
 */
export class IcebergTable {
  private commitChain: Promise<void> = Promise.resolve();
  /** Manifest lists and manifests never change once written: kept in memory, so planning a query reads none twice (on S3, no round trips). */

  private constructor(
    readonly name: string,
    private readonly io: ObjectStore,
    private readonly pointers: TablePointerStore,
    private pointer: TablePointer,
    private meta: TableMetadata,
  ) {}

  get metadata(): TableMetadata {
    return this.meta;
  }

  get location(): string {
    return this.meta.location;
  }

  get metadataLocation(): string {
    return this.pointer.metadataLocation;
  }

  schema(): IcebergSchema {
    return currentSchema(this.meta);
  }

  static async create(
    name: string,
    io: ObjectStore,
    pointers: TablePointerStore,
    args: { location: string; schema: IcebergSchema; properties?: Record<string, string> },
  ): Promise<IcebergTable> {
    const now = Date.now();
    const meta: TableMetadata = {
      'format-version': 2,
      'table-uuid': randomUUID(),
      location: args.location,
      'last-sequence-number': 0,
      'last-updated-ms': now,
      'last-column-id': highestFieldId(args.schema),
      schemas: [args.schema],
      'current-schema-id': args.schema['schema-id'],
      'partition-specs': [{ 'spec-id': 0, fields: [] }],
      'default-spec-id': 0,
      'last-partition-id': 999,
      'sort-orders': [{ 'order-id': 0, fields: [] }],
      'default-sort-order-id': 0,
      properties: { 'write.parquet.compression-codec': 'zstd', ...args.properties },
      snapshots: [],
      'snapshot-log': [],
      'metadata-log': [],
      refs: {},
    };
    const written = await writeMetadataFile(io, meta, 1);
    if (!written || !(await pointers.swapTablePointer(name, undefined, written.location))) {
      throw new ConflictError(`table '${name}' already exists`, { field: 'featureGroupName' });
    }
    await writeVersionHint(io, written, meta.location, 1);
    return new IcebergTable(name, io, pointers, { metadataLocation: written.location, version: 1 }, meta);
  }

  static async load(name: string, io: ObjectStore, pointers: TablePointerStore): Promise<IcebergTable> {
    const pointer = await pointers.getTablePointer(name);
    if (!pointer) throw new NotFoundError(`table '${name}' does not exist`, { field: 'featureGroupName' });
    const meta = parseTableMetadata((await io.read(pointer.metadataLocation)).toString('utf8'));
    return new IcebergTable(name, io, pointers, pointer, meta);
  }

  async refresh(): Promise<void> {
    const pointer = await this.pointers.getTablePointer(this.name);
    if (!pointer) throw new NotFoundError(`table '${this.name}' does not exist`, { field: 'featureGroupName' });
    if (pointer.metadataLocation === this.pointer.metadataLocation) return;
    const meta = parseTableMetadata((await this.io.read(pointer.metadataLocation)).toString('utf8'));
    if (meta['table-uuid'] !== this.meta['table-uuid']) throw new ConflictError(`table '${this.name}' was replaced by another table`);
    this.pointer = pointer;
    this.meta = meta;
  }

  snapshots(): Snapshot[] {
    return [...this.meta.snapshots];
  }

  currentSnapshot(): Snapshot | undefined {
    return currentSnapshot(this.meta);
  }

  /** The snapshot by id, or the one current at a time (epoch ms); NotFoundError when none. */
  snapshotAt(asOf: { snapshotId: bigint } | { timestampMs: number }): Snapshot {
    const oldest = this.oldestKeptSnapshot();
    const expiredSince = oldest && oldest['parent-snapshot-id'] !== undefined ? new Date(oldest['timestamp-ms']).toISOString() : undefined;
    if ('snapshotId' in asOf) {
      const s = this.meta.snapshots.find((x) => x['snapshot-id'] === asOf.snapshotId);
      if (s) return s;
      if (expiredSince) {
        throw new SnapshotExpiredError(
          `asOf: table '${this.name}' has no snapshot ${asOf.snapshotId}: it never existed or was expired by VACUUM (history kept from ${expiredSince})`,
          { field: 'asOf' },
        );
      }
      throw new NotFoundError(`asOf: table '${this.name}' has no snapshot ${asOf.snapshotId}`, { field: 'asOf' });
    }
    let found: bigint | undefined;
    for (const entry of this.meta['snapshot-log']) if (entry['timestamp-ms'] <= asOf.timestampMs) found = entry['snapshot-id'];
    const s = found === undefined ? undefined : this.meta.snapshots.find((x) => x['snapshot-id'] === found);
    if (s) return s;
    const at = new Date(asOf.timestampMs).toISOString();
    if (expiredSince) {
      throw new SnapshotExpiredError(`asOf: the snapshots of table '${this.name}' at ${at} were expired by VACUUM (history kept from ${expiredSince})`, { field: 'asOf' });
    }
    throw new NotFoundError(`asOf: table '${this.name}' has no snapshot at or before ${at}`, { field: 'asOf' });
  }

  /** The oldest snapshot the metadata still holds; a parent id it names but no longer holds means history was expired. */
  private oldestKeptSnapshot(): Snapshot | undefined {
    let oldest: Snapshot | undefined;
    for (const s of this.meta.snapshots) if (!oldest || s['sequence-number'] < oldest['sequence-number']) oldest = s;
    return oldest;
  }

  /** The live data files of a snapshot (default: the current one). */
  async liveFiles(snapshot: Snapshot | undefined = this.currentSnapshot()): Promise<DataFile[]> {
    if (!snapshot) return [];
    const entries = await this.entries(snapshot);
    return entries.filter((e) => e.status !== EntryStatus.Deleted).map((e) => e.dataFile);
  }

  /** The manifests a snapshot's manifest list names. */
  async manifests(snapshot: Snapshot): Promise<ManifestFile[]> {
    this.manifestCache ??= new ManifestCache(this.io);
    return this.manifestCache.manifestList(snapshot['manifest-list']);
  }

  /** The entries of one manifest (every status). Shared with the cache: treat them as read-only. */
  manifestEntries(manifest: ManifestFile): Promise<ManifestEntry[]> {
    return this.readEntries(manifest);
  }

  private readEntries(manifest: ManifestFile): Promise<ManifestEntry[]> {
    this.manifestCache ??= new ManifestCache(this.io);
    return this.manifestCache.entries(manifest);
  }

  /** Tells the table's caches that these manifest lists and manifests were deleted. */
  forgetFiles(uris: Iterable<string>): void {
    this.manifestCache?.forget(uris);
  }

  /** Made on first use: the store is a constructor parameter, assigned after field initialisers. */
  private manifestCache?: ManifestCache;

  private async entries(snapshot: Snapshot): Promise<ManifestEntry[]> {
    const manifests = await this.manifests(snapshot);
    const lists = await Promise.all(manifests.map(async (m) => this.readEntries(m)));
    return lists.flat();
  }

  /** Appends data files as one snapshot; `summary` adds keys to the snapshot summary. */
  append(files: DataFile[], summary: Record<string, string> = {}): Promise<Snapshot> {
    return this.commitSnapshot('append', summary, async (base, snapshotId, sequence) => {
      const parent = currentSnapshot(base);
      const kept = parent ? await this.mergeManifests(await this.manifests(parent), snapshotId, sequence, base) : [];
      const added = files.length > 0 ? [await this.writeNewManifest(files, snapshotId, sequence, base)] : [];
      return { manifests: [...added, ...kept], added: files, removed: [] };
    });
  }

  /** Removes some live files and adds others (compaction, copy-on-write deletes, retention). */
  rewrite(change: RewriteChange, summary: Record<string, string> = {}): Promise<Snapshot> {
    const removing = new Set(change.removeFiles);
    return this.commitSnapshot(change.operation, summary, async (base, snapshotId, sequence) => {
      const parent = currentSnapshot(base);
      if (!parent) {
        if (removing.size > 0) throw new ConflictError(`table '${this.name}' has no files to remove`);
        return { manifests: change.addFiles.length ? [await this.writeNewManifest(change.addFiles, snapshotId, sequence, base)] : [], added: change.addFiles, removed: [] };
      }
      const manifests: ManifestFile[] = [];
      const removed: DataFile[] = [];
      // Merging: every live entry goes into one manifest (carried as existing, or deleted by this snapshot).
      const merged: ManifestEntry[] = [];
      for (const manifest of await this.manifests(parent)) {
        const entries = await this.readEntries(manifest);
        const touched = entries.some((e) => e.status !== EntryStatus.Deleted && removing.has(e.dataFile.filePath));
        if (!touched && !change.mergeManifests) {
          manifests.push(manifest);
          continue;
        }
        const rewritten: ManifestEntry[] = [];
        for (const e of entries) {
          if (e.status === EntryStatus.Deleted) continue;
          if (removing.has(e.dataFile.filePath)) {
            rewritten.push({ ...e, status: EntryStatus.Deleted, snapshotId });
            removed.push(e.dataFile);
          } else rewritten.push({ ...e, status: EntryStatus.Existing });
        }
        if (change.mergeManifests) merged.push(...rewritten);
        else manifests.push(await this.storeManifest(rewritten, snapshotId, sequence, base));
      }
      if (removed.length !== removing.size) {
        throw new ConflictError(`table '${this.name}': ${removing.size - removed.length} of the files to remove are no longer live (a concurrent change)`);
      }
      if (change.mergeManifests) {
        const all = [...change.addFiles.map((dataFile) => addedEntry(dataFile, snapshotId, sequence)), ...merged];
        return { manifests: all.length > 0 ? [await this.storeManifest(all, snapshotId, sequence, base)] : [], added: change.addFiles, removed };
      }
      if (change.addFiles.length > 0) manifests.unshift(await this.writeNewManifest(change.addFiles, snapshotId, sequence, base));
      return { manifests, added: change.addFiles, removed };
    });
  }

  /**
   * Removes old snapshots from the metadata (Iceberg's expire-snapshots): those older than
   * `olderThanMs` or chosen by `thin`, except the newest `retainLast` of the current branch and
   * every snapshot a ref names. The snapshot log loses the expired entries; the metadata log is emptied when anything
   * expired. Files are not touched here: the caller deletes what no kept snapshot references.
   */
  async expireSnapshots(options: ExpireSnapshotsOptions): Promise<ExpiredSnapshots> {
    let result: ExpiredSnapshots = { expired: [], kept: [], droppedMetadataFiles: [] };
    await this.commitMetadata((base) => {
      const byId = new Map(base.snapshots.map((s) => [s['snapshot-id'], s]));
      const keep = new Set<bigint>();
      let cursor = currentSnapshot(base);
      for (let n = 0; cursor && n < Math.max(1, options.retainLast); n++) {
        keep.add(cursor['snapshot-id']);
        cursor = cursor['parent-snapshot-id'] === undefined ? undefined : byId.get(cursor['parent-snapshot-id']);
      }
      for (const ref of Object.values(base.refs)) keep.add(ref['snapshot-id']);
      const thinned = options.thin?.(base.snapshots) ?? new Set<bigint>();
      for (const s of base.snapshots) if (s['timestamp-ms'] >= options.olderThanMs && !thinned.has(s['snapshot-id'])) keep.add(s['snapshot-id']);
      const kept = base.snapshots.filter((s) => keep.has(s['snapshot-id']));
      const expired = base.snapshots.filter((s) => !keep.has(s['snapshot-id']));
      // Every earlier metadata file lists the expired snapshots, whose files are about to go:
      // once anything expires, the log starts afresh and those files are dropped with them.
      const dropLog = expired.length > 0;
      result = {
        expired,
        kept,
        droppedMetadataFiles: dropLog ? [...base['metadata-log'].map((e) => e['metadata-file']), this.pointer.metadataLocation] : [],
      };
      return {
        ...base,
        snapshots: kept,
        'snapshot-log': base['snapshot-log'].filter((e) => keep.has(e['snapshot-id'])),
        'metadata-log': dropLog ? [] : base['metadata-log'],
      };
    });
    return result;
  }

  /** Adds optional columns (new ids past last-column-id) as a new current schema. */
  async addColumns(fields: Array<Omit<NestedField, 'id'>>): Promise<void> {
    await this.commitMetadata((base) => {
      const current = currentSchema(base);
      let nextId = base['last-column-id'];
      const added = fields.map((f) => {
        const id = ++nextId;
        const type = typeof f.type === 'object' ? { ...f.type, 'element-id': ++nextId } : f.type;
        return { ...f, id, type, required: false } as NestedField;
      });
      const schemaId = Math.max(...base.schemas.map((s) => s['schema-id'])) + 1;
      return {
        ...base,
        'last-column-id': nextId,
        schemas: [...base.schemas, { type: 'struct', 'schema-id': schemaId, fields: [...current.fields, ...added] }],
        'current-schema-id': schemaId,
      };
    });
  }

  /**
   * Sets and removes table properties in one commit. `check` runs against the very metadata the
   * commit builds on (each retry's fresh base), so a caller's requirements, such as an Iceberg
   * REST client's `assert-ref-snapshot-id`, hold at the commit or it fails.
   */
  async setProperties(set: Record<string, string>, remove: string[] = [], check?: (base: TableMetadata) => void): Promise<void> {
    await this.commitMetadata((base) => {
      check?.(base);
      const properties = { ...base.properties, ...set };
      for (const key of remove) delete properties[key];
      return { ...base, properties };
    });
  }

  /**
   * Merge-append: once a table holds `commit.manifest.min-count-to-merge` manifests (100), they are
   * merged into one, so planning reads a handful of manifests however many commits piled up.
   */
  private async mergeManifests(manifests: ManifestFile[], snapshotId: bigint, sequence: number, base: TableMetadata): Promise<ManifestFile[]> {
    const minCount = Number(base.properties['commit.manifest.min-count-to-merge'] ?? 100);
    if (manifests.length < minCount) return manifests;
    const entries = (await Promise.all(manifests.map(async (m) => this.readEntries(m))))
      .flat()
      .filter((e) => e.status !== EntryStatus.Deleted)
      .map((e) => ({ ...e, status: EntryStatus.Existing }));
    return entries.length === 0 ? [] : [await this.storeManifest(entries, snapshotId, sequence, base)];
  }

  private async writeNewManifest(files: DataFile[], snapshotId: bigint, sequence: number, base: TableMetadata): Promise<ManifestFile> {
    return this.storeManifest(files.map((dataFile) => addedEntry(dataFile, snapshotId, sequence)), snapshotId, sequence, base);
  }

  private async storeManifest(entries: Array<ManifestEntry & { inherit?: boolean }>, snapshotId: bigint, sequence: number, base: TableMetadata): Promise<ManifestFile> {
    const bytes = await writeManifest(entries, currentSchema(base));
    const path = `${base.location}/metadata/${randomUUID()}-m0.avro`;
    await this.io.create(path, bytes);
    const count = (s: EntryStatus) => entries.filter((e) => e.status === s);
    const rows = (list: ManifestEntry[]) => list.reduce((n, e) => n + e.dataFile.recordCount, 0n);
    const live = entries.filter((e) => e.status !== EntryStatus.Deleted);
    const seq = BigInt(sequence);
    return {
      manifestPath: path,
      manifestLength: BigInt(bytes.length),
      sequenceNumber: seq,
      minSequenceNumber: live.reduce((min, e) => (e.inherit ? (seq < min ? seq : min) : e.sequenceNumber < min ? e.sequenceNumber : min), seq),
      addedSnapshotId: snapshotId,
      addedFilesCount: count(EntryStatus.Added).length,
      existingFilesCount: count(EntryStatus.Existing).length,
      deletedFilesCount: count(EntryStatus.Deleted).length,
      addedRowsCount: rows(count(EntryStatus.Added)),
      existingRowsCount: rows(count(EntryStatus.Existing)),
      deletedRowsCount: rows(count(EntryStatus.Deleted)),
    };
  }

  private async commitSnapshot(
    operation: Snapshot['summary']['operation'],
    extraSummary: Record<string, string>,
    build: (base: TableMetadata, snapshotId: bigint, sequence: number) => Promise<{ manifests: ManifestFile[]; added: DataFile[]; removed: DataFile[] }>,
  ): Promise<Snapshot> {
    const snapshotId = BigInt(randomInt(1, 2 ** 48)) * 32n + BigInt(randomInt(0, 32));
    let committed: Snapshot | undefined;
    await this.commitMetadata(async (base, attempt) => {
      const sequence = base['last-sequence-number'] + 1;
      const parent = currentSnapshot(base);
      const { manifests, added, removed } = await build(base, snapshotId, sequence);
      const listBytes = await writeManifestList(manifests, {
        snapshotId,
        ...(parent ? { parentSnapshotId: parent['snapshot-id'] } : {}),
        sequenceNumber: BigInt(sequence),
      });
      const listPath = `${base.location}/metadata/snap-${snapshotId}-${attempt}-${randomUUID()}.avro`;
      await this.io.create(listPath, listBytes);
      const now = Date.now();
      const snapshot: Snapshot = {
        'snapshot-id': snapshotId,
        ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
        'sequence-number': sequence,
        'timestamp-ms': now,
        'manifest-list': listPath,
        summary: { operation, ...summarize(parent?.summary, added, removed), ...ENGINE, ...extraSummary },
        'schema-id': base['current-schema-id'],
      };
      committed = snapshot;
      return {
        ...base,
        'last-sequence-number': sequence,
        'current-snapshot-id': snapshotId,
        snapshots: [...base.snapshots, snapshot],
        'snapshot-log': [...base['snapshot-log'], { 'snapshot-id': snapshotId, 'timestamp-ms': now }],
        refs: { ...base.refs, main: { 'snapshot-id': snapshotId, type: 'branch' } },
      };
    });
    return committed!;
  }

  /**
   * The optimistic commit loop: build from the latest metadata, write it, swap the pointer.
   * Commits through one instance run one at a time; other instances and processes race through
   * the pointer's compare-and-set.
   */
  private commitMetadata(build: (base: TableMetadata, attempt: number) => TableMetadata | Promise<TableMetadata>): Promise<void> {
    const run = this.commitChain.then(() => this.commitWithRetries(build));
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  private async commitWithRetries(build: (base: TableMetadata, attempt: number) => TableMetadata | Promise<TableMetadata>): Promise<void> {
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
      await this.refresh();
      // Base and pointer are taken together, before any await, so the swap expects exactly the
      // version this metadata was built from.
      const base = this.meta;
      const pointer = this.pointer;
      const next = await build(base, attempt);
      const version = pointer.version + 1;
      next['last-updated-ms'] = Date.now();
      const maxLog = Number(base.properties['write.metadata.previous-versions-max'] ?? 100);
      // A builder that set a log of its own (snapshot expiry) keeps it; otherwise the version replaced is logged.
      if (next['metadata-log'] === base['metadata-log']) {
        next['metadata-log'] = [...base['metadata-log'], { 'metadata-file': pointer.metadataLocation, 'timestamp-ms': base['last-updated-ms'] }].slice(-maxLog);
      }
      const written = await writeMetadataFile(this.io, next, version);
      if (written && (await this.pointers.swapTablePointer(this.name, pointer, written.location))) {
        this.pointer = { metadataLocation: written.location, version };
        this.meta = next;
        await writeVersionHint(this.io, written, next.location, version);
        return;
      }
    }
    throw new ConflictError(`table '${this.name}': the commit lost ${RETRIES} races with concurrent writers; try again`);
  }
}

/** An entry for a file this snapshot adds: its sequence numbers are inherited from the manifest list. */
function addedEntry(dataFile: DataFile, snapshotId: bigint, sequence: number): ManifestEntry & { inherit: boolean } {
  return { status: EntryStatus.Added, snapshotId, sequenceNumber: BigInt(sequence), fileSequenceNumber: BigInt(sequence), dataFile, inherit: true };
}
