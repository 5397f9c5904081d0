import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from './feature-store.js';

/** Bulk ingest of files: the online store gets the newest record per identifier, exactly typed. */
describe('bulk ingest of files', () => {
  let dir: string;
  let store: FeatureStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-file-ingest-'));
    store = await FeatureStore.open({ dataDir: join(dir, 'data') });
    await store.createFeatureGroup({
      featureGroupName: 'typed',
      recordIdentifierFeatureName: 'id',
      eventTimeFeatureName: 'ts',
      featureDefinitions: [
        { featureName: 'id', featureType: 'Integral' },
        { featureName: 'ts', featureType: 'String' },
        { featureName: 'count', featureType: 'Integral' },
        { featureName: 'score', featureType: 'Fractional' },
        { featureName: 'name', featureType: 'String' },
        { featureName: 'tags', featureType: 'String', collectionType: 'List' },
        { featureName: 'ids', featureType: 'Integral', collectionType: 'Set' },
        { featureName: 'vec', featureType: 'Fractional', collectionType: 'Vector', collectionConfig: { vectorConfig: { dimension: 2 } } },
      ],
    });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the newest record per identifier online (later rows win ties), int64 beyond 2^53 exact', async () => {
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const file = join(dir, 'typed.parquet');
    await duck.run(`COPY (SELECT * FROM (VALUES
        (1::BIGINT, '2025-01-01T00:00:00Z', 1::BIGINT, 0.5, 'old', ['a'], [1::BIGINT], [0.1, 0.2]),
        (1, '2025-01-02T00:00:00Z', 9007199254740993, 1.5, 'new', ['b', 'c'], [9223372036854775807], [0.3, 0.4]),
        (1, '2025-01-01T12:00:00Z', 3, 2.5, 'middle', NULL, NULL, NULL),
        (-9007199254740993, '2025-01-01T00:00:00Z', -9007199254740993, NULL, NULL, NULL, NULL, NULL),
        (2, '2025-01-01T00:00:00+02:00', 4, 3.5, 'first', NULL, NULL, NULL),
        (2, '2024-12-31T22:00:00Z', 5, 4.5, 'tie, later row', NULL, NULL, NULL)
      ) t(id, ts, count, score, name, tags, ids, vec)) TO '${file}' (FORMAT parquet)`);
    const fg = store.featureGroup('typed');
    expect(await fg.ingest(file)).toMatchObject({ rowsRead: 6, rowsWritten: 6, rowsFailed: 0 });
    expect(await fg.getRecord(1)).toEqual({ id: 1, ts: '2025-01-02T00:00:00Z', count: 9007199254740993n, score: 1.5, name: 'new', tags: ['b', 'c'], ids: [9223372036854775807n], vec: [0.3, 0.4] });
    expect(await fg.getRecord(-9007199254740993n)).toEqual({ id: -9007199254740993n, ts: '2025-01-01T00:00:00Z', count: -9007199254740993n });
    expect(await fg.getRecord(2)).toMatchObject({ count: 5, name: 'tie, later row' });
  });

  it('reads List, Set and Vector cells of a CSV file as JSON arrays, and names the bad ones', async () => {
    const file = join(dir, 'typed.csv');
    await writeFile(
      file,
      [
        'id,ts,tags,ids,vec',
        '10,2025-01-01T00:00:00Z,"[""a\\""b"", ""c,d"", ""\\u00e9""]","[1, 9223372036854775807]","[0.5, 1.5]"',
        '11,2025-01-01T00:00:00Z,not json,,',
        '12,2025-01-01T00:00:00Z,,"[1, 1]",',
        '13,2025-01-01T00:00:00Z,,,"[1]"',
        '14,2025-01-01T00:00:00Z,,"[1.5]",',
        '15,2025-01-01T00:00:00Z,"{""a"": 1}",,',
      ].join('\n'),
    );
    const fg = store.featureGroup('typed');
    const result = await fg.ingest(file);
    expect(result).toMatchObject({ rowsRead: 6, rowsWritten: 1, rowsFailed: 5 });
    expect(result.failedRows.map((r) => [r.row, r.field])).toEqual([
      [1, 'tags'],
      [2, 'ids'],
      [3, 'vec'],
      [4, 'ids'],
      [5, 'tags'],
    ]);
    expect(result.failedRows[0]!.reason).toMatch(/JSON array/);
    expect(await fg.getRecord(10)).toEqual({ id: 10, ts: '2025-01-01T00:00:00Z', tags: ['a"b', 'c,d', 'é'], ids: [1, 9223372036854775807n], vec: [0.5, 1.5] });
    await fg.flush();
    const rows = (await store.query(`SELECT tags, ids, vec FROM typed WHERE id = 10`)).rows;
    expect(rows).toEqual([{ tags: ['a"b', 'c,d', 'é'], ids: [1, 9223372036854775807n], vec: [0.5, 1.5] }]);
  });
});
