import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/index.js';
import { asDuckDB, installClusterFunctions } from './dialect-emulation.suite.js';
import { SQL_DIALECTS, type SqlDialect } from './dialects.js';
import { isoInstant } from './duckdb-compiler.js';
import { DuckDBDatasetSource } from './duckdb-dataset-source.js';
import { featureGroup, openFixtures, writeOfflineRows, writeParquet, writeTime, type Fixtures } from './fixtures.suite.js';
import { DatasetBuilder } from './plan.js';

/**
 * Each option compiled for every dialect: the statement's shape is checked per dialect, and the
 * Trino and Spark statements run on DuckDB (dialect-emulation.suite.ts) must give the rows the
 * DuckDB statement gives (that one is checked rule by rule in dataset.test.ts and against the
 * brute-force reference in dataset.property.test.ts).
 */
const profiles = featureGroup('profiles', { user_id: 'String', ts: 'String', level: 'Integral' });
const clicks = featureGroup('clicks', { user_id: 'String', ts: 'Fractional', clicks: 'Integral' });
const epoch = (iso: string) => Date.parse(iso) / 1000;

describe('Trino and Spark SQL from the same plan', () => {
  let f: Fixtures;
  let source: DuckDBDatasetSource;
  let tables: Record<string, string>;
  let baseRelation: string;
  let basePath: string;

  beforeAll(async () => {
    f = await openFixtures();
    await installClusterFunctions(f.connection, isoInstant);
    tables = {
      profiles: await writeOfflineRows(f, profiles, [
        { values: { user_id: 'u1', ts: '2025-01-01T00:00:00Z', level: 1 }, written: 1 },
        { values: { user_id: 'u1', ts: '2025-01-03T09:00:00+09:00', level: 2 }, written: 2 },
        { values: { user_id: 'u1', ts: '2025-01-03T00:00:00Z', level: 3 }, written: 3 },
        { values: { user_id: 'u1', ts: '2025-01-05T00:00:00Z', level: 5 }, written: 4 },
        { values: { user_id: 'u2', ts: '2025-01-01T00:00:00Z', level: 7 }, written: 5 },
        { values: { user_id: 'u2', ts: '2025-01-02T00:00:00Z' }, written: 6, deleted: true },
        { values: { user_id: 'u2', ts: '2025-01-04T00:00:00Z', level: 8 }, written: 7 },
        { values: { user_id: 'u7', ts: '2025-01-04T00:00:00Z', level: 70 }, written: 8 },
      ]),
      clicks: await writeOfflineRows(f, clicks, [
        { values: { user_id: 'u1', ts: epoch('2025-01-02T00:00:00Z'), clicks: 4 }, written: 1 },
        { values: { user_id: 'u1', ts: epoch('2025-01-03T00:00:00Z') + 0.000001, clicks: 6 }, written: 2 },
        { values: { user_id: 'u2', ts: epoch('2025-01-01T06:00:00Z'), clicks: 1 }, written: 3 },
      ]),
    };
    const base: Array<[string, string]> = [
      ['u1', '2024-12-31T00:00:00Z'],
      ['u1', '2025-01-02T12:00:00+12:00'],
      ['u1', '2025-01-03T00:00:00Z'],
      ['u1', '2025-01-04T00:00:00Z'],
      ['u2', '2025-01-01T12:00:00Z'],
      ['u2', '2025-01-03T00:00:00Z'],
      ['u2', '2025-01-04T00:00:00Z'],
      ['u9', '2025-01-02T00:00:00Z'],
    ];
    baseRelation = await writeParquet(f, 'base.parquet', [['user_id', 'VARCHAR'], ['ts', 'VARCHAR'], ['row', 'INTEGER']], base.map(([id, ts], i) => [id, ts, i]));
    basePath = baseRelation.slice("read_parquet('".length, -2);
    source = new DuckDBDatasetSource(f.connection, { groups: tables, featureGroups: [profiles, clicks] });
  });
  afterAll(() => f.close());

  const builder = () => new DatasetBuilder(source, { base: { path: basePath }, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' });
  const cases: Array<[string, () => DatasetBuilder]> = [
    ['point-in-time, two groups', () => builder().withFeatureGroup(profiles).withFeatureGroup(clicks).pointInTimeAccurateJoin()],
    ['newest overall', () => builder().withFeatureGroup(profiles).withFeatureGroup(clicks)],
    ['inner, maxAge, asOf', () => builder().withFeatureGroup(profiles, { joinType: 'inner', maxAge: '1d' }).pointInTimeAccurateJoin().asOf(writeTime(6))],
    ['event-time range, deleted included', () => builder().withFeatureGroup(profiles).pointInTimeAccurateJoin().withEventTimeRange('2025-01-01T00:00:00Z', '2025-01-03T00:00:00Z').includeDeletedRecords()],
    ['N recent', () => builder().withFeatureGroup(profiles).pointInTimeAccurateJoin().withNumberOfRecentRecordsByRecordIdentifier(2)],
    ['duplicates', () => builder().withFeatureGroup(profiles).pointInTimeAccurateJoin().includeDuplicatedRecords()],
    ['comparator', () => builder().withFeatureGroup(clicks, { joinComparator: '<>' }).pointInTimeAccurateJoin()],
    ['right join', () => builder().withFeatureGroup(profiles, { joinType: 'right' }).pointInTimeAccurateJoin()],
    ['full join, limit', () => builder().withFeatureGroup(profiles, { joinType: 'full' }).withFeatureGroup(clicks).pointInTimeAccurateJoin().withNumberOfRecordsFromQueryResults(9)],
    ['cross join', () => builder().withFeatureGroup(clicks, { joinType: 'cross', prefix: 'c_' }).pointInTimeAccurateJoin()],
  ];

  const plain = (rows: Array<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));

  for (const [name, make] of cases) {
    it(`gives the DuckDB statement's rows from Trino and Spark statements: ${name}`, async () => {
      const expected = plain(await make().toRows());
      expect(expected.length).toBeGreaterThan(0);
      for (const dialect of ['trino', 'spark'] as const) {
        const sql = await make().toSQL({ dialect, baseRelation, tables });
        expect(sql, dialect).not.toContain('ASOF');
        const rows = (await f.connection.runAndReadAll(asDuckDB(sql, dialect))).getRowObjectsJS() as Array<Record<string, unknown>>;
        expect(plain(rows), dialect).toEqual(expected);
      }
    });
  }

  it("writes each dialect's own functions and quoting", async () => {
    const b = builder().withFeatureGroup(profiles, { maxAge: '2h' }).withFeatureGroup(clicks).pointInTimeAccurateJoin().asOf('2025-01-01T00:00:00Z');
    const sql = Object.fromEntries(await Promise.all(SQL_DIALECTS.map(async (d) => [d, await b.toSQL({ dialect: d, baseRelation: 'lake.entity_rows' })] as const))) as Record<SqlDialect, string>;
    expect(sql.duckdb).toContain('ASOF LEFT JOIN');
    expect(sql.trino).toContain('FROM lake.entity_rows');
    expect(sql.trino).toContain('FROM "profiles"');
    expect(sql.trino).toContain('CAST(from_iso8601_timestamp_nanos("ts") AS TIMESTAMP(6) WITH TIME ZONE)');
    expect(sql.trino).toContain('CAST(from_unixtime_nanos(CAST(round(CAST("ts" AS DOUBLE) * 1000000) AS BIGINT) * 1000) AS TIMESTAMP(6) WITH TIME ZONE)');
    expect(sql.trino).toContain('__floe_wt <= CAST(from_unixtime_nanos(1735689600000000000) AS TIMESTAMP(6) WITH TIME ZONE)');
    expect(sql.trino).toContain("g0.__floe_et >= b.__floe_t - INTERVAL '7200' SECOND");
    expect(sql.trino).toContain('row_number() OVER (PARTITION BY __floe_r ORDER BY __floe_et DESC, __floe_wt DESC, __floe_at DESC) AS __floe_n');
    expect(sql.trino).toContain('row_number() OVER () AS __floe_row');
    expect(sql.spark).toContain('FROM `profiles`');
    expect(sql.spark).toContain('CAST(`ts` AS TIMESTAMP)');
    expect(sql.spark).toContain('timestamp_micros(CAST(round(CAST(`ts` AS DOUBLE) * 1000000) AS BIGINT))');
    expect(sql.spark).toContain('timestamp_micros(unix_micros(b.__floe_t) - 7200000000)');
    expect(sql.spark).toContain('monotonically_increasing_id() AS __floe_row');
    expect(sql.spark).not.toContain('"');
    for (const d of ['trino', 'spark'] as const) {
      for (const duckdbOnly of ['QUALIFY', 'struct_pack', 'EXCLUDE', 'BY NAME', 'arg_max', 'make_timestamptz', 'TIMESTAMPTZ']) expect(sql[d], `${d}: ${duckdbOnly}`).not.toContain(duckdbOnly);
    }
  });

  it('takes the cluster table names given, and refuses what it cannot place, naming the field', async () => {
    const named = await builder().withFeatureGroup(profiles).pointInTimeAccurateJoin().toSQL({ dialect: 'trino', baseRelation: 'b', tables: { profiles: 'iceberg.floe."profiles-v2"' } });
    expect(named).toContain('FROM iceberg.floe."profiles-v2"');
    const fromGroup = await new DatasetBuilder(source, { base: { featureGroupName: 'clicks' }, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' })
      .withFeatureGroup(profiles)
      .toSQL({ dialect: 'spark' });
    expect(fromGroup).toContain('FROM `clicks`)');
    const cases: Array<[() => Promise<string>, RegExp]> = [
      [() => builder().withFeatureGroup(profiles).toSQL({ dialect: 'trino' }), /^baseRelation: a trino statement reads its base from a table on the cluster/],
      [() => builder().withFeatureGroup(profiles).toSQL({ dialect: 'oracle' as SqlDialect }), /^dialect: /],
      [() => builder().withFeatureGroup(profiles).toSQL({ dialect: 'spark', tables: { profiles: ' ' } }), /^tables\.profiles: must be a table name/],
    ];
    for (const [run, message] of cases) {
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
