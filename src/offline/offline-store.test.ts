import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { icebergRead } from 'icebird';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError, type FeatureGroup } from '../domain/index.js';
import { openSqliteRegistry } from '../registry/sqlite/sqlite-registry.js';
import type { Registry } from '../registry/registry.js';
import { installFileFetch } from '../test-support/file-fetch.js';
import { readAvroFile } from './iceberg/avro-file.js';
import { IcebergTable } from './iceberg/iceberg-table.js';
import { LocalObjectStore } from './objectstore/index.js';
import { OfflineStore } from './offline-store.js';

const now = new Date('2025-01-01T00:00:00Z');
function group(name: string, extra: FeatureGroup['features'] = []): FeatureGroup {
  const f = (featureName: string, featureType: 'Integral' | 'Fractional' | 'String', more = {}) => ({
    featureName,
    featureType,
    parameters: [],
    creationTime: now,
    lastModifiedTime: now,
    ...more,
  });
  return {
    featureGroupName: name,
    featureGroupArn: `arn:aws:sagemaker:local:000000000000:feature-group/${name}`,
    recordIdentifierFeatureName: 'id',
    eventTimeFeatureName: 'ts',
    features: [
      f('id', 'Integral'),
      f('ts', 'String'),
      f('score', 'Fractional'),
      f('tags', 'String', { collectionType: 'List' }),
      f('emb', 'Fractional', { collectionType: 'Vector', collectionConfig: { vectorConfig: { dimension: 2 } } }),
      f('counts', 'Integral', { collectionType: 'Set' }),
      ...extra,
    ],
    onlineStoreConfig: { enableOnlineStore: true, storageType: 'Standard' },
    offlineStoreConfig: { enableOfflineStore: true, tableFormat: 'Iceberg' },
    featureGroupStatus: 'Created',
    tags: [],
    creationTime: now,
    lastModifiedTime: now,
  };
}

const row = (values: Record<string, unknown>, isDeleted = false) => ({
  values,
  writeTimeMicros: 1_735_689_600_000_001,
  apiInvocationTimeMicros: 1_735_689_600_000_000,
  isDeleted,
});

