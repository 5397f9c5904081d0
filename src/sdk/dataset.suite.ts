import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../domain/index.js';
import type { FeatureStoreApi } from './feature-store-api.js';

/** Datasets through the SDK surface (every builder option, base and output), run in-process and remote alike. */
export function datasetBehaviour(label: string, open: () => Promise<{ store: FeatureStoreApi; cleanup: () => Promise<void> }>): void {
  describe(`FeatureStore datasets: ${label}`, () => {
    let store: FeatureStoreApi;
    let cleanup: () => Promise<void>;
    let dir: string;
    const suffix = randomUUID().slice(0, 8);
    const profiles = `profiles-${suffix}`;
    const spend = `spend-${suffix}`;

    beforeAll(async () => {
      ({ store, cleanup } = await open());
      dir = await mkdtemp(join(tmpdir(), 'floe-dataset-suite-'));
      const group = (featureGroupName: string, ts: 'String' | 'Fractional', level: 'Integral' | 'Fractional') =>
        store.createFeatureGroup({
          featureGroupName,
          recordIdentifierFeatureName: 'user_id',
          eventTimeFeatureName: 'ts',
          featureDefinitions: [
            { featureName: 'user_id', featureType: 'String' },
            { featureName: 'ts', featureType: ts },
            { featureName: 'level', featureType: level },
          ],
        });
      await group(profiles, 'String', 'Integral');
      await group(spend, 'Fractional', 'Fractional');
      const p = store.featureGroup(profiles);
      await p.putRecord({ user_id: 'a', ts: '2025-01-01T00:00:00Z', level: 1 });
      await p.putRecord({ user_id: 'a', ts: '2025-01-03T00:00:00Z', level: 9007199254740993n });
      await p.putRecord({ user_id: 'b', ts: '2025-01-01T00:00:00Z', level: 7 });
      await p.deleteRecord('b', '2025-01-02T00:00:00Z');
      await store.featureGroup(spend).putRecord({ user_id: 'a', ts: Date.parse('2025-01-02T00:00:00Z') / 1000, level: 0.5 }, { wait: 'offline' });
      await p.flush();
    });
    afterAll(async () => {
      await cleanup?.();
      await rm(dir, { recursive: true, force: true });
    });

    const base = [
      { user_id: 'a', ts: '2024-12-31T00:00:00Z', label: 0 },
      { user_id: 'a', ts: '2025-01-02T12:00:00+12:00', label: 1 },
      { user_id: 'a', ts: '2025-01-05T00:00:00Z', label: 2 },
      { user_id: 'b', ts: '2025-01-04T00:00:00Z', label: 3 },
    ];
    const dataset = (b: Parameters<FeatureStoreApi['createDataset']>[0] = base) => store.createDataset(b, { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'ts' });

    it('joins point in time, int64 exact, across groups with colliding names', async () => {
      const rows = await dataset().withFeatureGroup(profiles).withFeatureGroup(spend).pointInTimeAccurateJoin().toRows();
      expect(rows.map((r) => [r.label, r.level, r[`${spend}__level`]])).toEqual([
        [0, null, null],
        [1, 1, 0.5],
        [2, 9007199254740993n, 0.5],
        [3, null, null],
      ]);
    });

    it('carries every option: maxAge, prefix, deleted records, asOf, event-time range, recent records, limit, join type', async () => {
      expect((await dataset().withFeatureGroup(profiles, { maxAge: '1d' }).pointInTimeAccurateJoin().toRows()).map((r) => r.level)).toEqual([null, 1, null, null]);
      expect((await dataset().withFeatureGroup(profiles, { prefix: 'p_' }).includeDeletedRecords().pointInTimeAccurateJoin().toRows()).map((r) => r.p_level)).toEqual([
        null,
        1,
        9007199254740993n,
        7,
      ]);
      expect((await dataset().withFeatureGroup(profiles).asOf(new Date('2000-01-01')).pointInTimeAccurateJoin().toRows()).map((r) => r.level)).toEqual([null, null, null, null]);
      const ranged = await dataset().withFeatureGroup(profiles).withEventTimeRange('2025-01-02T00:00:00Z', '2025-01-10T00:00:00.000001Z').pointInTimeAccurateJoin().toRows();
      expect(ranged.map((r) => r.level)).toEqual([null, null, 9007199254740993n, null]);
      const recent = await dataset().withFeatureGroup(profiles).pointInTimeAccurateJoin().withNumberOfRecentRecordsByRecordIdentifier(2).toRows();
      expect(recent.map((r) => [r.label, r.level])).toEqual([
        [0, null],
        [1, 1],
        [2, 9007199254740993n],
        [2, 1],
        [3, null],
      ]);
      expect((await dataset().withFeatureGroup(profiles).pointInTimeAccurateJoin().withNumberOfRecordsFromQueryResults(2).toRows()).map((r) => r.label)).toEqual([0, 1]);
      expect((await dataset().withFeatureGroup(profiles, { joinType: 'inner' }).pointInTimeAccurateJoin().toRows()).map((r) => r.label)).toEqual([1, 2]);
    });

    it('returns Arrow, SQL and Parquet / CSV files', async () => {
      const builder = dataset().withFeatureGroup(profiles).pointInTimeAccurateJoin();
      const arrow = await builder.toArrow();
      expect(arrow.numRows).toBe(4);
      expect(arrow.getChild('level')!.get(2)).toBe(9007199254740993n);
      expect(await builder.toSQL()).toMatch(/ASOF LEFT JOIN/);
      expect(await builder.toFile(join(dir, 'out.parquet'))).toBe(4);
      expect(await builder.toFile(join(dir, 'out.csv'))).toBe(4);
      expect((await readFile(join(dir, 'out.csv'), 'utf8')).split('\n')[0]).toBe('user_id,ts,label,level');
      await expect(builder.toFile(join(dir, 'out.txt'))).rejects.toBeInstanceOf(ValidationError);
      const back = await dataset({ path: join(dir, 'out.parquet') }).withFeatureGroup(spend, { prefix: 's_' }).pointInTimeAccurateJoin().toRows();
      expect(back.map((r) => [r.label, r.s_level])).toEqual([
        [0, null],
        [1, 0.5],
        [2, 0.5],
        [3, null],
      ]);
    });

    it('takes bases from Arrow, SQL and a feature group', async () => {
      const arrowBase = tableFromArrays({ user_id: ['a'], ts: ['2025-01-04T00:00:00Z'] });
      expect((await dataset(arrowBase).withFeatureGroup(spend).pointInTimeAccurateJoin().toRows()).map((r) => r.level)).toEqual([0.5]);
      const sqlBase = { sql: "SELECT 'a' AS user_id, '2025-01-02T00:00:00Z' AS ts" };
      expect(await dataset(sqlBase).withFeatureGroup(spend).pointInTimeAccurateJoin().toRows()).toEqual([{ user_id: 'a', ts: '2025-01-02T00:00:00Z', level: 0.5 }]);
      const fromGroup = await dataset({ featureGroupName: spend }).withFeatureGroup(profiles, { prefix: 'p_' }).pointInTimeAccurateJoin().toRows();
      expect(fromGroup.map((r) => r.p_level)).toEqual([1]);
    });

    it('refuses bad plans naming the option, with the same typed errors', async () => {
      expect(() => dataset().withFeatureGroup(profiles, { maxAge: 'soon' })).toThrow(/featureGroups\[0\]\.maxAge/);
      await expect(dataset().withFeatureGroup(profiles, { includedFeatureNames: ['nope'] }).toRows()).rejects.toThrow(/featureGroups\[0\]\.includedFeatureNames: 'nope'/);
      await expect(dataset().toRows()).rejects.toThrow(/at least one feature group/);
      await expect(dataset().withFeatureGroup(`missing-${suffix}`).toRows()).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        store.createDataset(base, { recordIdentifierFeatureName: 'missing', eventTimeFeatureName: 'ts' }).withFeatureGroup(profiles).toRows(),
      ).rejects.toThrow(/base has no column 'missing'/);
    });
  });
}
