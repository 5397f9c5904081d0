import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { diskFullOr, type FeatureGroup } from '../domain/index.js';
import { IcebergTable } from './iceberg/iceberg-table.js';
import type { DataFile } from './iceberg/manifest.js';
import { duckdbType } from './iceberg/schema.js';
import type { Snapshot } from './iceberg/table-metadata.js';
import type { TablePointerStore } from './iceberg/table-pointer-store.js';
import { initialSchema, missingFeatures, nameMapping } from './feature-group-table.js';
import type { CacheLease, ObjectCache, ObjectStore } from './objectstore/index.js';
import { writeParquetFromLogEntries, writeParquetFromRows, writeParquetFromSelect, type OfflineRow } from './parquet-writer.js';

/** The summary key that records the highest write-ahead-log position in a snapshot. */
export const LOG_POSITION_KEY = 'floe.log-position';

export interface TableFiles {
  name: string;
  /** Local paths of the snapshot's Parquet files (cached copies for a remote warehouse). */
  files: string[];
  columns: Array<{ name: string; type: string }>;
  snapshotId?: bigint;
  /** Lets the cache evict the files again; call when the query that reads them is done. */
  release(): void;
}

/** Where DuckDB works locally: the warehouse itself when it is a directory, else a cache of remote objects. */
export interface LocalFiles {
  /** The local directory DuckDB may read (the query sandbox) and where scratch files go. */
  root: string;
  /** Present for a remote warehouse. */
  cache?: ObjectCache;
}

/** Told of an append: the snapshot committed, and the table's properties and kept snapshots after it. */
export type AppendListener = (group: string, snapshot: Snapshot, properties: Record<string, string>, snapshots: readonly Snapshot[]) => void;

/** Memory of the DuckDB instance that writes table files (commits, compaction, row removal). */
const WRITER_MEMORY_LIMIT = '1GB';

/**
 * The offline store: one Iceberg table per feature group at `<warehouse>/<group>/`. Rows are
 * written to Parquet by DuckDB (its own instance: the query engine's is sandboxed) and committed
 * through the registry's table pointers. For a remote warehouse DuckDB writes a local file that is
 * uploaded before the commit and kept in the cache, and reads snapshots through the cache.
 */
export class OfflineStore {
  private readonly tables = new Map<string, Promise<IcebergTable>>();
  private readonly appendListeners = new Set<AppendListener>();
  private instance?: Promise<DuckDBInstance>;

  constructor(
    readonly io: ObjectStore,
    private readonly pointers: TablePointerStore,
    readonly local: LocalFiles = { root: io.localPath(io.rootUri) ?? missingLocalRoot() },
  ) {}

  /** Temporary files (row batches as JSON, dataset bases, staged data files), inside the query sandbox. */
  get scratchDir(): string {
    return join(this.local.root, '.scratch');
  }

  private scratch?: Promise<string>;

  /** The scratch directory, created once. */
  private ensureScratch(): Promise<string> {
    this.scratch ??= mkdir(this.scratchDir, { recursive: true }).then(() => this.scratchDir);
    return this.scratch;
  }

  /**
   * Runs `body` on a connection of its own: groups commit concurrently, and a connection runs one
   * statement at a time. This instance writes table files; it is not the sandboxed query engine.
   */
  async withConnection<T>(body: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    this.instance ??= this.ensureScratch().then((scratch) =>
      DuckDBInstance.create(':memory:', {
        threads: '2',
        // Bounded, spilling past it: a long-running server must not hold 80% of the machine (DuckDB's default).
        memory_limit: WRITER_MEMORY_LIMIT,
        temp_directory: join(scratch, 'writer-spill'),
        // DuckDB would keep every Parquet file compaction reads in memory, files long deleted
        // included, until the limit forces them out; the operating system's page cache does this job.
        enable_external_file_cache: 'false',
      }),
    );
    const connection = await (await this.instance).connect();
    try {
      return await body(connection);
    } finally {
      connection.closeSync();
    }
  }

  private table(group: string): Promise<IcebergTable> {
    const key = group.toLowerCase();
    let table = this.tables.get(key);
    if (!table) {
      table = IcebergTable.load(group, this.io, this.pointers);
      this.tables.set(key, table);
      table.catch(() => this.tables.delete(key));
    }
    return table;
  }

