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
import type { ObjectStore } from './objectstore/index.js';
import { writeParquetFromLogEntries, writeParquetFromRows, writeParquetFromSelect, type OfflineRow } from './parquet-writer.js';

/** The summary key that records the highest write-ahead-log position in a snapshot. */
export const LOG_POSITION_KEY = 'floe.log-position';

export interface TableFiles {
  name: string;
  /** Local paths of the snapshot's Parquet files. */
  files: string[];
  columns: Array<{ name: string; type: string }>;
  snapshotId?: bigint;
}

/**
 * The offline store: one Iceberg table per feature group at `<warehouse>/<group>/`. Rows are
 * written to Parquet by DuckDB (its own instance: the query engine's is sandboxed) and committed
 * through the registry's table pointers.
 */
export class OfflineStore {
  private readonly tables = new Map<string, Promise<IcebergTable>>();
  private readonly appendListeners = new Set<(group: string, snapshot: Snapshot, properties: Record<string, string>) => void>();
  private instance?: Promise<DuckDBInstance>;

  constructor(
    readonly io: ObjectStore,
    private readonly pointers: TablePointerStore,
  ) {}

  /**
   * Runs `body` on a connection of its own: groups commit concurrently, and a connection runs one
   * statement at a time. This instance writes table files; it is not the sandboxed query engine.
   */
  async withConnection<T>(body: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    this.instance ??= DuckDBInstance.create(':memory:', { threads: '2' });
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

  /** Appends rows as one data file and one commit; records `logPosition` in the snapshot summary. */
  async appendRows(group: string, rows: OfflineRow[], logPosition?: bigint): Promise<Snapshot | undefined> {
    return this.guarded('offline store append', async () => {
      const table = await this.table(group);
      await table.refresh();
      const file = await this.writeRows(table, rows);
      if (!file) return undefined;
      return this.notifyAppend(table, await table.append([file], logPosition === undefined ? {} : { [LOG_POSITION_KEY]: logPosition.toString() }));
    });
  }

  /**
   * Appends write-ahead-log entries (their logged text) as one data file and one commit, stamped
   * with `writeTimeMicros`; records `logPosition` in the snapshot summary.
   */
  async appendLogEntries(group: string, entries: string[], writeTimeMicros: number, logPosition: bigint): Promise<Snapshot | undefined> {
    return this.guarded('offline store append', async () => {
      const table = await this.table(group);
      await table.refresh();
      const { localPath, uri } = await this.newDataFile(table);
      const scratch = await this.scratchDir();
      const file = await removedOnFailure(localPath, () =>
        this.withConnection((c) => writeParquetFromLogEntries(c, entries, writeTimeMicros, table.schema(), scratch, localPath, uri)),
      );
      if (!file) return undefined;
      return table.append([file], { [LOG_POSITION_KEY]: logPosition.toString() });
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

  private scratch?: Promise<string>;

  private scratchDir(): Promise<string> {
    this.scratch ??= (async () => {
      const dir = join(this.io.localPath(this.io.rootUri)!, '.scratch');
      await mkdir(dir, { recursive: true });
      return dir;
    })();
    return this.scratch;
  }

  /** Appends the result of a DuckDB SELECT (bulk ingest straight from files). */
  async appendFromSelect(group: string, select: string, connection?: DuckDBConnection): Promise<Snapshot | undefined> {
    return this.guarded('offline store bulk append', async () => {
      const table = await this.table(group);
      await table.refresh();
      const { localPath, uri } = await this.newDataFile(table);
      const file = await removedOnFailure(localPath, () =>
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
    const { localPath, uri } = await this.newDataFile(table);
    return this.withConnection((c) => writeParquetFromSelect(c, select, table.schema(), localPath, uri));
  }

  /** Told after every append committed through this store (maintenance checks for small files there). */
  onAppend(listener: (group: string, snapshot: Snapshot, properties: Record<string, string>) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  private notifyAppend(table: IcebergTable, snapshot: Snapshot): Snapshot {
    for (const listener of this.appendListeners) {
      try {
        listener(table.name, snapshot, table.metadata.properties);
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
    const { localPath, uri } = await this.newDataFile(table);
    const scratch = await this.scratchDir();
    return removedOnFailure(localPath, () => this.withConnection((c) => writeParquetFromRows(c, rows, table.schema(), scratch, localPath, uri)));
  }

  private async newDataFile(table: IcebergTable): Promise<{ localPath: string; uri: string }> {
    const uri = `${table.location}/data/${Date.now()}-${randomUUID()}.parquet`;
    const localPath = this.io.localPath(uri);
    if (!localPath) throw new Error('this object store has no local files for DuckDB to write');
    await mkdir(join(localPath, '..'), { recursive: true });
    return { localPath, uri };
  }

  /** The highest log position committed to the group's table (0 when none). */
  async committedLogPosition(group: string): Promise<bigint> {
    const table = await this.table(group);
    await table.refresh();
    for (const s of [...table.snapshots()].reverse()) {
      const position = s.summary[LOG_POSITION_KEY];
      if (position !== undefined) return BigInt(position);
    }
    return 0n;
  }

  /** The files and columns of a snapshot: the current one, one by id, or the one current at a time. */
  async tableFiles(group: string, asOf?: { snapshotId: bigint } | { timestampMs: number }): Promise<TableFiles> {
    const table = await this.table(group);
    await table.refresh();
    const snapshot = asOf ? table.snapshotAt(asOf) : table.currentSnapshot();
    const schemaId = snapshot?.['schema-id'] ?? table.metadata['current-schema-id'];
    const schema = table.metadata.schemas.find((s) => s['schema-id'] === schemaId) ?? table.schema();
    const files = await table.liveFiles(snapshot);
    return {
      name: group,
      files: files.map((f) => this.io.localPath(f.filePath)!),
      columns: schema.fields.map((f) => ({ name: f.name, type: duckdbType(f.type) })),
      ...(snapshot ? { snapshotId: snapshot['snapshot-id'] } : {}),
    };
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
    await this.io.delete(this.io.resolve(group));
  }

  async close(): Promise<void> {
    if (this.instance) (await this.instance).closeSync();
  }
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
