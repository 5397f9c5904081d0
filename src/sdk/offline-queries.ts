import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { Table as ArrowTable } from 'apache-arrow';
import { NotFoundError, SnapshotExpiredError, toMicros, ValidationError, type FeatureGroup } from '../domain/index.js';
import type { OfflineStore, TableFiles } from '../offline/index.js';
import { QueryEngine, quoteIdentifier, type QueryResult } from '../query/index.js';
import type { DatasetBase, DatasetRunner } from '../dataset/index.js';
import { DatasetBases } from './dataset-bases.js';
import type { Registry } from '../registry/registry.js';

export interface QueryOptions {
  /** Time travel: a time (Date, ISO-8601, epoch seconds) or a snapshot id (bigint). */
  asOf?: Date | string | number | bigint;
  /** Rows returned at most; reading stops there and the result says `truncated`. */
  maxRows?: number;
  /** Binds only these feature groups' tables (names, ignoring case): the server passes a key's group limits. */
  featureGroups?: readonly string[];
}

export interface SnapshotInfo {
  snapshotId: bigint;
  parentSnapshotId?: bigint;
  timestamp: Date;
  operation: string;
  summary: Record<string, string>;
}

/** A caller limited to some groups reads their tables only, not other files of the warehouse (other groups' among them). */
const tablesOnly = (options: QueryOptions) => (options.featureGroups === undefined ? {} : { tablesOnly: true });

/** Binds the offline tables of every feature group into the sandboxed query engine. */
export class OfflineQueries {
  private engine?: Promise<QueryEngine>;

  private readonly bases: DatasetBases;

  constructor(
    private readonly registry: Registry,
    private readonly offline: OfflineStore,
  ) {
    this.bases = new DatasetBases(offline.scratchDir);
  }