  /** Creates the group's table, or adds the group's new features to it. Returns its location URI. */
  async ensureTable(group: FeatureGroup): Promise<string> {
    const existing = await this.pointers.getTablePointer(group.featureGroupName);
    if (!existing) {
      const schema = initialSchema(group);
      const table = await IcebergTable.create(group.featureGroupName, this.io, this.pointers, {
        location: this.io.resolve(group.featureGroupName),
        schema,
        properties: { 'schema.name-mapping.default': nameMapping(schema) },
      });
      this.tables.set(group.featureGroupName.toLowerCase(), Promise.resolve(table));
      return table.location;
    }
    const table = await this.table(group.featureGroupName);
    await table.refresh();
    const missing = missingFeatures(group, table.schema());
    if (missing.length > 0) {
      await table.addColumns(missing);
      await table.setProperties({ 'schema.name-mapping.default': nameMapping(table.schema()) });
    }
    return table.location;
  }

  async tableLocation(group: string): Promise<string> {
    return (await this.table(group)).location;
  }

  /**
   * Appends rows as one data file and one commit; records the write-ahead log's position in the
   * snapshot summary under a key of that log's own, since several processes (each with its own
   * log) commit to one table.
   */
  async appendRows(group: string, rows: OfflineRow[], logPosition?: { logId: string; position: bigint }): Promise<Snapshot | undefined> {
    return this.guarded('offline store append', async () => {
      const table = await this.table(group);
      await table.refresh();
      const file = await this.writeRows(table, rows);
      if (!file) return undefined;
      const summary = logPosition === undefined ? {} : { [logPositionKey(logPosition.logId)]: logPosition.position.toString() };
      return this.notifyAppend(table, await table.append([file], summary));
    });
  }

  /**
   * Appends write-ahead-log entries (their logged text) as one data file and one commit, stamped
   * with `writeTimeMicros`; records the log's position in the snapshot summary under the log's own key.
   */
  async appendLogEntries(
    group: string,
    entries: string[],
    writeTimeMicros: number,
    logPosition: { logId: string; position: bigint },
  ): Promise<Snapshot | undefined> {
    return this.guarded('offline store append', async () => {
      const table = await this.table(group);
      await table.refresh();
      const scratch = await this.ensureScratch();
      const file = await this.writeDataFileWith(table, (localPath, uri) =>
        this.withConnection((c) => writeParquetFromLogEntries(c, entries, writeTimeMicros, table.schema(), scratch, localPath, uri)),
      );
      if (!file) return undefined;
      return table.append([file], { [logPositionKey(logPosition.logId)]: logPosition.position.toString() });
    });
  }