describe('OfflineStore on Iceberg', () => {
  let dir: string;
  let registry: Registry;
  let store: OfflineStore;
  let duck: Awaited<ReturnType<DuckDBInstance['connect']>>;
  let restoreFetch: () => void;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-offline-'));
    registry = await openSqliteRegistry(join(dir, 'registry.sqlite'));
    store = new OfflineStore(await LocalObjectStore.open(join(dir, 'warehouse')), registry);
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    restoreFetch = installFileFetch();
  });
  afterAll(async () => {
    restoreFetch();
    await store.close();
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function readAll(name: string): Promise<Array<Record<string, unknown>>> {
    const { files, columns } = await store.tableFiles(name);
    if (files.length === 0) return [];
    const list = files.map((f) => `'${f}'`).join(', ');
    const result = await duck.runAndReadAll(`SELECT ${columns.map((c) => `"${c.name}"`).join(', ')} FROM read_parquet([${list}], union_by_name = true) ORDER BY ts`);
    return result.getRowObjectsJS() as Array<Record<string, unknown>>;
  }

  it('round-trips every type through a table, int64 beyond 2^53 included', async () => {
    const location = await store.ensureTable(group('types'));
    expect(location).toBe(pathToFileURL(join(dir, 'warehouse', 'types')).href.replace(/\/$/, ''));
    await store.appendRows('types', [
      row({ id: 9007199254740993n, ts: '2025-01-01T00:00:00Z', score: 0.1 + 0.2, tags: ['a', 'b'], emb: [0.5, -1.5], counts: [1, -9223372036854775808n] }),
      row({ id: 2, ts: '2025-01-02T00:00:00Z' }, true),
    ], { logId: 'log-a', position: 7n });
    const rows = await readAll('types');
    expect(rows[0]).toMatchObject({ id: 9007199254740993n, score: 0.30000000000000004, tags: ['a', 'b'], emb: [0.5, -1.5], counts: [1n, -9223372036854775808n], is_deleted: false });
    expect((rows[0]!.write_time as Date).getTime()).toBe(1_735_689_600_000);
    expect(rows[1]).toMatchObject({ id: 2n, score: null, tags: null, is_deleted: true });
    expect(await store.committedLogPosition('types', 'log-a')).toBe(7n);
    expect(await store.committedLogPosition('types', 'log-b')).toBe(0n);
  });

  it('writes files an independent Iceberg reader opens from the directory alone', async () => {
    const rows = await icebergRead({ tableUrl: pathToFileURL(join(dir, 'warehouse', 'types')).href });
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.ts).sort()).toEqual(['2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z']);
    expect(rows.find((r) => r.ts === '2025-01-01T00:00:00Z')!.id).toBe(9007199254740993n);
    expect(await readFile(join(dir, 'warehouse', 'types', 'metadata', 'version-hint.text'), 'utf8')).toBe('2');
  });

  it('writes Avro manifests whose headers keep Iceberg field ids', async () => {
    const table = await IcebergTable.load('types', store.io, registry);
    const listPath = table.currentSnapshot()!['manifest-list'];
    const list = await readAvroFile<{ manifest_path: string; added_snapshot_id: bigint }>(await store.io.read(listPath));
    expect(JSON.stringify(list.schema)).toContain('"field-id":500');
    expect(list.metadata['format-version']).toBe('2');
    expect(list.records[0]!.added_snapshot_id).toBe(table.currentSnapshot()!['snapshot-id']);
    const manifest = await readAvroFile<{ status: number }>(await store.io.read(list.records[0]!.manifest_path));
    expect(JSON.stringify(manifest.schema)).toContain('"logicalType":"map"');
    expect(JSON.parse(manifest.metadata.schema!).fields.map((f: { id: number }) => f.id)).toEqual([1, 2, 3, 4, 6, 8, 10, 11, 12]);
    expect(manifest.records.map((r) => r.status)).toEqual([1]);
  });

  it('evolves the schema: new features appear, old files read them as NULL', async () => {
    const g = group('evolving');
    await store.ensureTable(g);
    await store.appendRows('evolving', [row({ id: 1, ts: '2025-01-01T00:00:00Z' })]);
    const evolved = group('evolving', [{ featureName: 'country', featureType: 'String', parameters: [], creationTime: now, lastModifiedTime: now }]);
    await store.ensureTable(evolved);
    await store.appendRows('evolving', [row({ id: 2, ts: '2025-01-02T00:00:00Z', country: 'PT' })]);
    const rows = await readAll('evolving');
    expect(rows.map((r) => r.country)).toEqual([null, 'PT']);
    const table = await IcebergTable.load('evolving', store.io, registry);
    expect(table.schema().fields.find((f) => f.name === 'country')!.id).toBe(13);
    expect(JSON.parse(table.metadata.properties['schema.name-mapping.default']!).some((m: { names: string[] }) => m.names[0] === 'country')).toBe(true);
  });

  it('lands every commit of concurrent appenders, with strictly increasing sequence numbers', async () => {
    await store.ensureTable(group('busy'));
    const writers = await Promise.all(Array.from({ length: 4 }, async () => new OfflineStore(await LocalObjectStore.open(join(dir, 'warehouse')), registry)));
    await Promise.all(writers.flatMap((w, i) => [0, 1, 2].map((j) => w.appendRows('busy', [row({ id: i * 10 + j, ts: `2025-01-0${j + 1}T00:00:00Z` })]))));
    await Promise.all(writers.map((w) => w.close()));
    const rows = await readAll('busy');
    expect(rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
    const snapshots = await store.snapshots('busy');
    expect(snapshots).toHaveLength(12);
    const sequences = snapshots.map((s) => s['sequence-number']);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(12);
    expect(snapshots.at(-1)!.summary['total-records']).toBe('12');
  });

  it('commits to several tables at once through one store', async () => {
    await Promise.all(['multi-a', 'multi-b', 'multi-c'].map((n) => store.ensureTable(group(n))));
    await Promise.all(
      ['multi-a', 'multi-b', 'multi-c'].flatMap((n) => [0, 1, 2].map((i) => store.appendRows(n, [row({ id: i, ts: `2025-01-0${i + 1}T00:00:00Z` })]))),
    );
    for (const n of ['multi-a', 'multi-b', 'multi-c']) expect((await readAll(n)).map((r) => Number(r.id))).toEqual([0, 1, 2]);
  });

  it('refuses a rewrite whose files a concurrent rewrite removed, while appends racing it land', async () => {
    await store.ensureTable(group('rewrite'));
    await store.appendRows('rewrite', [row({ id: 1, ts: '2025-01-01T00:00:00Z' })]);
    const a = await IcebergTable.load('rewrite', store.io, registry);
    const b = await IcebergTable.load('rewrite', store.io, registry);
    const [file] = await a.liveFiles();
    await a.rewrite({ operation: 'delete', removeFiles: [file!.filePath], addFiles: [] });
    await store.appendRows('rewrite', [row({ id: 2, ts: '2025-01-02T00:00:00Z' })]);
    await expect(b.rewrite({ operation: 'delete', removeFiles: [file!.filePath], addFiles: [] })).rejects.toBeInstanceOf(ConflictError);
    expect((await readAll('rewrite')).map((r) => r.id)).toEqual([2n]);
  });

  it('travels in time by snapshot id and by timestamp', async () => {
    const snapshots = await store.snapshots('rewrite');
    const first = snapshots[0]!;
    const then = await store.tableFiles('rewrite', { snapshotId: first['snapshot-id'] });
    expect(then.files).toHaveLength(1);
    const byTime = await store.tableFiles('rewrite', { timestampMs: first['timestamp-ms'] });
    expect(byTime.snapshotId).toBe(first['snapshot-id']);
    await expect(store.tableFiles('rewrite', { timestampMs: 0 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.tableFiles('rewrite', { snapshotId: 42n })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('merges manifests as commits pile up, keeping every file', async () => {
    await store.ensureTable(group('merging'));
    const table = await IcebergTable.load('merging', store.io, registry);
    await table.setProperties({ 'commit.manifest.min-count-to-merge': '5' });
    for (let i = 0; i < 12; i++) await store.appendRows('merging', [row({ id: i, ts: `2025-01-01T00:00:${String(i).padStart(2, '0')}Z` })]);
    await table.refresh();
    const list = await readAvroFile<{ manifest_path: string }>(await store.io.read(table.currentSnapshot()!['manifest-list']));
    expect(list.records.length).toBeLessThanOrEqual(5);
    expect((await readAll('merging')).map((r) => Number(r.id))).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('refuses paths that escape the warehouse', async () => {
    const io = store.io;
    expect(() => io.resolve('../outside')).toThrow(ValidationError);
    expect(() => io.resolve('/etc/passwd')).toThrow(ValidationError);
    expect(() => io.localPath('file:///etc/passwd')).toThrow(ValidationError);
    expect(await readdir(join(dir, 'warehouse'))).not.toContain('outside');
  });
});
