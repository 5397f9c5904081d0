import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, type FeatureGroup } from '../domain/index.js';
import { featureGroup, openFixtures, writeOfflineRows, writeParquet, writeTime, type Fixtures } from './fixtures.suite.js';
import { DuckDBDatasetSource } from './duckdb-dataset-source.js';
import { DatasetBuilder, type DatasetBase } from './plan.js';

/**
 * Each semantic rule of plan.ts, run on DuckDB over Parquet fixtures. The profiles history:
 *   u1: 01-01 level 1 · 01-03T09:00+09:00 level 2 · 01-03T00:00Z level 3 (same instant, written later) · 01-05 level 5
 *   u2: 01-01 level 7 · 01-02 delete marker · 01-04 level 8 (re-created)
 *   u3: 01-01T00:00:00.5 level 9 and level 10 (same instant and write_time, invoked later)
 */
const profiles = featureGroup('profiles', { user_id: 'String', ts: 'String', level: 'Integral', tier: 'String' });
const clicks = featureGroup('clicks', { user_id: 'String', ts: 'Fractional', clicks: 'Integral', level: 'Fractional' });
const epoch = (iso: string) => Date.parse(iso) / 1000;

const BASE: ReadonlyArray<readonly [string, string]> = [
  ['u1', '2024-12-31T00:00:00Z'], // r0: before any record
  ['u1', '2025-01-02T12:00:00+12:00'], // r1: = 01-02T00:00Z
  ['u1', '2025-01-03T00:00:00Z'], // r2: exactly at the duplicate instant
  ['u1', '2025-01-04T00:00:00Z'], // r3: 01-05 is in its future
  ['u2', '2025-01-01T12:00:00Z'], // r4
  ['u2', '2025-01-03T00:00:00Z'], // r5: after the delete
  ['u2', '2025-01-04T00:00:00Z'], // r6: re-created
  ['u3', '2025-01-02T00:00:00Z'], // r7
  ['u9', '2025-01-02T00:00:00Z'], // r8: no records
  ['u1', '2025-01-02T00:00:00Z'], // r9: the same key and time as r1
];