  /** A full disk is a StorageFullError; nothing of a failed commit is visible (its files are orphans for vacuum). */
  private async guarded<T>(what: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw diskFullOr(error, what);
    }
  }

  /** Appends the result of a DuckDB SELECT (bulk ingest straight from files). */
  async appendFromSelect(group: string, select: string, connection?: DuckDBConnection): Promise<Snapshot | undefined> {
    return this.guarded('offline store bulk append', async () => {
      const table = await this.table(group);
      await table.refresh();
      const file = await this.writeDataFileWith(table, (localPath, uri) =>
        connection
          ? writeParquetFromSelect(connection, select, table.schema(), localPath, uri)
          : this.withConnection((c) => writeParquetFromSelect(c, select, table.schema(), localPath, uri)),
      );
      return file ? this.notifyAppend(table, await table.append([file])) : undefined;
    });
  }

  /** Writes rows as a data file of the group's table without committing it (bulk ingest commits many at once). */
  async writeDataFile(group: string, rows: OfflineRow[]): Promise<DataFile | undefined> {
    return this.guarded('offline store data file', async () => this.writeRows(await this.table(group), rows));
  }

  /** Writes the result of a DuckDB SELECT as a data file of the group's table, without committing it (compaction, copy-on-write). */
  async writeDataFileFromSelect(group: string, select: string): Promise<DataFile | undefined> {
    const table = await this.table(group);
    return this.writeDataFileWith(table, (localPath, uri) => this.withConnection((c) => writeParquetFromSelect(c, select, table.schema(), localPath, uri)));
  }

  /** Told after every append committed through this store (maintenance checks for small files and snapshots to expire there). */
  onAppend(listener: AppendListener): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  private notifyAppend(table: IcebergTable, snapshot: Snapshot): Snapshot {
    for (const listener of this.appendListeners) {
      try {
        listener(table.name, snapshot, table.metadata.properties, table.metadata.snapshots);
      } catch {
        // a listener's failure is its own; the commit stands
      }
    }
    return snapshot;
  }

  /** Commits data files written by writeDataFile as one append snapshot. */
  async commitDataFiles(group: string, files: DataFile[], summary: Record<string, string> = {}): Promise<Snapshot> {
    return this.guarded('offline store commit', async () => {
      const table = await this.table(group);
      return this.notifyAppend(table, await table.append(files, summary));
    });
  }

  /** Removes data files that were written but will not be committed. */
  async discardDataFiles(files: DataFile[]): Promise<void> {
    await Promise.all(files.map((f) => this.io.delete(f.filePath)));
  }

  private async writeRows(table: IcebergTable, rows: OfflineRow[]): Promise<DataFile | undefined> {
    const scratch = await this.ensureScratch();
    return this.writeDataFileWith(table, (localPath, uri) => this.withConnection((c) => writeParquetFromRows(c, rows, table.schema(), scratch, localPath, uri)));
  }

  /**
   * Has DuckDB write a new data file of the table at a local path: in place for a local
   * warehouse; for a remote one, staged, uploaded as a new (immutable) object, then kept in the cache.
   */
  private async writeDataFileWith(
    table: IcebergTable,
    write: (localPath: string, uri: string) => Promise<DataFile | undefined>,
  ): Promise<DataFile | undefined> {
    const uri = `${table.location}/data/${Date.now()}-${randomUUID()}.parquet`;
    const inPlace = this.io.localPath(uri);
    const localPath = inPlace ?? join(this.scratchDir, `${randomUUID()}.parquet`);
    await mkdir(join(localPath, '..'), { recursive: true });
    const file = await removedOnFailure(localPath, () => write(localPath, uri));
    if (!file || inPlace) return file;
    try {
      if (!(await this.io.createFromFile(uri, localPath))) throw new Error(`data file ${uri} exists already`);
      if (this.local.cache) await this.local.cache.adopt(uri, localPath);
    } finally {
      await rm(localPath, { force: true });
    }
    return file;
  }

  /** The highest position of the given write-ahead log committed to the group's table (0 when none). */
  async committedLogPosition(group: string, logId: string): Promise<bigint> {
    const table = await this.table(group);
    await table.refresh();
    const key = logPositionKey(logId);
    for (const s of [...table.snapshots()].reverse()) {
      const position = s.summary[key];
      if (position !== undefined) return BigInt(position);
    }
    return 0n;
  }

  /** The columns of the table's current schema, as DuckDB types (no data file is read). */
  async tableColumns(group: string): Promise<Array<{ name: string; type: string }>> {
    const table = await this.table(group);
    await table.refresh();
    return table.schema().fields.map((f) => ({ name: f.name, type: duckdbType(f.type) }));
  }

  /** The files and columns of a snapshot: the current one, one by id, or the one current at a time. */
  async tableFiles(group: string, asOf?: { snapshotId: bigint } | { timestampMs: number }): Promise<TableFiles> {
    const table = await this.table(group);
    await table.refresh();
    const snapshot = asOf ? table.snapshotAt(asOf) : table.currentSnapshot();
    const schemaId = snapshot?.['schema-id'] ?? table.metadata['current-schema-id'];
    const schema = table.metadata.schemas.find((s) => s['schema-id'] === schemaId) ?? table.schema();
    const files = await table.liveFiles(snapshot);
    const columns = schema.fields.map((f) => ({ name: f.name, type: duckdbType(f.type) }));
    const at = snapshot ? { snapshotId: snapshot['snapshot-id'] } : {};
    const lease = await this.localFiles(files);
    return { name: group, files: lease.paths, columns, ...at, release: lease.release };
  }

  /** Local paths of data files for DuckDB to read (cached copies for a remote warehouse), held until `release`. */
  async localFiles(files: readonly DataFile[]): Promise<CacheLease> {
    if (!this.local.cache) return { paths: files.map((f) => this.io.localPath(f.filePath)!), release: () => {} };
    return this.local.cache.acquire(files.map((f) => ({ uri: f.filePath, size: Number(f.fileSizeInBytes) })));
  }

  async snapshots(group: string): Promise<Snapshot[]> {
    const table = await this.table(group);
    await table.refresh();
    return table.snapshots();
  }

  /** Loads the group's table (for maintenance). */
  openTable(group: string): Promise<IcebergTable> {
    return this.table(group);
  }

  /** Removes the group's table files. The registry drops its pointer with the group. */
  async dropTable(group: string): Promise<void> {
    this.tables.delete(group.toLowerCase());
    const location = this.io.resolve(group);
    await this.io.delete(location);
    await this.local.cache?.forget(`${location}/`);
  }

  async close(): Promise<void> {
    if (this.instance) (await this.instance).closeSync();
    await this.io.close();
  }
}

/** The snapshot summary key holding one write-ahead log's highest committed position. */
export function logPositionKey(logId: string): string {
  return `${LOG_POSITION_KEY}.${logId}`;
}

function missingLocalRoot(): never {
  throw new Error('a remote object store needs a local directory for its cache');
}

/** A data file that failed half-way (a full disk) is removed at once rather than left for vacuum. */
async function removedOnFailure<T>(localPath: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    await rm(localPath, { force: true }).catch(() => undefined);
    throw error;
  }
}
