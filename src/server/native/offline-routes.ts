import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AccessDeniedError, ValidationError } from '../../domain/index.js';
import type { DatasetBase, DatasetBuilder } from '../../dataset/index.js';
import { parseMaintenanceStatement } from '../../maintenance/index.js';
import type { FeatureStore } from '../../sdk/index.js';
import type { schemas } from '../../wire/index.js';
import { ARROW_STREAM, CSV, NATIVE_ROUTES as R, PARQUET } from '../../wire/index.js';
import { authorize } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import { accepts, defineRoute, SENT } from './route-kit.js';

type DatasetRequest = z.output<typeof schemas.datasetRequest>;

/** The base as the builder takes it; a file base is spooled to a file the caller removes after. */
async function datasetBase(base: DatasetRequest['base'], spoolDir: string): Promise<{ base: DatasetBase; spooled?: string }> {
  if ('rows' in base) return { base: base.rows };
  if ('file' in base) {
    await mkdir(spoolDir, { recursive: true, mode: 0o700 });
    const spooled = join(spoolDir, `base-${randomUUID()}.${base.format}`);
    await writeFile(spooled, Buffer.from(base.file, 'base64'), { mode: 0o600 });
    return { base: { path: spooled }, spooled };
  }
  if ('arrow' in base) {
    try {
      return { base: tableFromIPC(Buffer.from(base.arrow, 'base64')) };
    } catch (error) {
      throw new ValidationError(`base.arrow: not an Arrow IPC stream (${(error as Error).message})`, { field: 'base.arrow' });
    }
  }
  return { base };
}

/** The builder the plan describes, made through the same methods an in-process caller uses. */
function datasetBuilder(store: FeatureStore, base: DatasetBase, body: DatasetRequest): DatasetBuilder {
  let builder = store.createDataset(base, { recordIdentifierFeatureName: body.recordIdentifierFeatureName, eventTimeFeatureName: body.eventTimeFeatureName });
  for (const { featureGroupName, ...options } of body.featureGroups) {
    builder = builder.withFeatureGroup(featureGroupName, Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
  }
  if (body.pointInTimeAccurateJoin) builder = builder.pointInTimeAccurateJoin();
  if (body.includeDuplicatedRecords) builder = builder.includeDuplicatedRecords();
  if (body.includeDeletedRecords) builder = builder.includeDeletedRecords();
  if (body.asOf !== undefined) builder = builder.asOf(body.asOf);
  if (body.eventTimeRange) builder = builder.withEventTimeRange(body.eventTimeRange.start, body.eventTimeRange.end);
  if (body.numberOfRecentRecordsByRecordIdentifier !== undefined) builder = builder.withNumberOfRecentRecordsByRecordIdentifier(body.numberOfRecentRecordsByRecordIdentifier);
  if (body.numberOfRecordsFromQueryResults !== undefined) builder = builder.withNumberOfRecordsFromQueryResults(body.numberOfRecordsFromQueryResults);
  return builder;
}

function authorizeDataset(principal: Principal, body: DatasetRequest): void {
  const groups = body.featureGroups.map((g) => g.featureGroupName);
  if ('featureGroupName' in body.base) groups.push(body.base.featureGroupName);
  authorize(principal, R.dataset.operation, 'read', groups);
  if ('sql' in body.base && principal.featureGroups) {
    throw new AccessDeniedError(`base.sql: access key '${principal.accessKeyId}' is limited to some feature groups and may not use a SQL base`, { field: 'base.sql' });
  }
}

/** Offline reads: SQL queries, point-in-time datasets and table snapshots. */
export async function offlineRoutes(app: FastifyInstance, { store }: { store: FeatureStore }): Promise<void> {
  defineRoute(app, R.query, async ({ body, principal, request, reply }) => {
    if (body.asOf !== undefined && body.asOfSnapshotId !== undefined) throw new ValidationError('asOf: give asOf or asOfSnapshotId, not both', { field: 'asOf' });
    // OPTIMIZE, VACUUM and ALTER TABLE ... SET TBLPROPERTIES run as maintenance: admin only, on a group the key may use.
    const statement = parseMaintenanceStatement(body.sql);
    if (statement) authorize(principal, `${R.query.operation} (${statement.kind})`, 'admin', [statement.table]);
    const asOf = body.asOfSnapshotId !== undefined ? BigInt(body.asOfSnapshotId) : body.asOf;
    const options = {
      ...(asOf === undefined ? {} : { asOf }),
      ...(body.maxRows === undefined ? {} : { maxRows: body.maxRows }),
      ...(principal.featureGroups ? { featureGroups: principal.featureGroups } : {}),
    };
    if (!accepts(request, ARROW_STREAM)) return store.query(body.sql, options);
    const table = await store.queryArrow(body.sql, options);
    reply.type(ARROW_STREAM).send(Buffer.from(tableToIPC(table, 'stream')));
    return SENT;
  });

  defineRoute(app, R.dataset, async ({ body, principal, request, reply }) => {
    authorizeDataset(principal, body);
    const dir = join(store.dataDir, 'tmp');
    const { base, spooled } = await datasetBase(body.base, dir);
    try {
      return await runDataset(datasetBuilder(store, base, body), body, request, reply, dir);
    } finally {
      if (spooled) await rm(spooled, { force: true });
    }
  });

  defineRoute(app, R.snapshots, async ({ params }) => ({ snapshots: await store.featureGroup(params.featureGroupName).snapshots() }));
}

/** Rows or SQL as JSON, Arrow IPC, or a Parquet / CSV file streamed back (removed once sent). */
async function runDataset(builder: DatasetBuilder, body: DatasetRequest, request: FastifyRequest, reply: FastifyReply, dir: string): Promise<unknown> {
  const output = body.output ?? (accepts(request, ARROW_STREAM) ? 'arrow' : 'rows');
  if (output === 'sql') return { sql: await builder.toSQL() };
  if (output === 'rows') return { rows: await builder.toRows() };
  if (output === 'arrow') {
    reply.type(ARROW_STREAM).send(Buffer.from(tableToIPC(await builder.toArrow(), 'stream')));
    return SENT;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `dataset-${randomUUID()}.${output}`);
  let rows: number;
  try {
    rows = await builder.toFile(path);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  const file = createReadStream(path);
  file.on('close', () => void rm(path, { force: true }));
  reply.type(output === 'parquet' ? PARQUET : CSV).header('x-floe-row-count', String(rows)).send(file);
  return SENT;
}