  /** The sandbox reads the local warehouse, or for a remote one the cache of its files. */
  private queryEngine(): Promise<QueryEngine> {
    this.engine ??= QueryEngine.create({ warehouseDir: this.offline.local.root });
    return this.engine;
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const start = performance.now();
    return this.withTables(sql, options, async (tables) => {
      const planned = performance.now();
      const result = await (await this.queryEngine()).query(sql, tables, { ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }), ...tablesOnly(options) });
      return { ...result, timings: { planningMs: planned - start, executionMs: performance.now() - planned } };
    });
  }

  async queryArrow(sql: string, options: QueryOptions = {}): Promise<ArrowTable> {
    return this.withTables(sql, options, async (tables) => (await this.queryEngine()).queryArrow(sql, tables, tablesOnly(options)));
  }

  /**
   * The result of one SELECT as a Parquet or CSV file at `path` (by its extension), written by
   * the engine into the warehouse's scratch directory (the only place the sandbox writes), then
   * moved there: the rows never pass through JavaScript. Returns the number of rows.
   */
  async queryToFile(sql: string, path: string, options: QueryOptions = {}): Promise<number> {
    const format = outputFormat(path);
    await mkdir(this.offline.scratchDir, { recursive: true });
    const staged = join(this.offline.scratchDir, `query-out-${randomUUID()}.${format}`);
    try {
      const rows = await this.withTables(sql, options, async (tables) => (await this.queryEngine()).copyTo(sql, tables, { path: staged, format }, tablesOnly(options)));
      await moveFile(staged, resolve(path));
      return rows;
    } finally {
      await rm(staged, { force: true });
    }
  }

  /**
   * Binds the tables the SQL can name: a group whose name does not occur in its text (in any
   * case) cannot be referenced, so its files are neither listed nor, for a remote warehouse,
   * fetched. The tables' files stay in the cache while the query reads them.
   */
  private async withTables<T>(sql: string, options: QueryOptions, body: (tables: TableFiles[]) => Promise<T>): Promise<T> {
    const text = typeof sql === 'string' ? sql.toLowerCase() : '';
    const tables = await this.tables(options.asOf, (name) => text.includes(name.toLowerCase()), options.featureGroups);
    try {
      return await body(tables);
    } finally {
      for (const t of tables) t.release();
    }
  }

  async snapshots(group: FeatureGroup): Promise<SnapshotInfo[]> {
    if (!group.offlineStoreConfig.enableOfflineStore) {
      throw new ValidationError(`featureGroupName: feature group '${group.featureGroupName}' has no offline store`, { field: 'featureGroupName' });
    }
    return (await this.offline.snapshots(group.featureGroupName)).map((s) => ({
      snapshotId: s['snapshot-id'],
      ...(s['parent-snapshot-id'] === undefined ? {} : { parentSnapshotId: s['parent-snapshot-id'] }),
      timestamp: new Date(s['timestamp-ms']),
      operation: s.summary.operation,
      summary: s.summary,
    }));
  }

  private async tables(asOf: QueryOptions['asOf'], named: (group: string) => boolean, only?: readonly string[]): Promise<TableFiles[]> {
    const allowed = only && new Set(only.map((n) => n.toLowerCase()));
    const groups = (await this.registry.allFeatureGroups()).filter(
      (g) => g.offlineStoreConfig.enableOfflineStore && g.featureGroupStatus === 'Created' && (!allowed || allowed.has(g.featureGroupName.toLowerCase())),
    );
    let at: { timestampMs: number } | undefined;
    let snapshotId: bigint | undefined;
    if (typeof asOf === 'bigint') snapshotId = asOf;
    else if (asOf !== undefined) at = { timestampMs: Math.floor(toMicros(asOf, 'asOf') / 1000) };
    if (snapshotId !== undefined) {
      // The table holding the snapshot reads it; the others read their state at its time.
      for (const g of groups) {
        const found = (await this.offline.snapshots(g.featureGroupName)).find((s) => s['snapshot-id'] === snapshotId);
        if (found) at = { timestampMs: found['timestamp-ms'] };
      }
      if (!at) {
        const expired = await this.expiredHistory(groups);
        if (expired) throw new SnapshotExpiredError(`asOf: no table has snapshot ${snapshotId}; it may have been expired by VACUUM (${expired})`, { field: 'asOf' });
        throw new NotFoundError(`asOf: no table has snapshot ${snapshotId}`, { field: 'asOf' });
      }
    }
    const settled = await Promise.allSettled(groups.filter((g) => named(g.featureGroupName)).map((g) => this.tableAt(g, snapshotId, at)));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) {
      for (const r of settled) if (r.status === 'fulfilled') r.value.release();
      throw failed.reason;
    }
    return settled.map((r) => (r as PromiseFulfilledResult<TableFiles>).value);
  }

  /** Which tables had snapshots expired (their oldest kept snapshot names a parent they no longer hold), for error messages. */
  private async expiredHistory(groups: FeatureGroup[]): Promise<string | undefined> {
    const notes: string[] = [];
    for (const g of groups) {
      const snapshots = await this.offline.snapshots(g.featureGroupName);
      const ids = new Set(snapshots.map((s) => s['snapshot-id']));
      const oldest = snapshots.find((s) => s['parent-snapshot-id'] !== undefined && !ids.has(s['parent-snapshot-id']));
      if (oldest) notes.push(`'${g.featureGroupName}' keeps snapshots from ${new Date(oldest['timestamp-ms']).toISOString()}`);
    }
    return notes.length > 0 ? notes.join(', ') : undefined;
  }

  private async tableAt(group: FeatureGroup, snapshotId: bigint | undefined, at: { timestampMs: number } | undefined): Promise<TableFiles> {
    const name = group.featureGroupName;
    if (!at) return this.offline.tableFiles(name);
    try {
      const own = snapshotId !== undefined && (await this.offline.snapshots(name)).some((s) => s['snapshot-id'] === snapshotId);
      return await this.offline.tableFiles(name, own ? { snapshotId: snapshotId! } : at);
    } catch (error) {
      // A table with no snapshot yet at that time was empty then; one whose history there was expired cannot say.
      if (!(error instanceof NotFoundError) || error instanceof SnapshotExpiredError) throw error;
      const current = await this.offline.tableFiles(name);
      current.release();
      return { ...current, files: [], release: () => {} };
    }
  }

  /** Runs dataset plans in the sandboxed engine over the current snapshots. */
  datasetRunner(getGroup: (name: string) => Promise<FeatureGroup>): DatasetRunner {
    const prepared = new WeakMap<object, Promise<{ relation: string; columns: string[]; eventTimeKind: 'number' | 'text' | 'timestamp' }>>();
    return {
      featureGroup: getGroup,
      prepareBase: (base, eventTimeFeatureName) => {
        let p = prepared.get(base as object);
        if (!p) {
          p = this.prepareBase(base, eventTimeFeatureName);
          prepared.set(base as object, p);
        }
        return p;
      },
      rows: async (sql) => (await this.query(sql)).rows,
      arrow: (sql) => this.queryArrow(sql),
      toFile: (sql, path) => this.queryToFile(sql, path),
    };
  }

  private async prepareBase(base: DatasetBase, eventTimeFeatureName: string) {
    let relation: string;
    if (typeof base === 'object' && base !== null && 'sql' in base && typeof base.sql === 'string') {
      // On lines of its own, so that a trailing line comment ends with the base's text.
      relation = `(\n${base.sql}\n)`;
    } else if (typeof base === 'object' && base !== null && 'featureGroupName' in base && typeof base.featureGroupName === 'string') {
      relation = quoteIdentifier(base.featureGroupName);
    } else relation = `read_parquet('${(await this.bases.materialize(base)).replaceAll("'", "''")}')`;
    const described = await this.query(`SELECT * FROM ${relation} LIMIT 0`);
    const columns = described.columns.map((c) => c.name);
    const type = described.columns.find((c) => c.name === eventTimeFeatureName)?.type.toUpperCase() ?? '';
    const eventTimeKind: 'number' | 'text' | 'timestamp' = type.startsWith('TIMESTAMP') || type === 'DATE' ? 'timestamp' : type === 'VARCHAR' ? 'text' : 'number';
    return { relation, columns, eventTimeKind };
  }

  close(): void {
    void this.engine?.then((e) => e.close());
    void this.bases.close();
  }
}

function outputFormat(path: string): 'parquet' | 'csv' {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet' || ext === '.csv') return ext === '.parquet' ? 'parquet' : 'csv';
  throw new ValidationError(`path: '${path}' must end in .parquet or .csv`, { field: 'path' });
}

/** Renames, or copies where the target is on another file system; a target that cannot be written is the caller's to fix. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw new ValidationError(`path: cannot write '${to}': ${(error as Error).message}`, { field: 'path', cause: error });
    try {
      await copyFile(from, to);
    } catch (copyError) {
      throw new ValidationError(`path: cannot write '${to}': ${(copyError as Error).message}`, { field: 'path', cause: copyError });
    }
  }
}
