import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDuckDB, installClusterFunctions } from './dialect-emulation.suite.js';
import { isoInstant } from './duckdb-compiler.js';
import { DuckDBDatasetSource } from './duckdb-dataset-source.js';
import { featureGroup, openFixtures, writeOfflineRows, writeParquet, writeTime, type Fixtures } from './fixtures.suite.js';
import { DatasetBuilder } from './plan.js';

/**
 * The compiled query against a brute-force reference written from plan.ts's rules, on random
 * histories (duplicates, delete markers, ISO times in several zones and epoch seconds) of two
 * groups and random option combinations. The Trino and Spark statements for the same plan run
 * too, on DuckDB through dialect-emulation.suite.ts, and must give the same rows.
 */
const HOUR_US = 3_600_000_000;
const T0_US = Date.parse('2025-01-01T00:00:00Z') * 1000;

const iso = (micros: number, offsetHours: number) => {
  if (offsetHours === 0) return new Date(micros / 1000).toISOString().replace('.000Z', 'Z');
  const local = new Date(micros / 1000 + offsetHours * 3_600_000).toISOString().slice(0, 19);
  return `${local}${offsetHours > 0 ? '+' : '-'}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
};

interface Rec {
  id: string;
  /** Event time, epoch microseconds. */
  et: number;
  offset: number;
  value: number;
  deleted: boolean;
  /** Write order: write_time is writeTime(written); unique, so every record's key is. */
  written: number;
}

interface GroupOptions {
  maxAgeHours: number | undefined;
  joinType: 'left' | 'inner';
}

interface Options {
  pit: boolean;
  includeDeleted: boolean;
  includeDuplicates: boolean;
  recent: number | undefined;
  asOf: number | undefined;
  range: [number, number] | undefined;
  groups: [GroupOptions, GroupOptions];
}

const newestFirst = (a: Rec, b: Rec) => b.et - a.et || b.written - a.written;

/** What joins one base row, by the rules in plan.ts, written the slow and obvious way. */
function reference(records: Rec[], row: { id: string; t: number }, o: Options, g: GroupOptions): Rec[] {
  let candidates = records.filter(
    (r) =>
      r.id === row.id &&
      (!o.pit || r.et <= row.t) &&
      (o.asOf === undefined || r.written <= o.asOf) &&
      (o.range === undefined || (r.et >= o.range[0] && r.et <= o.range[1])) &&
      !(o.includeDeleted && r.deleted),
  );
  if (!o.includeDuplicates) {
    const last = new Map<number, Rec>();
    for (const r of candidates) if ((last.get(r.et)?.written ?? -1) < r.written) last.set(r.et, r);
    candidates = [...last.values()];
  }
  candidates.sort(newestFirst);
  const marker = candidates.find((r) => r.deleted);
  const live = candidates.filter(
    (r) => !r.deleted && (marker === undefined || newestFirst(r, marker) < 0) && (g.maxAgeHours === undefined || r.et >= row.t - g.maxAgeHours * HOUR_US),
  );
  if (o.recent !== undefined) return live.slice(0, o.recent);
  if (o.includeDuplicates) return live.filter((r) => r.et === live[0]!.et);
  return live.slice(0, 1);
}

describe('datasets match a brute-force reference', () => {
  let f: Fixtures;
  beforeAll(async () => {
    f = await openFixtures();
    await installClusterFunctions(f.connection, isoInstant);
  });
  afterAll(() => f.close());

  it('for random histories of two groups and random options', async () => {
    const a = featureGroup('a', { user_id: 'String', ts: 'String', va: 'Integral' });
    const b = featureGroup('b', { user_id: 'String', ts: 'Fractional', vb: 'Integral' });
    const id = fc.constantFrom('u1', 'u2', 'u3');
    const record = fc.record({
      id,
      et: fc.integer({ min: 0, max: 12 }).map((halfHours) => T0_US + (halfHours * HOUR_US) / 2),
      offset: fc.integer({ min: -5, max: 9 }),
      value: fc.integer({ min: 1, max: 1000 }),
      deleted: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    });
    const history = fc.array(record, { maxLength: 12 }).map((rs) => rs.map((r, i): Rec => ({ ...r, written: i + 1 })));
    const base = fc.array(fc.record({ id: fc.constantFrom('u1', 'u2', 'u3', 'u4'), hours: fc.integer({ min: -1, max: 7 }), offset: fc.integer({ min: -8, max: 12 }) }), {
      minLength: 1,
      maxLength: 6,
    });
    const groupOptions = fc.record({ maxAgeHours: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), joinType: fc.constantFrom<'left' | 'inner'>('left', 'left', 'inner') });
    const options = fc.record({
      pit: fc.boolean(),
      includeDeleted: fc.boolean(),
      includeDuplicates: fc.boolean(),
      recent: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      asOf: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
      range: fc.option(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), { nil: undefined }).map((r) =>
        r === undefined ? undefined : ([T0_US + Math.min(...r) * HOUR_US, T0_US + Math.max(...r) * HOUR_US] as [number, number]),
      ),
      groups: fc.tuple(groupOptions, groupOptions),
    });

    await fc.assert(
      fc.asyncProperty(history, history, base, options, async (historyA, historyB, baseRows, o) => {
        const tables = {
            a: await writeOfflineRows(
              f,
              a,
              historyA.map((r) => ({ values: { user_id: r.id, ts: iso(r.et, r.offset), va: r.deleted ? null : r.value }, written: r.written, deleted: r.deleted })),
            ),
            b: await writeOfflineRows(
              f,
              b,
              historyB.map((r) => ({ values: { user_id: r.id, ts: r.et / 1e6, vb: r.deleted ? null : r.value }, written: r.written, deleted: r.deleted })),
            ),
        };
        const source = new DuckDBDatasetSource(f.connection, { groups: tables });
        const rows = baseRows.map((r, i) => ({ user_id: r.id, ts: iso(T0_US + r.hours * HOUR_US, r.offset), row: i }));
        const baseRelation = await writeParquet(f, `base-${Math.random().toString(36).slice(2)}.parquet`, [['user_id', 'VARCHAR'], ['ts', 'VARCHAR'], ['row', 'BIGINT']], rows.map((r) => [r.user_id, r.ts, r.row]));
        let builder = new DatasetBuilder(source, { base: rows, recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' });
        for (const [group, g] of [
          [a, o.groups[0]],
          [b, o.groups[1]],
        ] as const) {
          builder = builder.withFeatureGroup(group, { joinType: g.joinType, ...(g.maxAgeHours === undefined ? {} : { maxAge: `${g.maxAgeHours}h` }) });
        }
        if (o.pit) builder = builder.pointInTimeAccurateJoin();
        if (o.includeDeleted) builder = builder.includeDeletedRecords();
        if (o.includeDuplicates) builder = builder.includeDuplicatedRecords();
        if (o.recent !== undefined) builder = builder.withNumberOfRecentRecordsByRecordIdentifier(o.recent);
        if (o.asOf !== undefined) builder = builder.asOf(writeTime(o.asOf));
        if (o.range !== undefined) builder = builder.withEventTimeRange(new Date(o.range[0] / 1000), new Date(o.range[1] / 1000));

        const expected: unknown[][] = [];
        baseRows.forEach((r, i) => {
          const row = { id: r.id, t: T0_US + r.hours * HOUR_US };
          const [fromA, fromB] = [reference(historyA, row, o, o.groups[0]), reference(historyB, row, o, o.groups[1])];
          if ((fromA.length === 0 && o.groups[0].joinType === 'inner') || (fromB.length === 0 && o.groups[1].joinType === 'inner')) return;
          for (const x of fromA.length ? fromA : [undefined]) for (const y of fromB.length ? fromB : [undefined]) expected.push([i, x?.value ?? null, y?.value ?? null]);
        });
        const actual = (await builder.toRows()).map((r) => [r.row, r.va, r.vb]);
        expect(actual).toEqual(expected);
        const value = (v: unknown) => (v === null ? null : Number(v));
        for (const dialect of ['trino', 'spark'] as const) {
          const sql = await builder.toSQL({ dialect, baseRelation, tables });
          const result = (await f.connection.runAndReadAll(asDuckDB(sql, dialect))).getRowObjectsJS();
          expect(result.map((r) => [value(r.row), value(r.va), value(r.vb)]), dialect).toEqual(expected);
        }
      }),
      { numRuns: 100 },
    );
    // 100 cases, each run in three dialects: more than the default per-test limit on a busy machine.
  }, 180_000);
});
