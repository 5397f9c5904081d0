import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { DuckDBInstance, JSDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import { ttlToMicros, ValidationError, type FeatureGroup, type FeatureRecord } from '../domain/index.js';
import type { OfflineStore } from '../offline/index.js';
import type { OnlineRecord, OnlineStore } from '../online/online-store.js';
import { toFloeValue } from '../query/values.js';
import type { IngestOptions, IngestResult } from './bulk-ingest.js';
import { estimateRows, withDuckDBProgress } from './duckdb-progress.js';
import { castColumns, castValue, eventMicrosExpression, quoteIdentifier as q, reasonExpression, type JsonTextColumns } from './file-ingest-sql.js';

const MAX_FAILED_ROWS = 10_000;
const ONLINE_BATCH = 50_000;

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
  // CSV cells are read as the text they are (a String feature keeps '2025-01-01T00:00:00Z' as
  // written, not as a sniffed timestamp); the checks and casts give each feature its type.
  if (ext === '.csv') return `read_csv(${literal}, header = true, all_varchar = true)`;
  // JSON has no date type: without these formats DuckDB turns ISO strings into zone-less
  // TIMESTAMPs and DATEs, which loses the zone of event times and rewrites String features.
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') {
    return `read_json(${literal}, format = 'newline_delimited', dateformat = 'no dates', timestampformat = 'no timestamps')`;
  }
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
    return await run(connection, group, reader, stores, targets, options, resolve(path));
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
  path: string,
): Promise<IngestResult> {
  const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`)).getRowObjectsJS();
  const columns = described.map((r) => String(r.column_name));
  const byName = new Map(group.features.map((f) => [f.featureName, f]));
  const unknown = columns.find((c) => !byName.has(c));
  if (unknown !== undefined) {
    throw new ValidationError(`${unknown}: the file has a column '${unknown}' that is not a feature of '${group.featureGroupName}'`, { field: unknown });
  }
  const present = columns.map((c) => byName.get(c)!);
  // Collections given as text (CSV cells such as "[1, 2]") are parsed as JSON arrays.
  const jsonText: JsonTextColumns = new Set(present.filter((f, i) => f.collectionType && described[i]!.column_type === 'VARCHAR').map((f) => f.featureName));
  for (const required of [group.recordIdentifierFeatureName, group.eventTimeFeatureName]) {
    if (!columns.includes(required)) throw new ValidationError(`${required}: the file has no '${required}' column`, { field: required });
  }

  const tick = options.onProgress;
  const estimate = tick ? await estimateRows(connection, path) : undefined;
  const checking = tick && estimate !== undefined
    ? (fraction: number) => tick({ rowsRead: Math.round(fraction * estimate), rowsWritten: 0, rowsFailed: 0, stage: 'checking', totalRows: estimate })
    : undefined;
  await withDuckDBProgress(connection, checking, () => connection.run(
    `CREATE TEMP TABLE checked AS SELECT *, CAST(row_number() OVER () - 1 AS BIGINT) AS __row, ${reasonExpression(group, present, jsonText)} AS __reason FROM ${reader}`,
  ));
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
  tick?.({ rowsRead, rowsWritten: 0, rowsFailed, stage: 'writing' });

  if (targets.offline && result.rowsWritten > 0) {
    const columns = await stores.offline.tableColumns(group.featureGroupName);
    const nowMicros = Date.now() * 1000;
    const projection = columns.map((c) => {
      if (c.name === 'write_time') return `make_timestamptz(${nowMicros}) AS write_time`;
      if (c.name === 'api_invocation_time') return `make_timestamptz(${options.apiInvocationTimeMicros ?? nowMicros}) AS api_invocation_time`;
      if (c.name === 'is_deleted') return 'false AS is_deleted';
      const f = present.find((p) => p.featureName === c.name);
      return f ? castColumns([f], jsonText) : `CAST(NULL AS ${c.type}) AS ${q(c.name)}`;
    });
    const snapshot = await stores.offline.appendFromSelect(group.featureGroupName, `SELECT ${projection.join(', ')} FROM checked WHERE __reason IS NULL`, connection);
    if (snapshot) result.snapshotId = snapshot['snapshot-id'];
  }
  tick?.({ rowsRead, rowsWritten: result.rowsWritten, rowsFailed, stage: 'online' });

  if (targets.online && result.rowsWritten > 0) await updateOnline(connection, group, present, jsonText, stores.online);
  return result;
}

/**
 * The newest valid record per identifier (ties: the later row), streamed from DuckDB in chunks
 * and written online in large bulk batches. The winner of each identifier is found by one
 * aggregation over a single HUGEINT key (event time, then row), cheaper than comparing structs;
 * Integral values within 2^53 travel as DOUBLE (no bigint per value), larger ones as text beside.
 */
async function updateOnline(
  connection: DuckDBConnection,
  group: FeatureGroup,
  present: FeatureGroup['features'],
  jsonText: JsonTextColumns,
  online: OnlineStore,
): Promise<void> {
  const id = q(group.recordIdentifierFeatureName);
  const et = eventMicrosExpression(group);
  const columns = present.map((f, i) => ({ feature: f, scalar: !f.collectionType, integral: !f.collectionType && f.featureType === 'Integral', index: i }));
  const select = columns.flatMap(({ feature: f, integral, index }) => {
    const v = castValue(f, jsonText);
    return integral
      ? [`CASE WHEN abs(${v}) <= ${Number.MAX_SAFE_INTEGER} THEN CAST(${v} AS DOUBLE) END AS c${index}`, `CASE WHEN abs(${v}) > ${Number.MAX_SAFE_INTEGER} THEN CAST(${v} AS VARCHAR) END AS b${index}`]
      : [`${v} AS c${index}`];
  });
  const M = 2n ** 40n; // rows per ingest stay far below 2^40
  const winner = `((max(CAST(${et} AS HUGEINT) * ${M} + __row) % ${M}) + ${M}) % ${M}`;
  const result = await connection.stream(
    `SELECT CAST(${et} AS DOUBLE) AS __et, ${select.join(', ')} FROM checked
     WHERE __row IN (SELECT CAST(${winner} AS BIGINT) FROM checked WHERE __reason IS NULL GROUP BY ${id})`,
  );
  const ttl = group.onlineStoreConfig.ttlDuration;
  const ttlMicros = ttl ? ttlToMicros(ttl) : undefined;
  const idColumn = columns.find((c) => c.feature.featureName === group.recordIdentifierFeatureName)!;
  // Vector positions of each feature's columns in the result (after __et).
  let position = 1;
  const layout = columns.map((c) => {
    const at = { ...c, value: position, big: c.integral ? position + 1 : -1 };
    position += c.integral ? 2 : 1;
    return at;
  });
  const idAt = layout[idColumn.index]!;
  let batch: Array<{ recordId: string; record: OnlineRecord }> = [];
  // The next chunk is asked for before this one is converted: DuckDB computes it on its own
  // thread meanwhile. (Handled at once: a write failing below leaves it unawaited.)
  const prefetch = () => {
    const promise = result.fetchChunk();
    promise.catch(() => undefined);
    return promise;
  };
  let next = prefetch();
  for (;;) {
    const chunk = await next;
    if (!chunk || chunk.rowCount === 0) break;
    next = prefetch();
    const rows = chunk.rowCount;
    const times = chunk.getColumnVector(0);
    const vectors = layout.map((c) => ({
      name: c.feature.featureName,
      value: chunk.getColumnVector(c.value),
      // Lists are converted by DuckDB's JS converter (arrays, int64 as bigint), then to Floe's forms.
      list: c.scalar ? undefined : chunk.convertColumnValues(c.value, JSDuckDBValueConverter),
      big: c.big >= 0 ? chunk.getColumnVector(c.big) : undefined,
    }));
    const idValue = vectors[idAt.index]!;
    for (let r = 0; r < rows; r++) {
      const values: FeatureRecord = {};
      for (const v of vectors) {
        if (v.list) {
          const list = v.list[r];
          if (list !== null && list !== undefined) values[v.name] = toFloeValue(list) as FeatureRecord[string];
          continue;
        }
        const item = v.value.getItem(r);
        if (item !== null) values[v.name] = item as number | string;
        else if (v.big) {
          const text = v.big.getItem(r);
          if (text !== null) values[v.name] = BigInt(text as string);
        }
      }
      const eventTimeMicros = times.getItem(r) as number;
      const rawId = idValue.value.getItem(r) ?? idValue.big?.getItem(r);
      batch.push({
        recordId: String(rawId),
        record: { values, eventTimeMicros, ...(ttlMicros === undefined ? {} : { expiresAtMicros: eventTimeMicros + ttlMicros }) },
      });
    }
    if (batch.length >= ONLINE_BATCH) {
      await online.putMany(group.featureGroupName, batch, { bulk: true });
      batch = [];
    }
  }
  if (batch.length > 0) await online.putMany(group.featureGroupName, batch, { bulk: true });
}
