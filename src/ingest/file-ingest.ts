import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ttlToMicros, ValidationError, type FeatureGroup, type FeatureRecord } from '../domain/index.js';
import type { OfflineStore } from '../offline/index.js';
import type { OnlineStore } from '../online/online-store.js';
import { toFloeValue } from '../query/values.js';
import type { IngestOptions, IngestResult } from './bulk-ingest.js';
import { castColumns, eventMicrosExpression, quoteIdentifier as q, reasonExpression } from './file-ingest-sql.js';

const MAX_FAILED_ROWS = 10_000;
const ONLINE_PAGE = 50_000;

/** The DuckDB reader of a file, by extension. */
export async function fileReader(path: string): Promise<string> {
  const full = resolve(path);
  try {
    await stat(full);
  } catch {
    throw new ValidationError(`source: cannot read '${path}'`, { field: 'source' });
  }
  const literal = `'${full.replaceAll("'", "''")}'`;
  const ext = extname(full).toLowerCase();
  if (ext === '.parquet') return `read_parquet(${literal})`;
  if (ext === '.csv') return `read_csv(${literal}, header = true)`;
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return `read_json(${literal}, format = 'newline_delimited')`;
  throw new ValidationError(`source: '${path}' is not a .parquet, .csv or .jsonl file`, { field: 'source' });
}

/**
 * Bulk ingest of a file, done in DuckDB: the rows are checked by SQL (one reason per bad row),
 * the good ones are copied into one Parquet data file and committed once, and the newest record
 * per identifier is read back in pages for the online store. Memory stays bounded by DuckDB's
 * own limits and the page size, whatever the file's size.
 */
export async function ingestFile(
  group: FeatureGroup,
  path: string,
  stores: { online: OnlineStore; offline: OfflineStore },
  targets: { online: boolean; offline: boolean },
  options: IngestOptions,
): Promise<IngestResult> {
  const reader = await fileReader(path);
  // Memory is bounded: past the limit DuckDB spills its working tables to a temporary directory.
  const spill = await mkdtemp(join(tmpdir(), 'floe-ingest-'));
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '2',
    preserve_insertion_order: 'true',
    memory_limit: options.memoryLimit ?? '2GB',
    temp_directory: spill,
  });
  const connection = await instance.connect();
  try {
    return await run(connection, group, reader, stores, targets, options);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError(`source: cannot ingest '${path}': ${(error as Error).message}`, { field: 'source', cause: error });
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}

