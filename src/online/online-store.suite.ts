import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnlineRecord, OnlineStore } from './online-store.js';

const rec = (t: number, values: OnlineRecord['values'] = {}, expiresAtMicros?: number): OnlineRecord => ({
  values: { id: 'x', ...values },
  eventTimeMicros: t,
  ...(expiresAtMicros === undefined ? {} : { expiresAtMicros }),
});

/** The online store's behaviour, run against every implementation. */
export function onlineStoreBehaviour(label: string, open: () => Promise<OnlineStore>, cleanup: () => Promise<void> = async () => {}): void {
  describe(`OnlineStore behaviour: ${label}`, () => {
    let store: OnlineStore;
    const g = `g-${randomUUID().slice(0, 8)}`;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.dropGroup(g);
      await store.close();
      await cleanup();
    });

    it('keeps the newest by event time; equal event time: the later write wins', async () => {
      expect(await store.put(g, 'a', rec(200, { v: 2 }))).toBe('written');
      expect(await store.put(g, 'a', rec(100, { v: 1 }))).toBe('stale');
      expect((await store.get(g, 'a'))?.values.v).toBe(2);
      expect(await store.put(g, 'a', rec(200, { v: 3 }))).toBe('written');
      expect(await store.get(g, 'a')).toEqual(rec(200, { v: 3 }));
      expect(await store.get(g, 'nobody')).toBeUndefined();
    });

    it('a put replaces the whole record', async () => {
      await store.put(g, 'whole', rec(1, { a: 1, b: 2 }));
      await store.put(g, 'whole', rec(2, { a: 5 }));
      expect((await store.get(g, 'whole'))?.values).toEqual({ id: 'x', a: 5 });
    });

    it('round-trips int64 beyond 2^53, doubles, strings and collections exactly', async () => {
      const values = { big: 9007199254740993n, min: -9223372036854775808n, d: 0.1 + 0.2, s: 'ünï"cødé', l: ['a', 'b'], n: [1, 2n ** 62n, -3], v: [0.5, 1e-300] };
      await store.put(g, 'types', rec(1, values));
      expect((await store.get(g, 'types'))?.values).toEqual({ id: 'x', ...values });
    });

    it('returns only the asked-for features', async () => {
      await store.put(g, 'sub', rec(1, { a: 1, b: 2, c: 3 }));
      expect((await store.get(g, 'sub', { featureNames: ['a', 'c'] }))?.values).toEqual({ a: 1, c: 3 });
    });

    it('soft delete hides the record behind a marker; only newer puts revive it', async () => {
      await store.put(g, 'soft', rec(100, { v: 1 }));
      expect(await store.delete(g, 'soft', 100, 'SoftDelete')).toBe('stale');
      expect(await store.delete(g, 'soft', 50, 'SoftDelete')).toBe('stale');
      expect(await store.get(g, 'soft')).toBeDefined();
      expect(await store.delete(g, 'soft', 150, 'SoftDelete')).toBe('deleted');
      expect(await store.get(g, 'soft')).toBeUndefined();
      expect(await store.put(g, 'soft', rec(120, { v: 2 }))).toBe('stale');
      expect(await store.get(g, 'soft')).toBeUndefined();
      expect(await store.put(g, 'soft', rec(160, { v: 3 }))).toBe('written');
      expect((await store.get(g, 'soft'))?.values.v).toBe(3);
      expect(await store.delete(g, 'never', 1, 'SoftDelete')).toBe('absent');
    });

    it('hard delete removes the key entirely', async () => {
      await store.put(g, 'hard', rec(100));
      expect(await store.delete(g, 'hard', 90, 'HardDelete')).toBe('stale');
      expect(await store.delete(g, 'hard', 110, 'HardDelete')).toBe('deleted');
      expect(await store.put(g, 'hard', rec(50))).toBe('written');
      expect(await store.delete(g, 'hard', 60, 'HardDelete')).toBe('deleted');
      const all = await store.listIds(g, { includeSoftDeleted: true, limit: 1000 });
      expect(all.recordIds).not.toContain('hard');
    });

    it('never returns or lists expired records', async () => {
      const now = Date.now() * 1000;
      await store.put(g, 'expired', rec(now - 10_000_000, {}, now - 1_000_000));
      await store.put(g, 'fresh', rec(now, {}, now + 3_600_000_000));
      expect(await store.get(g, 'expired', { nowMicros: now })).toBeUndefined();
      expect((await store.get(g, 'fresh', { nowMicros: now }))?.expiresAtMicros).toBe(now + 3_600_000_000);
      expect(await store.get(g, 'fresh', { nowMicros: now + 3_600_000_001 })).toBeUndefined();
      const ids = await store.listIds(g, { limit: 1000, nowMicros: now });
      expect(ids.recordIds).toContain('fresh');
      expect(ids.recordIds).not.toContain('expired');
    });

    it('updates live records only, merging values', async () => {
      await store.put(g, 'upd', rec(100, { a: 1, b: 2 }));
      expect(await store.update(g, 'upd', { values: { b: 3 } })).toBe('updated');
      expect(await store.get(g, 'upd')).toEqual(rec(100, { a: 1, b: 3 }));
      expect(await store.update(g, 'upd', { values: { a: 9 }, eventTimeMicros: 90 })).toBe('stale');
      expect(await store.update(g, 'upd', { values: { a: 7 }, eventTimeMicros: 110 })).toBe('updated');
      expect(await store.get(g, 'upd')).toEqual(rec(110, { a: 7, b: 3 }));
      expect(await store.update(g, 'missing', { values: { a: 1 } })).toBe('absent');
      await store.delete(g, 'upd', 120, 'SoftDelete');
      expect(await store.update(g, 'upd', { values: { a: 1 } })).toBe('absent');
    });

    it('pages through ids without duplicates or omissions, with and without soft-deleted', async () => {
      const pg = `${g}-paging`;
      const ids = Array.from({ length: 250 }, (_, i) => `id-${String(i).padStart(3, '0')}`);
      await store.putMany(pg, ids.map((recordId) => ({ recordId, record: rec(1) })));
      for (const id of ids.slice(0, 10)) await store.delete(pg, id, 2, 'SoftDelete');
      const collect = async (includeSoftDeleted: boolean) => {
        const out: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listIds(pg, { limit: 100, includeSoftDeleted, ...(cursor ? { cursor } : {}) });
          expect(page.recordIds.length).toBeLessThanOrEqual(100);
          out.push(...page.recordIds);
          cursor = page.nextCursor;
        } while (cursor);
        return out;
      };
      expect((await collect(true)).sort()).toEqual(ids);
      expect((await collect(false)).sort()).toEqual(ids.slice(10));
      await store.dropGroup(pg);
      expect((await store.listIds(pg, { includeSoftDeleted: true })).recordIds).toEqual([]);
      expect(await store.get(g, 'a')).toBeDefined(); // other groups untouched
    });

    it('batch-gets across groups in order', async () => {
      const other = `${g}-other`;
      await store.put(other, 'o', rec(1, { w: 1 }));
      const got = await store.getMany([
        { group: g, recordId: 'a' },
        { group: other, recordId: 'o', featureNames: ['w'] },
        { group: g, recordId: 'nobody' },
      ]);
      expect(got.map((r) => r?.values)).toEqual([{ id: 'x', v: 3 }, { w: 1 }, undefined]);
      await store.dropGroup(other);
    });

    it('ends concurrent puts to one key with the newest', async () => {
      const times = Array.from({ length: 50 }, (_, i) => (i * 7919) % 50);
      await Promise.all(times.map((t) => store.put(g, 'race', rec(t, { t }))));
      expect((await store.get(g, 'race'))?.values.t).toBe(49);
    });
  });
}
