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
import { startTestS3Server, type TestS3Server } from '../test-support/s3-server.js';
import { openOfflineStore } from './index.js';
import type { OfflineStore } from './offline-store.js';

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

/** Where a test's warehouse lives: a local directory, or a bucket on an S3 server the test starts. */
interface TestWarehouse {
  local: boolean;
  /** Opens an offline store on the warehouse (each with its own cache directory, as each process has). */
  open(registry: Registry): Promise<OfflineStore>;
  close(): Promise<void>;
}

const localWarehouse = async (dir: string): Promise<TestWarehouse> => ({
  local: true,
  open: (pointers) => openOfflineStore({ warehouse: join(dir, 'warehouse'), pointers, cache: { dir: join(dir, 'unused-cache') } }),
  close: async () => {},
});

const s3Warehouse = async (dir: string): Promise<TestWarehouse> => {
  const server: TestS3Server = await startTestS3Server();
  let n = 0;
  return {
    local: false,
    open: (pointers) =>
      openOfflineStore({ warehouse: `s3://${server.bucket}/warehouse`, pointers, s3: server.s3, cache: { dir: join(dir, `cache-${n++}`), maxBytes: 64 * 1024 * 1024 } }),
    close: server.close,
  };
};

describe.each([
  ['a local directory', localWarehouse],
  ['S3 (s3rver on loopback)', s3Warehouse],
])('OfflineStore on Iceberg, warehouse in %s', (_label, makeWarehouse) => {
  let dir: string;
  let warehouse: TestWarehouse;
  let registry: Registry;
  let store: OfflineStore;
  let duck: Awaited<ReturnType<DuckDBInstance['connect']>>;
  let restoreFetch: () => void;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-offline-'));
    warehouse = await makeWarehouse(dir);
    registry = await openSqliteRegistry(join(dir, 'registry.sqlite'));
    store = await warehouse.open(registry);
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    restoreFetch = installFileFetch();
  });
  afterAll(async () => {
    restoreFetch();
    await store.close();
    await registry.close();
    await warehouse.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function readAll(name: string): Promise<Array<Record<string, unknown>>> {
    const { files, columns, release } = await store.tableFiles(name);
    try {
      if (files.length === 0) return [];
      const list = files.map((f) => `'${f}'`).join(', ');
      const result = await duck.runAndReadAll(`SELECT ${columns.map((c) => `"${c.name}"`).join(', ')} FROM read_parquet([${list}], union_by_name = true) ORDER BY ts`);
      return result.getRowObjectsJS() as Array<Record<string, unknown>>;
    } finally {
      release();
    }
  }

  it('round-trips every type through a table, int64 beyond 2^53 included', async () => {
    const location = await store.ensureTable(group('types'));
    expect(location).toBe(warehouse.local ? pathToFileURL(join(dir, 'warehouse', 'types')).href.replace(/\/$/, '') : 's3://floe-warehouse/warehouse/types');
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
    expect((await store.io.read(`${store.io.resolve('types')}/metadata/version-hint.text`)).toString()).toBe('2');
    // icebird fetches s3:// paths from AWS itself: only the local table can be read by it here.
    if (!warehouse.local) return;
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
    const writers = await Promise.all(Array.from({ length: 4 }, () => warehouse.open(registry)));
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
    then.release();
    byTime.release();
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
    if (warehouse.local) {
      expect(() => io.localPath('file:///etc/passwd')).toThrow(ValidationError);
      expect(await readdir(join(dir, 'warehouse'))).not.toContain('outside');
    } else {
      await expect(io.read('s3://another-bucket/secret')).rejects.toBeInstanceOf(ValidationError);
      await expect(io.read(`${io.rootUri}/../other/secret`)).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
