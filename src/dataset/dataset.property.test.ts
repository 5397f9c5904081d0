import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../sdk/feature-store.js';

/**
 * The dataset builder against a brute-force reference, on random histories with duplicates,
 * deletes and mixed time zones, and random options.
 */
const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const iso = (ms: number, offsetHours: number) => {
  const shifted = new Date(ms + offsetHours * HOUR).toISOString().slice(0, 19);
  const sign = offsetHours >= 0 ? '+' : '-';
  return `${shifted}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
};

type Write = { id: string; hour: number; offset: number; value: number; deleted: boolean };

function reference(writes: Write[], base: Array<{ id: string; hour: number }>, opts: { pit: boolean; includeDeleted: boolean; maxAgeHours?: number }) {
  return base.map((row) => {
    const t = T0 + row.hour * HOUR;
    // Last written per (id, instant); later writes win.
    const latest = new Map<number, Write>();
    for (const w of writes) if (w.id === row.id && !(opts.includeDeleted && w.deleted)) latest.set(w.hour, w);
    const candidates = [...latest.values()].filter((w) => !opts.pit || T0 + w.hour * HOUR <= t);
    if (candidates.length === 0) return null;
    const newest = candidates.reduce((a, b) => (b.hour > a.hour ? b : a));
    if (newest.deleted) return null;
    if (opts.maxAgeHours !== undefined && T0 + newest.hour * HOUR < t - opts.maxAgeHours * HOUR) return null;
    return newest.value;
  });
}

describe('datasets match a brute-force reference', () => {
  let dir: string;
  let store: FeatureStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-dataset-prop-'));
    store = await FeatureStore.open({ dataDir: dir, offlineCommit: { maxDelayMs: 5 } });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('for random histories and options', async () => {
    let n = 0;
    const write = fc.record({
      id: fc.constantFrom('a', 'b', 'c'),
      hour: fc.integer({ min: 0, max: 6 }),
      offset: fc.integer({ min: -5, max: 9 }),
      value: fc.integer({ min: 1, max: 1000 }),
      deleted: fc.boolean(),
    });
    const baseRow = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), hour: fc.integer({ min: 0, max: 8 }) });
    const options = fc.record({ pit: fc.boolean(), includeDeleted: fc.boolean(), maxAgeHours: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 10 }), fc.array(baseRow, { minLength: 1, maxLength: 6 }), options, async (writes, base, opts) => {
        const name = `prop-${n++}`;
        await store.createFeatureGroup({
          featureGroupName: name,
          recordIdentifierFeatureName: 'id',
          eventTimeFeatureName: 'ts',
          featureDefinitions: [
            { featureName: 'id', featureType: 'String' },
            { featureName: 'ts', featureType: 'String' },
            { featureName: 'value', featureType: 'Integral' },
          ],
        });
        const fg = store.featureGroup(name);
        for (const w of writes) {
          const ts = iso(T0 + w.hour * HOUR, w.offset);
          if (w.deleted) await fg.deleteRecord(w.id, ts, { targetStores: ['OfflineStore'] });
          else await fg.putRecord({ id: w.id, ts, value: w.value }, { targetStores: ['OfflineStore'] });
        }
        await fg.flush();
        let builder = store
          .createDataset(
            base.map((b, i) => ({ id: b.id, ts: iso(T0 + b.hour * HOUR, (i % 3) - 1), row: i })),
            { recordIdentifierFeatureName: 'id', eventTimeFeatureName: 'ts' },
          )
          .withFeatureGroup(name, opts.maxAgeHours === undefined ? {} : { maxAge: opts.maxAgeHours * 3600 });
        if (opts.pit) builder = builder.pointInTimeAccurateJoin();
        if (opts.includeDeleted) builder = builder.includeDeletedRecords();
        const rows = await builder.toRows();
        expect(rows.map((r) => r.row)).toEqual(base.map((_, i) => i));
        const expected = reference(writes, base, opts);
        expect(rows.map((r) => r.value)).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });
});