async function run(
  connection: DuckDBConnection,
  group: FeatureGroup,
  reader: string,
  stores: { online: OnlineStore; offline: OfflineStore },
  targets: { online: boolean; offline: boolean },
  options: IngestOptions,
): Promise<IngestResult> {
  const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`)).getRowObjectsJS().map((r) => String(r.column_name));
  const byName = new Map(group.features.map((f) => [f.featureName, f]));
  const unknown = columns.find((c) => !byName.has(c));
  if (unknown !== undefined) {
    throw new ValidationError(`${unknown}: the file has a column '${unknown}' that is not a feature of '${group.featureGroupName}'`, { field: unknown });
  }
  const present = columns.map((c) => byName.get(c)!);
  for (const required of [group.recordIdentifierFeatureName, group.eventTimeFeatureName]) {
    if (!columns.includes(required)) throw new ValidationError(`${required}: the file has no '${required}' column`, { field: required });
  }

  await connection.run(
    `CREATE TEMP TABLE checked AS SELECT *, CAST(row_number() OVER () - 1 AS BIGINT) AS __row, ${reasonExpression(group, present)} AS __reason FROM ${reader}`,
  );
  const [counts] = (await connection.runAndReadAll('SELECT count(*) AS total, count(__reason) AS failed FROM checked')).getRowObjectsJS();
  const rowsRead = Number(counts!.total);
  const rowsFailed = Number(counts!.failed);
  const failedRows = (await connection.runAndReadAll(`SELECT __row, __reason FROM checked WHERE __reason IS NOT NULL ORDER BY __row LIMIT ${MAX_FAILED_ROWS}`))
    .getRowObjectsJS()
    .map((r) => {
      const reason = String(r.__reason);
      return { row: Number(r.__row), field: reason.slice(0, reason.indexOf(':')), reason };
    });
  if (options.failOnError && rowsFailed > 0) {
    const first = failedRows[0]!;
    throw new ValidationError(`row ${first.row}: ${first.reason} (${rowsFailed} bad rows; nothing was written)`, { field: first.field });
  }
  const result: IngestResult = { rowsRead, rowsWritten: rowsRead - rowsFailed, rowsFailed, failedRows };

  if (targets.offline && result.rowsWritten > 0) {
    const columns = await stores.offline.tableColumns(group.featureGroupName);
    const nowMicros = Date.now() * 1000;
    const projection = columns.map((c) => {
      if (c.name === 'write_time') return `make_timestamptz(${nowMicros}) AS write_time`;
      if (c.name === 'api_invocation_time') return `make_timestamptz(${nowMicros}) AS api_invocation_time`;
      if (c.name === 'is_deleted') return 'false AS is_deleted';
      const f = present.find((p) => p.featureName === c.name);
      return f ? castColumns([f]) : `CAST(NULL AS ${c.type}) AS ${q(c.name)}`;
    });
    const snapshot = await stores.offline.appendFromSelect(group.featureGroupName, `SELECT ${projection.join(', ')} FROM checked WHERE __reason IS NULL`, connection);
    if (snapshot) result.snapshotId = snapshot['snapshot-id'];
  }
  options.onProgress?.({ rowsRead, rowsWritten: result.rowsWritten, rowsFailed });

  if (targets.online && result.rowsWritten > 0) await updateOnline(connection, group, present, stores.online);
  return result;
}

/** The newest valid record per identifier (ties: the later row), written online page by page. */
async function updateOnline(connection: DuckDBConnection, group: FeatureGroup, present: FeatureGroup['features'], online: OnlineStore): Promise<void> {
  const id = q(group.recordIdentifierFeatureName);
  await connection.run(
    // Numbered into pages once, in row order: each page is then a cheap filtered scan (no re-sort).
    `CREATE TEMP TABLE winners AS SELECT *, (row_number() OVER (ORDER BY __row) - 1) // ${ONLINE_PAGE} AS __page FROM (
       SELECT c.__row, ${eventMicrosExpression(group)} AS __et, ${castColumns(present)} FROM checked c
       JOIN (SELECT arg_max(__row, struct_pack(e := ${eventMicrosExpression(group)}, r := __row)) AS win FROM checked WHERE __reason IS NULL GROUP BY ${id}) w
       ON c.__row = w.win) ORDER BY __row`,
  );
  const ttl = group.onlineStoreConfig.ttlDuration;
  const ttlMicros = ttl ? ttlToMicros(ttl) : undefined;
  for (let n = 0; ; n++) {
    const page = (await connection.runAndReadAll(`SELECT * FROM winners WHERE __page = ${n}`)).getColumnsObjectJS();
    const rowIds = page.__row as bigint[];
    if (rowIds.length === 0) return;
    // Columnar reads: one array per feature, converted once per value.
    const columns = present.map((f) => [f.featureName, page[f.featureName]!] as const);
    const times = page.__et as bigint[];
    const ids = page[group.recordIdentifierFeatureName]!;
    const entries = rowIds.map((_, i) => {
      const values: FeatureRecord = {};
      for (const [name, column] of columns) {
        const v = column[i];
        if (v !== null && v !== undefined) values[name] = toFloeValue(v) as FeatureRecord[string];
      }
      const eventTimeMicros = Number(times[i]);
      return {
        recordId: String(ids[i]),
        record: { values, eventTimeMicros, ...(ttlMicros === undefined ? {} : { expiresAtMicros: eventTimeMicros + ttlMicros }) },
      };
    });
    await online.putMany(group.featureGroupName, entries);
  }
}