describe('point-in-time datasets on DuckDB', () => {
  let f: Fixtures;
  let source: DuckDBDatasetSource;
  let basePath: string;

  beforeAll(async () => {
    f = await openFixtures();
    const groups = {
      profiles: await writeOfflineRows(f, profiles, [
        { values: { user_id: 'u1', ts: '2025-01-01T00:00:00Z', level: 1, tier: 'a' }, written: 1 },
        { values: { user_id: 'u1', ts: '2025-01-03T09:00:00+09:00', level: 2, tier: 'b' }, written: 2 },
        { values: { user_id: 'u1', ts: '2025-01-03T00:00:00Z', level: 3, tier: 'c' }, written: 3 },
        { values: { user_id: 'u1', ts: '2025-01-05T00:00:00Z', level: 5, tier: 'e' }, written: 4 },
        { values: { user_id: 'u2', ts: '2025-01-01T00:00:00Z', level: 7, tier: 'g' }, written: 5 },
        { values: { user_id: 'u2', ts: '2025-01-02T00:00:00Z' }, written: 6, deleted: true },
        { values: { user_id: 'u2', ts: '2025-01-04T00:00:00Z', level: 8, tier: 'h' }, written: 7 },
        { values: { user_id: 'u3', ts: '2025-01-01T00:00:00.5+00:00', level: 10, tier: 'j' }, written: 8, invoked: 9 },
        { values: { user_id: 'u3', ts: '2025-01-01T00:00:00.500Z', level: 9, tier: 'i' }, written: 8, invoked: 8 },
      ]),
      clicks: await writeOfflineRows(f, clicks, [
        { values: { user_id: 'u1', ts: epoch('2025-01-02T00:00:00Z'), clicks: 4, level: 0.5 }, written: 1 },
        { values: { user_id: 'u1', ts: epoch('2025-01-03T00:00:00Z') + 0.000001, clicks: 6, level: 0.25 }, written: 2 },
        { values: { user_id: 'u2', ts: epoch('2025-01-01T06:00:00Z'), clicks: 1, level: 1.5 }, written: 3 },
      ]),
    };
    basePath = join(f.dir, 'base.parquet');
    await writeParquet(f, 'base.parquet', [['user_id', 'VARCHAR'], ['ts', 'VARCHAR'], ['row', 'INTEGER']], BASE.map(([id, ts], i) => [id, ts, i]));
    source = new DuckDBDatasetSource(f.connection, { groups, featureGroups: [profiles, clicks] });
  });
  afterAll(() => f.close());

  const dataset = (base: DatasetBase = { path: basePath }) => new DatasetBuilder(source, { base, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' });
  const column = async (builder: DatasetBuilder, name: string) => (await builder.toRows()).map((r) => r[name]);
  const pit = (options: Parameters<DatasetBuilder['withFeatureGroup']>[1] = {}, group: FeatureGroup | string = profiles) =>
    dataset().withFeatureGroup(group, options).pointInTimeAccurateJoin();

  it('joins the newest record at or before each row, never a future one, keeping base rows, their order and count', async () => {
    const rows = await pit().toRows();
    expect(rows.map((r) => r.row)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows.map((r) => r.level)).toEqual([null, 1, 3, 3, 7, null, 8, 10, null, 1]);
    expect(rows.map((r) => r.tier)).toEqual([null, 'a', 'c', 'c', 'g', null, 'h', 'j', null, 'a']);
    // The group's identifier and event time are not repeated.
    expect(Object.keys(rows[0]!)).toEqual(['user_id', 'ts', 'row', 'level', 'tier']);
  });

  it("compares ISO-8601 times as instants: '2025-01-01T09:00:00+09:00' equals '2025-01-01T00:00:00Z'", async () => {
    const zones = featureGroup('zones', { user_id: 'String', ts: 'String', v: 'Integral' });
    const relation = await writeOfflineRows(f, zones, [
      { values: { user_id: 'a', ts: '2025-01-01T09:00:00+09:00', v: 1 }, written: 1 },
      { values: { user_id: 'b', ts: '2025-01-01T00:00:00.250z', v: 2 }, written: 1 }, // lower-case z
      { values: { user_id: 'c', ts: '2025-01-01T00:00:00,25-00:30', v: 3 }, written: 1 }, // decimal comma
      { values: { user_id: 'd', ts: '2025-01-01T05:30+05:30', v: 4 }, written: 1 }, // no seconds
      { values: { user_id: 'e', ts: '2025-01-01T09:00:00.123456789+09:00', v: 5 }, written: 1 }, // nanoseconds: kept to the microsecond
    ]);
    const zoned = new DuckDBDatasetSource(f.connection, { groups: { zones: relation } });
    const base = [
      { user_id: 'a', ts: '2025-01-01T00:00:00Z' },
      { user_id: 'a', ts: '2024-12-31T23:59:59.999999Z' },
      { user_id: 'b', ts: '2025-01-01T00:00:00.25Z' },
      { user_id: 'b', ts: '2025-01-01T09:00:00.249+09:00' },
      { user_id: 'c', ts: '2025-01-01T00:30:00.25Z' },
      { user_id: 'd', ts: '2025-01-01T00:00:00Z' },
      { user_id: 'e', ts: '2025-01-01T00:00:00.123456Z' },
      { user_id: 'e', ts: '2025-01-01T00:00:00.123455Z' },
    ];
    const rows = await new DatasetBuilder(zoned, { base, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' })
      .withFeatureGroup(zones)
      .pointInTimeAccurateJoin()
      .toRows();
    expect(rows.map((r) => r.v)).toEqual([1, null, 2, null, 3, 4, 5, null]);
  });

  it('joins groups whose event times are epoch seconds, from bases timed in ISO-8601 or epoch seconds', async () => {
    expect(await column(pit({}, clicks), 'clicks')).toEqual([null, 4, 4, 6, 1, 1, 1, null, null, 4]);
    const epochBase = [
      { user_id: 'u1', ts: epoch('2025-01-03T00:00:00Z') },
      { user_id: 'u1', ts: epoch('2025-01-03T00:00:00Z') + 0.000001 },
      { user_id: 'u2', ts: epoch('2025-01-01T05:59:59Z') }, // a second before its clicks record
    ];
    const rows = await dataset(epochBase).withFeatureGroup(clicks).withFeatureGroup(profiles).pointInTimeAccurateJoin().toRows();
    expect(rows.map((r) => [r.clicks, r.profiles__level])).toEqual([
      [4, 3],
      [6, 3],
      [null, 7],
    ]);
  });

  it('collapses duplicates to the last written (then last invoked) unless duplicates are included', async () => {
    expect(await column(pit(), 'level')).toEqual([null, 1, 3, 3, 7, null, 8, 10, null, 1]);
    const rows = await pit().includeDuplicatedRecords().toRows();
    expect(rows.map((r) => [r.row, r.level])).toEqual([
      [0, null],
      [1, 1],
      [2, 3], // both records at the newest instant, last written first
      [2, 2],
      [3, 3],
      [3, 2],
      [4, 7],
      [5, null],
      [6, 8],
      [7, 10],
      [7, 9],
      [8, null],
      [9, 1],
    ]);
  });

  it('gives no features when the newest candidate is a delete marker, unless deleted records are included', async () => {
    expect((await column(pit(), 'level'))[5]).toBeNull();
    expect(await column(pit().includeDeletedRecords(), 'level')).toEqual([null, 1, 3, 3, 7, 7, 8, 10, null, 1]);
  });

  it('reads only records written at or before asOf', async () => {
    expect(await column(pit().asOf(writeTime(2)), 'level')).toEqual([null, 1, 2, 2, null, null, null, null, null, 1]);
    expect(await column(pit().asOf(writeTime(0)), 'level')).toEqual(Array(10).fill(null));
    expect(await column(pit().asOf(writeTime(6).toISOString()), 'level')).toEqual([null, 1, 3, 3, 7, null, null, null, null, 1]);
  });

  it('reads only records inside the event-time range, both ends included', async () => {
    const ranged = pit().withEventTimeRange('2025-01-02T00:00:00Z', new Date('2025-01-04T00:00:00Z'));
    expect(await column(ranged, 'level')).toEqual([null, null, 3, 3, null, null, 8, null, null, null]);
    expect(() => pit().withEventTimeRange('2025-01-02T00:00:00Z', '2025-01-01T00:00:00Z')).toThrow(/eventTimeRange: start is after end/);
  });

  it('counts a record older than the row time minus maxAge as missing', async () => {
    // r1: 24h old, r2: fresh, r3: 24h old, r4: 12h old (kept: not older than), r6: fresh, r7: 24h less half a second old.
    expect(await column(pit({ maxAge: '12h' }), 'level')).toEqual([null, null, 3, null, 7, null, 8, null, null, null]);
    expect(await column(pit({ maxAge: 43_200 }), 'level')).toEqual([null, null, 3, null, 7, null, 8, null, null, null]);
    expect(await column(pit({ maxAge: '1d' }), 'level')).toEqual([null, 1, 3, 3, 7, null, 8, 10, null, 1]);
  });

  it('returns the N most recent records per row, newest first; a delete marker hides the older ones', async () => {
    const rows = await pit().withNumberOfRecentRecordsByRecordIdentifier(2).toRows();
    expect(rows.map((r) => [r.row, r.level])).toEqual([
      [0, null],
      [1, 1],
      [2, 3],
      [2, 1],
      [3, 3],
      [3, 1],
      [4, 7],
      [5, null],
      [6, 8],
      [7, 10],
      [8, null],
      [9, 1],
    ]);
    const withDuplicates = await pit().withNumberOfRecentRecordsByRecordIdentifier(2).includeDuplicatedRecords().toRows();
    expect(withDuplicates.filter((r) => r.row === 2).map((r) => r.level)).toEqual([3, 2]);
  });

  it('joins several groups in one dataset, renaming colliding columns or prefixing them', async () => {
    const rows = await dataset().withFeatureGroup(profiles).withFeatureGroup(clicks).pointInTimeAccurateJoin().toRows();
    expect(Object.keys(rows[0]!)).toEqual(['user_id', 'ts', 'row', 'level', 'tier', 'clicks', 'clicks__level']);
    expect(rows.map((r) => [r.level, r.clicks, r.clicks__level])).toEqual([
      [null, null, null],
      [1, 4, 0.5],
      [3, 4, 0.5],
      [3, 6, 0.25],
      [7, 1, 1.5],
      [null, 1, 1.5],
      [8, 1, 1.5],
      [10, null, null],
      [null, null, null],
      [1, 4, 0.5],
    ]);
    const prefixed = await dataset()
      .withFeatureGroup(profiles, { includedFeatureNames: ['level'] })
      .withFeatureGroup(clicks, { prefix: 'c_', includedFeatureNames: ['level', 'ts'] })
      .pointInTimeAccurateJoin()
      .toRows();
    expect(Object.keys(prefixed[0]!)).toEqual(['user_id', 'ts', 'row', 'level', 'c_level', 'c_ts']);
    expect(prefixed[1]).toMatchObject({ level: 1, c_level: 0.5, c_ts: epoch('2025-01-02T00:00:00Z') });
  });

  it('without the point-in-time flag joins the newest record overall', async () => {
    expect(await column(dataset().withFeatureGroup(profiles), 'level')).toEqual([5, 5, 5, 5, 8, 8, 8, 10, null, 5]);
    expect(await column(dataset().withFeatureGroup(profiles).asOf(writeTime(6)), 'level')).toEqual([5, 5, 5, 5, null, null, null, null, null, 5]);
  });

  it('inner joins drop rows with nothing to join; right and full joins append records that joined no row', async () => {
    expect(await column(pit({ joinType: 'inner' }), 'row')).toEqual([1, 2, 3, 4, 6, 7, 9]);
    const right = await pit({ joinType: 'right', includedFeatureNames: ['level'] }).toRows();
    // Records no row took: u1's level 5 (in every row's future) and level 2 (a collapsed duplicate is not a record).
    expect(right.map((r) => [r.row, r.level])).toEqual([
      [1, 1],
      [2, 3],
      [3, 3],
      [4, 7],
      [6, 8],
      [7, 10],
      [9, 1],
      [null, 5],
    ]);
    const full = await pit({ joinType: 'full', includedFeatureNames: ['level'] }).toRows();
    expect(full.map((r) => [r.row, r.level])).toEqual([[0, null], [1, 1], [2, 3], [3, 3], [4, 7], [5, null], [6, 8], [7, 10], [8, null], [9, 1], [null, 5]]);
  });

  it('joins on other features and comparators, and cross joins every live record', async () => {
    const thresholds = featureGroup('thresholds', { band: 'Integral', ts: 'String', floor: 'Integral' }, { id: 'band' });
    const relation = await writeOfflineRows(f, thresholds, [
      { values: { band: 1, ts: '2025-01-01T00:00:00Z', floor: 0 }, written: 1 },
      { values: { band: 2, ts: '2025-01-01T00:00:00Z', floor: 10 }, written: 2 },
      { values: { band: 3, ts: '2025-01-02T00:00:00Z', floor: 20 }, written: 3 },
    ]);
    const s = new DuckDBDatasetSource(f.connection, { groups: { thresholds: relation } });
    const base = [
      { user_id: 'x', score: 15, ts: '2025-01-01T12:00:00Z' },
      { user_id: 'y', score: 25, ts: '2025-01-03T00:00:00Z' },
      { user_id: 'z', score: 5, ts: '2024-01-01T00:00:00Z' },
    ];
    const builder = new DatasetBuilder(s, { base, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' });
    // The newest record whose floor is at or below the score.
    const banded = await builder
      .withFeatureGroup(thresholds, { targetFeatureNameInBase: 'score', featureNameInTarget: 'floor', joinComparator: '>=', includedFeatureNames: ['band'] })
      .pointInTimeAccurateJoin()
      .toRows();
    expect(banded.map((r) => r.band)).toEqual([2, 3, null]);
    const crossed = await builder.withFeatureGroup(thresholds, { joinType: 'cross', includedFeatureNames: ['band'] }).pointInTimeAccurateJoin().toRows();
    // Every record at or before each row's time, newest first; z has none and is dropped.
    expect(crossed.map((r) => [r.user_id, r.band])).toEqual([
      ['x', 2],
      ['x', 1],
      ['y', 3],
      ['y', 2],
      ['y', 1],
    ]);
  });

  it('limits the result to the first rows', async () => {
    expect(await column(pit().withNumberOfRecordsFromQueryResults(3), 'row')).toEqual([0, 1, 2]);
  });

  it('takes the base as rows, Arrow, CSV, JSON Lines, SQL or a relation', async () => {
    const expected = [null, 1, 3, 3, 7, null, 8, 10, null, 1];
    const rows = BASE.map(([user_id, ts], row) => ({ user_id, ts, row }));
    expect(await column(dataset(rows).withFeatureGroup(profiles).pointInTimeAccurateJoin(), 'level')).toEqual(expected);
    const arrow = tableFromArrays({ user_id: BASE.map(([u]) => u), ts: BASE.map(([, t]) => t), row: Int32Array.from(BASE.map((_, i) => i)) });
    expect(await column(dataset(arrow).withFeatureGroup(profiles).pointInTimeAccurateJoin(), 'level')).toEqual(expected);
    await f.connection.run(`COPY (SELECT * FROM read_parquet('${basePath}')) TO '${join(f.dir, 'base.csv')}' (FORMAT csv, HEADER true)`);
    await f.connection.run(`COPY (SELECT * FROM read_parquet('${basePath}')) TO '${join(f.dir, 'base.jsonl')}' (FORMAT json)`);
    for (const path of [join(f.dir, 'base.csv'), join(f.dir, 'base.jsonl')]) {
      expect(await column(dataset({ path }).withFeatureGroup(profiles).pointInTimeAccurateJoin(), 'level')).toEqual(expected);
    }
    expect(await column(dataset({ sql: `SELECT * FROM read_parquet('${basePath}') WHERE row < 3` }).withFeatureGroup(profiles).pointInTimeAccurateJoin(), 'level')).toEqual([null, 1, 3]);
    expect(await column(dataset({ relation: `read_parquet('${basePath}')` }).withFeatureGroup('profiles').pointInTimeAccurateJoin(), 'level')).toEqual(expected);
    // Temporary tables made for row bases are dropped after each call.
    const temp = await f.connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name LIKE '__floe_base_%'`);
    expect(temp.getRowObjectsJS()[0]!.n).toBe(0);
  });

  it('returns Arrow and writes Parquet and CSV files with COPY', async () => {
    const table = await pit().toArrow();
    expect(table.numRows).toBe(10);
    expect(table.getChild('level')!.get(2)).toBe(3n);
    expect(table.getChild('tier')!.get(2)).toBe('c');
    const parquet = join(f.dir, 'out.parquet');
    expect(await pit().toFile(parquet)).toBe(10);
    const back = await f.connection.runAndReadAll(`SELECT level FROM read_parquet('${parquet}')`);
    expect(back.getRowObjectsJS().map((r) => (r.level === null ? null : Number(r.level)))).toEqual([null, 1, 3, 3, 7, null, 8, 10, null, 1]);
    const csv = join(f.dir, 'out.csv');
    expect(await pit({ includedFeatureNames: ['level'] }).toFile(csv)).toBe(10);
    expect((await readFile(csv, 'utf8')).split('\n').slice(0, 3)).toEqual(['user_id,ts,row,level', 'u1,2024-12-31T00:00:00Z,0,', 'u1,2025-01-02T12:00:00+12:00,1,1']);
    await expect(pit().toFile(join(f.dir, 'out.txt'))).rejects.toThrow(/path: .* must end in \.parquet or \.csv/);
  });

  it('refuses bad options, naming them', () => {
    const bad: Array<[() => unknown, RegExp]> = [
      [() => pit({ maxAge: 'soon' }), /featureGroups\[0\]\.maxAge/],
      [() => pit({ maxAge: -1 }), /featureGroups\[0\]\.maxAge/],
      [() => pit({ joinType: 'outer' as never }), /featureGroups\[0\]\.joinType: 'outer' is not one of/],
      [() => pit({ joinComparator: '==' as never }), /featureGroups\[0\]\.joinComparator/],
      [() => pit({ includedFeatureNames: ['nope'] }), /featureGroups\[0\]\.includedFeatureNames: 'nope' is not a feature of 'profiles'/],
      [() => pit({ featureNameInTarget: 'nope' }), /featureGroups\[0\]\.featureNameInTarget/],
      [() => pit({ prefix: '' }), /featureGroups\[0\]\.prefix/],
      [() => dataset().withFeatureGroup('profiles', { maxAge: '3 days' }), /featureGroups\[0\]\.maxAge/],
      [() => dataset().withNumberOfRecentRecordsByRecordIdentifier(0), /numberOfRecentRecordsByRecordIdentifier/],
      [() => dataset().withNumberOfRecordsFromQueryResults(1.5), /numberOfRecordsFromQueryResults/],
      [() => dataset().asOf('yesterday'), /asOf/],
      [() => new DatasetBuilder(source, { base: [], recordIdentifierFeatureName: '', eventTimeFeatureName: 'ts' }), /recordIdentifierFeatureName/],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(message);
    }
  });

  it('refuses plans the base or the source cannot serve, naming the field', async () => {
    await expect(dataset().toRows()).rejects.toThrow(/featureGroups: add at least one/);
    await expect(pit({ targetFeatureNameInBase: 'account' }).toRows()).rejects.toThrow(/featureGroups\[0\]\.targetFeatureNameInBase: the base has no column 'account'/);
    await expect(new DatasetBuilder(source, { base: { path: basePath }, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'when' }).withFeatureGroup(profiles).toRows()).rejects.toThrow(
      /eventTimeFeatureName: the base has no column 'when'/,
    );
    await expect(dataset().withFeatureGroup('missing').toRows()).rejects.toThrow(/feature group 'missing' is not known/);
    await expect(dataset({ path: join(f.dir, 'nowhere.parquet') }).withFeatureGroup(profiles).toRows()).rejects.toThrow(/base\.path: cannot read/);
    await expect(dataset([{ user_id: 'u1', ts: 'not a time' }]).withFeatureGroup(profiles).pointInTimeAccurateJoin().toRows()).rejects.toThrow(ValidationError);
    await expect(dataset([{ user_id: 'u1', ts: '2025-01-02T00:00:00Z', level: 0, clicks__level: 0 }]).withFeatureGroup(clicks).toSQL()).rejects.toThrow(
      /featureGroups\[0\]\.includedFeatureNames: 'level' of 'clicks' collides with column 'clicks__level'; give the group a prefix/,
    );
  });
});
