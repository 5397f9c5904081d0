import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { microsToIso, ValidationError, type FeatureGroup } from '../../domain/index.js';
import type { DatasetPlan, DatasetSource } from '../../dataset/index.js';
import { ARROW_STREAM, CSV, NATIVE_ROUTES as R, PARQUET } from '../../wire/index.js';
import type { RemoteHttp } from './remote-http.js';

/** The plan as the native API takes it: the builder's calls, not the resolved plan (the server resolves again). */
async function wirePlan(plan: DatasetPlan, output: string): Promise<Record<string, unknown>> {
  const base = plan.base;
  let wireBase: unknown;
  if (typeof base === 'object' && base !== null && 'path' in base && typeof base.path === 'string') wireBase = await fileBase(base.path);
  else
  if (Array.isArray(base)) wireBase = { rows: base };
  else if (typeof (base as Table).numRows === 'number' && (base as Table).schema) wireBase = { arrow: Buffer.from(tableToIPC(base as Table, 'stream')).toString('base64') };
  else if ('sql' in base || 'featureGroupName' in base) wireBase = base;
  else throw new ValidationError('base: a remote store takes rows, an Arrow table, a file, SQL or a feature group name as a base', { field: 'base' });
  return {
    base: wireBase,
    recordIdentifierFeatureName: plan.recordIdentifierFeatureName,
    eventTimeFeatureName: plan.eventTimeFeatureName,
    featureGroups: plan.groups.map((g) => ({
      featureGroupName: g.featureGroupName,
      targetFeatureNameInBase: g.targetFeatureNameInBase,
      includedFeatureNames: g.includedFeatureNames,
      featureNameInTarget: g.featureNameInTarget,
      joinComparator: g.joinComparator,
      joinType: g.joinType,
      ...(g.maxAgeSeconds === undefined ? {} : { maxAge: g.maxAgeSeconds }),
      ...(g.prefix === undefined ? {} : { prefix: g.prefix }),
    })),
    pointInTimeAccurateJoin: plan.pointInTime,
    includeDuplicatedRecords: plan.includeDuplicatedRecords,
    includeDeletedRecords: plan.includeDeletedRecords,
    ...(plan.asOfMicros === undefined ? {} : { asOf: microsToIso(plan.asOfMicros) }),
    ...(plan.eventTimeRange ? { eventTimeRange: { start: microsToIso(plan.eventTimeRange.startMicros), end: microsToIso(plan.eventTimeRange.endMicros) } } : {}),
    ...(plan.recentRecordsPerIdentifier === undefined ? {} : { numberOfRecentRecordsByRecordIdentifier: plan.recentRecordsPerIdentifier }),
    ...(plan.limit === undefined ? {} : { numberOfRecordsFromQueryResults: plan.limit }),
    output,
  };
}

/** A local file sent along with the plan (bases are small; large ones belong in a feature group). */
async function fileBase(path: string): Promise<{ file: string; format: string }> {
  const ext = extname(path).toLowerCase();
  const format = ext === '.parquet' ? 'parquet' : ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' || ext === '.json' ? 'jsonl' : undefined;
  if (!format) throw new ValidationError(`base: '${path}' is not a .parquet, .csv or .jsonl file`, { field: 'base' });
  try {
    return { file: (await readFile(path)).toString('base64'), format };
  } catch {
    throw new ValidationError(`base: cannot read '${path}'`, { field: 'base' });
  }
}

/** Runs DatasetBuilder plans on the server (`POST /v1/datasets`). */
export class RemoteDatasetSource implements DatasetSource {
  constructor(
    private readonly http: RemoteHttp,
    private readonly describe: (name: string) => Promise<FeatureGroup>,
  ) {}

  featureGroup(name: string): Promise<FeatureGroup> {
    return this.describe(name);
  }

  async sql(plan: DatasetPlan): Promise<string> {
    return (await this.http.json<{ sql: string }>(R.dataset, { json: await wirePlan(plan, 'sql') })).sql;
  }

  async rows(plan: DatasetPlan): Promise<Array<Record<string, unknown>>> {
    return (await this.http.json<{ rows: Array<Record<string, unknown>> }>(R.dataset, { json: await wirePlan(plan, 'rows') })).rows;
  }

  async arrow(plan: DatasetPlan): Promise<Table> {
    const response = await this.http.send(R.dataset, { json: await wirePlan(plan, 'arrow'), accept: ARROW_STREAM });
    return tableFromIPC(new Uint8Array(await response.arrayBuffer()));
  }

  async toFile(plan: DatasetPlan, path: string): Promise<number> {
    const ext = extname(path).toLowerCase();
    if (ext !== '.parquet' && ext !== '.csv') throw new ValidationError(`path: '${path}' must end in .parquet or .csv`, { field: 'path' });
    const output = ext === '.parquet' ? 'parquet' : 'csv';
    const response = await this.http.send(R.dataset, { json: await wirePlan(plan, output), accept: output === 'parquet' ? PARQUET : CSV });
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(path));
    return Number(response.headers.get('x-floe-row-count') ?? 0);
  }
}
