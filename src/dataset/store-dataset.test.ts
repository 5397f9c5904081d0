import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/index.js';
import { FeatureStore } from '../sdk/feature-store.js';
import { startTestS3Server, type TestS3Server } from '../test-support/s3-server.js';

/** The store's wiring: createDataset with groups by name, run in its sandboxed engine over Iceberg tables (local, or on S3 through the cache). */
describe.each([
  ['a local warehouse', false],
  ['an S3 warehouse (s3rver on loopback)', true],
])('point-in-time datasets through the store, %s', (_label, onS3) => {
  let dir: string;
  let store: FeatureStore;
  let s3: TestS3Server | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-dataset-'));
    s3 = onS3 ? await startTestS3Server() : undefined;
    store = await FeatureStore.open({ dataDir: dir, ...(s3 ? { warehouse: `s3://${s3.bucket}/wh`, s3: s3.s3 } : {}) });
    await store.createFeatureGroup({
      featureGroupName: 'profiles',
      recordIdentifierFeatureName: 'user_id',
      eventTimeFeatureName: 'ts',
      featureDefinitions: [
        { featureName: 'user_id', featureType: 'String' },
        { featureName: 'ts', featureType: 'String' },
        { featureName: 'level', featureType: 'Integral' },
      ],
    });
    await store.createFeatureGroup({
      featureGroupName: 'spend',
      recordIdentifierFeatureName: 'user_id',
      eventTimeFeatureName: 'ts',
      featureDefinitions: [
        { featureName: 'user_id', featureType: 'String' },
        { featureName: 'ts', featureType: 'Fractional' },
        { featureName: 'level', featureType: 'Fractional' },
      ],
    });
    const profiles = store.featureGroup('profiles');
    await profiles.putRecord({ user_id: 'a', ts: '2025-01-01T00:00:00Z', level: 1 });
    await profiles.putRecord({ user_id: 'a', ts: '2025-01-03T09:00:00+09:00', level: 2 }); // = 2025-01-03T00:00Z
    await profiles.putRecord({ user_id: 'a', ts: '2025-01-03T00:00:00Z', level: 3 }); // duplicate instant, written later: wins
    await profiles.putRecord({ user_id: 'b', ts: '2025-01-01T00:00:00Z', level: 7 });
    await profiles.deleteRecord('b', '2025-01-02T00:00:00Z');
    await store.featureGroup('spend').putRecord({ user_id: 'a', ts: Date.parse('2025-01-02T00:00:00Z') / 1000, level: 0.5 });
    await store.featureGroup('profiles').flush();
    await store.featureGroup('spend').flush();
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
    await s3?.close();
  });

  const base = [
    { user_id: 'a', ts: '2024-12-31T00:00:00Z', label: 0 },
    { user_id: 'a', ts: '2025-01-02T12:00:00+12:00', label: 1 }, // = 2025-01-02T00:00Z
    { user_id: 'a', ts: '2025-01-05T00:00:00Z', label: 2 },
    { user_id: 'b', ts: '2025-01-01T12:00:00Z', label: 3 },
    { user_id: 'b', ts: '2025-01-04T00:00:00Z', label: 4 },
    { user_id: 'c', ts: '2025-01-04T00:00:00Z', label: 5 },
  ];
  const dataset = () => store.createDataset(base, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' });

  it('joins the newest record at or before each row, never a future one, keeping every base row in order', async () => {
    const rows = await dataset().withFeatureGroup('profiles').pointInTimeAccurateJoin().toRows();
    expect(rows.map((r) => [r.label, r.level])).toEqual([
      [0, null], // before any record
      [1, 1], // offsets compare as instants
      [2, 3], // the later-written duplicate wins
      [3, 7],
      [4, null], // the newest candidate is a delete marker
      [5, null], // no records at all
    ]);
  });

  it('joins several groups, renaming colliding columns, with epoch-second event times', async () => {
    const rows = await dataset().withFeatureGroup('profiles').withFeatureGroup('spend').pointInTimeAccurateJoin().toRows();
    expect(rows.map((r) => [r.label, r.level, r.spend__level])).toEqual([
      [0, null, null],
      [1, 1, 0.5], // spend at exactly the row's time counts
      [2, 3, 0.5],
      [3, 7, null],
      [4, null, null],
      [5, null, null],
    ]);
  });

  it('honours maxAge, includeDeletedRecords, prefixes and asOf', async () => {
    const aged = await dataset().withFeatureGroup('profiles', { maxAge: '1d' }).pointInTimeAccurateJoin().toRows();
    expect(aged.map((r) => r.level)).toEqual([null, 1, null, 7, null, null]);
    const deleted = await dataset().withFeatureGroup('profiles', { prefix: 'p_' }).includeDeletedRecords().pointInTimeAccurateJoin().toRows();
    expect(deleted.map((r) => r.p_level)).toEqual([null, 1, 3, 7, 7, null]);
    const before = await dataset().withFeatureGroup('profiles').asOf(new Date('2000-01-01')).pointInTimeAccurateJoin().toRows();
    expect(before.map((r) => r.level)).toEqual([null, null, null, null, null, null]);
  });

  it('without the point-in-time flag joins the newest record overall', async () => {
    const rows = await dataset().withFeatureGroup('profiles').toRows();
    expect(rows.map((r) => r.level)).toEqual([3, 3, 3, null, null, null]);
  });

  it('compiles to one ASOF JOIN statement, and refuses bad options naming them', async () => {
    const sql = await dataset().withFeatureGroup('profiles').pointInTimeAccurateJoin().toSQL();
    expect(sql).toMatch(/ASOF LEFT JOIN __floe_g0 g0 ON b\."user_id" = g0\.__floe_j AND /);
    expect(() => dataset().withFeatureGroup('profiles', { maxAge: 'soon' })).toThrow(/featureGroups\[0\]\.maxAge/);
    await expect(dataset().withFeatureGroup('profiles', { includedFeatureNames: ['nope'] }).toRows()).rejects.toBeInstanceOf(ValidationError);
    await expect(dataset().toRows()).rejects.toThrow(/at least one feature group/);
    await expect(
      store.createDataset(base, { recordIdentifierFeatureName: 'missing', eventTimeFeatureName: 'ts' }).withFeatureGroup('profiles').toRows(),
    ).rejects.toThrow(/base has no column 'missing'/);
  });

  it('returns the N most recent records per identifier, and limits the result', async () => {
    const recent = await dataset().withFeatureGroup('profiles').pointInTimeAccurateJoin().withNumberOfRecentRecordsByRecordIdentifier(2).toRows();
    expect(recent.map((r) => [r.label, r.level])).toEqual([
      [0, null],
      [1, 1],
      [2, 3], // newest first: the duplicate at 2025-01-03 collapsed to the last written, then the one before
      [2, 1],
      [3, 7],
      [4, null], // the delete marker hides the record before it
      [5, null],
    ]);
    const limited = await dataset().withFeatureGroup('profiles').pointInTimeAccurateJoin().withNumberOfRecordsFromQueryResults(2).toRows();
    expect(limited.map((r) => r.label)).toEqual([0, 1]);
    expect(() => dataset().withNumberOfRecordsFromQueryResults(0)).toThrow(ValidationError);
  });

  it('writes the dataset to Parquet and CSV files', async () => {
    const builder = dataset().withFeatureGroup('profiles').pointInTimeAccurateJoin();
    expect(await builder.toFile(join(dir, 'out.parquet'))).toBe(6);
    expect(await builder.toFile(join(dir, 'out.csv'))).toBe(6);
    const back = await store
      .createDataset({ path: join(dir, 'out.parquet') }, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' })
      .withFeatureGroup('spend', { prefix: 's_' })
      .toRows();
    expect(back.map((r) => r.level)).toEqual([null, 1, 3, 7, null, null]);
    expect((await readFile(join(dir, 'out.csv'), 'utf8')).split('\n')[0]).toBe('user_id,ts,label,level');
    await expect(builder.toFile(join(dir, 'out.txt'))).rejects.toBeInstanceOf(ValidationError);
  });

  it('writes files inside the engine: empty results keep their columns, refused statements and bad paths write nothing', async () => {
    const sqlBase = (sql: string) => store.createDataset({ sql }, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' }).withFeatureGroup('profiles');
    const empty = join(dir, 'empty.csv');
    expect(await sqlBase("SELECT 'z' AS user_id, '2025-01-01T00:00:00Z' AS ts WHERE false").toFile(empty)).toBe(0);
    expect(await readFile(empty, 'utf8')).toBe('user_id,ts,level\n');
    // A base whose trailing comment would swallow the rest of a statement built around it.
    const commented = join(dir, 'commented.csv');
    expect(await sqlBase("SELECT 'a' AS user_id, '2025-01-04T00:00:00Z' AS ts -- trailing").toFile(commented)).toBe(1);
    expect((await readFile(commented, 'utf8')).trim().split('\n')).toEqual(['user_id,ts,level', 'a,2025-01-04T00:00:00Z,3']);
    const outside = join(dir, 'escaped.csv');
    await expect(sqlBase(`SELECT 1 AS user_id, 2 AS ts) TO '${outside}' (FORMAT csv); SELECT (1`).toFile(join(dir, 'x.csv'))).rejects.toBeInstanceOf(ValidationError);
    await expect(readFile(outside)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(sqlBase("SELECT 'a' AS user_id, '2025-01-04T00:00:00Z' AS ts").toFile(join(dir, 'no-such-dir', 'out.csv'))).rejects.toThrow(/path: cannot write/);
    const scratch = await readdir(join(dir, 'warehouse', '.scratch')).catch(() => []);
    expect(scratch.filter((f) => f.startsWith('query-out-'))).toEqual([]);
  });

  it('takes the base from SQL over the offline store or from a feature group', async () => {
    const rows = await store
      .createDataset({ sql: "SELECT 'a' AS user_id, '2025-01-02T00:00:00Z' AS ts" }, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' })
      .withFeatureGroup('spend')
      .pointInTimeAccurateJoin()
      .toRows();
    expect(rows).toEqual([{ user_id: 'a', ts: '2025-01-02T00:00:00Z', level: 0.5 }]);
    const arrow = await store
      .createDataset({ featureGroupName: 'spend' }, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' })
      .withFeatureGroup('profiles', { prefix: 'p_' })
      .pointInTimeAccurateJoin()
      .toArrow();
    expect(arrow.numRows).toBe(1);
    expect(arrow.getChild('p_level')!.get(0)).toBe(1n);
  });
});
