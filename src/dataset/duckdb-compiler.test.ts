import { describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/index.js';
import { compileToDuckDB, type DuckDBRelations } from './duckdb-compiler.js';
import { featureGroup } from './fixtures.suite.js';
import { DatasetBuilder, type DatasetPlan, type DatasetSource } from './plan.js';

const users = featureGroup('users', { user_id: 'String', ts: 'String', age: 'Integral' });
const spend = featureGroup('spend', { user_id: 'String', ts: 'Fractional', total: 'Fractional' });

/** A source that only resolves names: these tests look at plans and SQL, not results. */
const planOnly: DatasetSource = {
  featureGroup: async (name) => [users, spend].find((g) => g.featureGroupName === name)!,
  sql: () => Promise.reject(new Error('not run')),
  rows: () => Promise.reject(new Error('not run')),
  arrow: () => Promise.reject(new Error('not run')),
  toFile: () => Promise.reject(new Error('not run')),
};

const relations: DuckDBRelations = {
  base: { from: 'entity_rows', columns: [{ name: 'user_id', type: 'VARCHAR' }, { name: 'ts', type: 'VARCHAR' }, { name: 'label', type: 'INTEGER' }] },
  groups: { users: `read_parquet(['users/a.parquet', 'users/b.parquet'])`, spend: '"spend_view"' },
};

const builder = () => new DatasetBuilder(planOnly, { base: { relation: 'entity_rows' }, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' });
const compile = async (b: DatasetBuilder) => compileToDuckDB(await b.plan(), relations);

describe('compileToDuckDB', () => {
  it('compiles a point-in-time join to one ASOF LEFT JOIN per group over the given relations, ordered by base row', async () => {
    const sql = await compile(builder().withFeatureGroup(users).withFeatureGroup(spend).pointInTimeAccurateJoin());
    expect(sql.match(/ASOF LEFT JOIN/g)).toHaveLength(2);
    expect(sql).toContain(`FROM read_parquet(['users/a.parquet', 'users/b.parquet'])`);
    expect(sql).toContain('FROM "spend_view"');
    expect(sql).toContain('FROM entity_rows');
    expect(sql).toMatch(/ASOF LEFT JOIN __floe_g0 g0 ON b\."user_id" = g0\.__floe_j AND CASE WHEN b\.__floe_t IS NULL THEN NULL ELSE struct_pack\(t := b\.__floe_t, /);
    // ISO text through TIMESTAMPTZ, epoch seconds through microseconds.
    expect(sql).toContain('TRY_CAST("ts" AS TIMESTAMPTZ)');
    expect(sql).toContain('make_timestamptz(CAST(round(CAST("ts" AS DOUBLE) * 1000000) AS BIGINT))');
    // No window function on the one-record path: ASOF orders duplicates itself.
    expect(sql).not.toMatch(/OVER \(PARTITION BY/);
    expect(sql).toMatch(/ORDER BY __floe_row$/);
    // The final SELECT names the dataset's columns: the base's, then the features.
    expect(sql).toMatch(/^SELECT "user_id", "ts", "label", "age", "total" FROM \($/m);
  });

  it('puts asOf, the event-time range and delete handling in the candidates, maxAge in the projection', async () => {
    const sql = await compile(
      builder()
        .withFeatureGroup(users, { maxAge: '2h' })
        .pointInTimeAccurateJoin()
        .asOf('2025-01-01T00:00:00Z')
        .withEventTimeRange(0, '2025-01-01T00:00:00Z')
        .includeDeletedRecords()
        .withNumberOfRecordsFromQueryResults(5),
    );
    expect(sql).toContain('__floe_wt <= make_timestamptz(1735689600000000)');
    expect(sql).toContain('__floe_et BETWEEN make_timestamptz(0) AND make_timestamptz(1735689600000000)');
    expect(sql).toContain('AND NOT __floe_deleted');
    expect(sql).toContain('g0.__floe_et >= b.__floe_t - to_microseconds(7200000000)');
    expect(sql).toMatch(/LIMIT 5$/);
  });

  it('takes the newest record per identifier by aggregation without the point-in-time flag', async () => {
    const sql = await compile(builder().withFeatureGroup(users));
    expect(sql).not.toContain('ASOF');
    expect(sql).toContain('arg_max_null(__floe_f0, __floe_k) AS __floe_f0');
    expect(sql).toMatch(/GROUP BY __floe_id/);
  });

  it('ranks with window functions for N recent records, duplicates, comparators and right, full or cross joins', async () => {
    for (const b of [
      builder().withFeatureGroup(users).pointInTimeAccurateJoin().withNumberOfRecentRecordsByRecordIdentifier(3),
      builder().withFeatureGroup(users).pointInTimeAccurateJoin().includeDuplicatedRecords(),
      builder().withFeatureGroup(users, { joinComparator: '<>' }).pointInTimeAccurateJoin(),
      builder().withFeatureGroup(users, { joinType: 'full' }).pointInTimeAccurateJoin(),
    ]) {
      const sql = await compile(b);
      expect(sql).not.toContain('ASOF');
      // Delete markers counted newest first per row and identifier.
      expect(sql).toContain(
        'count(CASE WHEN __floe_deleted THEN 1 END) OVER (PARTITION BY __floe_r, __floe_id ORDER BY __floe_et DESC, __floe_wt DESC, __floe_at DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
      );
      expect(sql).toMatch(/ORDER BY __floe_row( NULLS LAST, __floe_extra NULLS FIRST, __floe_xid)?, __floe_k0_0 DESC, __floe_k0_1 DESC, __floe_k0_2 DESC/);
    }
    const recent = await compile(builder().withFeatureGroup(users).pointInTimeAccurateJoin().withNumberOfRecentRecordsByRecordIdentifier(3));
    expect(recent).toContain('row_number() OVER (PARTITION BY __floe_r ORDER BY __floe_et DESC, __floe_wt DESC, __floe_at DESC) AS __floe_n');
    expect(recent).toContain('WHERE __floe_n <= 3');
    expect(recent).toContain('row_number() OVER (PARTITION BY __floe_id, __floe_et ORDER BY __floe_wt DESC, __floe_at DESC) AS __floe_dup');
    const duplicates = await compile(builder().withFeatureGroup(users).pointInTimeAccurateJoin().includeDuplicatedRecords());
    expect(duplicates).not.toContain('PARTITION BY __floe_id, __floe_et');
    const right = await compile(builder().withFeatureGroup(users, { joinType: 'right' }).pointInTimeAccurateJoin());
    expect(right).toContain('\nUNION ALL\nSELECT NULL AS "user_id", NULL AS "ts", NULL AS "label", u.__floe_f0 AS "age"');
  });

  it('refuses plans whose base or relations do not fit, naming the field', async () => {
    const plan = await builder().withFeatureGroup(users).plan();
    const cases: Array<[DatasetPlan, DuckDBRelations, RegExp]> = [
      [plan, { ...relations, groups: {} }, /featureGroups\[0\]: no relation given for feature group 'users'/],
      [plan, { ...relations, base: { from: 'x', columns: [{ name: 'ts', type: 'VARCHAR' }] } }, /recordIdentifierFeatureName: the base has no column 'user_id'/],
      [plan, { ...relations, base: { from: 'x', columns: [{ name: 'user_id', type: 'VARCHAR' }, { name: 'ts', type: 'BOOLEAN' }] } }, /eventTimeFeatureName: .* BOOLEAN is not an event time/],
    ];
    for (const [p, r, message] of cases) {
      expect(() => compileToDuckDB(p, r)).toThrow(ValidationError);
      expect(() => compileToDuckDB(p, r)).toThrow(message);
    }
  });
});

describe('DatasetBuilder', () => {
  it('is immutable: each method returns a new builder and leaves the old one as it was', async () => {
    const a = builder().withFeatureGroup(users);
    const b = a.pointInTimeAccurateJoin().withFeatureGroup('spend', { prefix: 's_' }).includeDeletedRecords().asOf(0);
    const planA = await a.plan();
    expect(planA.pointInTime).toBe(false);
    expect(planA.includeDeletedRecords).toBe(false);
    expect(planA.asOfMicros).toBeUndefined();
    expect(planA.groups.map((g) => g.featureGroupName)).toEqual(['users']);
    const planB = await b.plan();
    expect(planB).toMatchObject({ pointInTime: true, includeDeletedRecords: true, asOfMicros: 0 });
    expect(planB.groups.map((g) => [g.featureGroupName, g.prefix, g.eventTimeType])).toEqual([
      ['users', undefined, 'String'],
      ['spend', 's_', 'Fractional'],
    ]);
  });

  it('makes a plain-data plan with the defaults of SageMaker: left join on the identifier, all features but the keys', async () => {
    const plan = await builder().withFeatureGroup(users, { maxAge: '7d' }).plan();
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(plan.groups[0]).toEqual({
      featureGroupName: 'users',
      recordIdentifierFeatureName: 'user_id',
      eventTimeFeatureName: 'ts',
      eventTimeType: 'String',
      targetFeatureNameInBase: 'user_id',
      featureNameInTarget: 'user_id',
      joinComparator: '=',
      joinType: 'left',
      includedFeatureNames: ['age'],
      maxAgeSeconds: 604_800,
    });
  });

  it('reads durations in seconds, minutes, hours, days and weeks', async () => {
    const ages = await Promise.all(['45s', '30m', '12h', '1.5d', '2w', 0].map(async (maxAge) => (await builder().withFeatureGroup(users, { maxAge }).plan()).groups[0]!.maxAgeSeconds));
    expect(ages).toEqual([45, 1800, 43_200, 129_600, 1_209_600, 0]);
  });
});
