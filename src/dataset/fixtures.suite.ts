import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { FeatureGroup, FeatureType } from '../domain/index.js';

/** Test fixtures: a DuckDB connection, a temp directory, feature groups and their offline rows as Parquet files. */
export interface Fixtures {
  connection: DuckDBConnection;
  dir: string;
  close(): Promise<void>;
}

export async function openFixtures(): Promise<Fixtures> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-dataset-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  return {
    connection,
    dir,
    close: async () => {
      connection.closeSync();
      instance.closeSync();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function featureGroup(
  featureGroupName: string,
  features: Record<string, FeatureType>,
  names: { id?: string; eventTime?: string } = {},
): FeatureGroup {
  const now = new Date('2025-01-01T00:00:00Z');
  return {
    featureGroupName,
    featureGroupArn: `arn:aws:sagemaker:local:000000000000:feature-group/${featureGroupName}`,
    recordIdentifierFeatureName: names.id ?? 'user_id',
    eventTimeFeatureName: names.eventTime ?? 'ts',
    features: Object.entries(features).map(([featureName, featureType]) => ({ featureName, featureType, parameters: [], creationTime: now, lastModifiedTime: now })),
    onlineStoreConfig: { enableOnlineStore: false, storageType: 'Standard' },
    offlineStoreConfig: { enableOfflineStore: true, tableFormat: 'Iceberg' },
    featureGroupStatus: 'Created',
    tags: [],
    creationTime: now,
    lastModifiedTime: now,
  };
}

/** One offline row: its features, when it was written (seconds after WRITE_T0) and invoked, and whether it is a delete marker. */
export interface OfflineRow {
  values: Record<string, string | number | null>;
  written: number;
  invoked?: number;
  deleted?: boolean;
}

const WRITE_T0_MICROS = Date.parse('2026-01-01T00:00:00Z') * 1000;
/** write_time of `written` seconds, for asOf. */
export const writeTime = (written: number): Date => new Date(WRITE_T0_MICROS / 1000 + written * 1000);

const DUCK_TYPES: Record<FeatureType, string> = { Integral: 'BIGINT', Fractional: 'DOUBLE', String: 'VARCHAR' };

function literal(value: unknown, type: string): string {
  if (value === null || value === undefined) return `CAST(NULL AS ${type})`;
  if (typeof value === 'string') return `CAST('${value.replaceAll("'", "''")}' AS ${type})`;
  return `CAST(${String(value)} AS ${type})`;
}

/** Writes rows of the given typed columns to a Parquet file; returns a FROM expression reading it. */
export async function writeParquet(f: Fixtures, file: string, columns: ReadonlyArray<readonly [string, string]>, rows: ReadonlyArray<readonly unknown[]>): Promise<string> {
  const path = join(f.dir, file);
  const names = columns.map(([n]) => `"${n}"`).join(', ');
  const body =
    rows.length === 0
      ? `SELECT ${columns.map(([n, t]) => `CAST(NULL AS ${t}) AS "${n}"`).join(', ')} LIMIT 0`
      : `SELECT * FROM (VALUES ${rows.map((r) => `(${r.map((v, i) => literal(v, columns[i]![1])).join(', ')})`).join(', ')}) t(${names})`;
  await f.connection.run(`COPY (${body}) TO '${path}' (FORMAT parquet)`);
  return `read_parquet('${path}')`;
}

/** Writes a group's offline rows (features, write_time, api_invocation_time, is_deleted) to Parquet. */
export function writeOfflineRows(f: Fixtures, group: FeatureGroup, rows: readonly OfflineRow[]): Promise<string> {
  const columns: Array<[string, string]> = [
    ...group.features.map((ft): [string, string] => [ft.featureName, DUCK_TYPES[ft.featureType]]),
    ['write_time', 'TIMESTAMPTZ'],
    ['api_invocation_time', 'TIMESTAMPTZ'],
    ['is_deleted', 'BOOLEAN'],
  ];
  const at = (seconds: number) => new Date(WRITE_T0_MICROS / 1000 + seconds * 1000).toISOString();
  return writeParquet(
    f,
    `${group.featureGroupName}-${Math.random().toString(36).slice(2)}.parquet`,
    columns,
    rows.map((r) => [...group.features.map((ft) => r.values[ft.featureName] ?? null), at(r.written), at(r.invoked ?? r.written), r.deleted ?? false]),
  );
}
