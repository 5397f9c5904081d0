import { describe, expect, it } from 'vitest';
import { thinnedSnapshotIds } from './snapshot-thinning.js';

const NOW = Date.UTC(2030, 5, 10, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const snapshotsAt = (agesMs: number[]) => agesMs.map((age, i) => ({ 'snapshot-id': BigInt(i + 1), 'timestamp-ms': NOW - age }));
const thinned = (...agesMs: number[]) => [...thinnedSnapshotIds(snapshotsAt(agesMs), NOW)].sort((a, b) => Number(a - b));

describe('snapshot thinning', () => {
  it('keeps every snapshot of the last 10 minutes', () => {
    expect(thinned(10 * MIN, 9 * MIN, 5000, 200, 0)).toEqual([]);
  });

  it('keeps the newest snapshot of each minute once they are older than 10 minutes', () => {
    // NOW is on a minute boundary: ages 11m30s..11m00s are minute -12, 12m10s is minute -13.
    expect(thinned(12 * MIN + 10_000, 11 * MIN + 30_000, 11 * MIN + 20_000, 11 * MIN + 1000, 30_000)).toEqual([2n, 3n]);
  });

  it('keeps the newest snapshot of each hour once they are older than a day', () => {
    const day = 24 * HOUR;
    // Snapshots in three hours past a day old, a pair in one minute three hours ago, and a recent one.
    const ages = [26 * HOUR + 1000, 25 * HOUR + 40 * MIN, 25 * HOUR + 10 * MIN, 25 * HOUR + 9 * MIN, day + 20 * MIN, 3 * HOUR + 30_000, 3 * HOUR + 10_000, MIN];
    // Ages 25h..26h are one hour: ids 2, 3, 4 (4 the newest); id 1 and id 5 are alone in theirs; 7 is newer than 6.
    expect(thinned(...ages)).toEqual([2n, 3n, 6n]);
  });

  it('bounds what a day of commits every 200 ms leaves', () => {
    const ages = Array.from({ length: 2 * 24 * 3600 * 5 }, (_, i) => i * 200);
    const kept = ages.length - thinnedSnapshotIds(snapshotsAt(ages), NOW).size;
    // 10 minutes of commits (3,000), a minute each to a day (1,430), an hour each for the second day (24).
    expect(kept).toBeGreaterThan(4400);
    expect(kept).toBeLessThan(4500);
  });
});
