import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/index.js';
import type { OnlineRecord, OnlineStore } from './online-store.js';

const rec = (t: number, values: OnlineRecord['values'] = {}, expiresAtMicros?: number): OnlineRecord => ({
  values: { id: 'x', ...values },
  eventTimeMicros: t,
  ...(expiresAtMicros === undefined ? {} : { expiresAtMicros }),
});

const HOUR = 3_600_000_000;
const realNow = () => Date.now() * 1000;
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The online store's behaviour, run against every implementation. `open` gives a fresh store;
 * `cleanup` runs after it is closed. Every case uses groups of its own under a random name.
 */
export function onlineStoreBehaviour(label: string, open: () => Promise<OnlineStore>, cleanup: () => Promise<void> = async () => {}): void {
  describe(`OnlineStore behaviour: ${label}`, () => {
    let store: OnlineStore;
    const run = `g-${randomUUID().slice(0, 8)}`;
    const groups: string[] = [];
    /** A group name of this run, dropped afterwards. */
    const group = (name: string) => {
      const g = `${run}-${name}`;
      groups.push(g);
      return g;
    };
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      for (const g of groups) await store.dropGroup(g);
      await store.close();
      await cleanup();
    });

    it('keeps the newest by event time; equal event time: the later write wins', async () => {
      const g = group('newest');
      expect(await store.put(g, 'a', rec(200, { v: 2 }))).toBe('written');
      expect(await store.put(g, 'a', rec(100, { v: 1 }))).toBe('stale');
      expect(await store.get(g, 'a')).toEqual(rec(200, { v: 2 }));
      expect(await store.put(g, 'a', rec(200, { v: 3 }))).toBe('written');
      expect(await store.get(g, 'a')).toEqual(rec(200, { v: 3 }));
      expect(await store.put(g, 'a', rec(300, { v: 4 }))).toBe('written');
      expect(await store.get(g, 'a')).toEqual(rec(300, { v: 4 }));
      expect(await store.get(g, 'nobody')).toBeUndefined();
    });

    it('a put replaces the whole record', async () => {
      const g = group('whole');
      await store.put(g, 'r', rec(1, { a: 1, b: 2 }, realNow() + HOUR));
      await store.put(g, 'r', rec(2, { a: 5 }));
      expect(await store.get(g, 'r')).toEqual(rec(2, { a: 5 })); // values and expiry both replaced
    });

    it('putMany applies put-if-newer to each record and reports each outcome', async () => {
      const g = group('put-many');
      await store.put(g, 'old', rec(50));
      const outcomes = await store.putMany(g, [
        { recordId: 'new', record: rec(10, { n: 1 }) },
        { recordId: 'old', record: rec(40, { n: 2 }) },
        { recordId: 'old', record: rec(60, { n: 3 }) },
      ]);
      expect(outcomes).toEqual(['written', 'stale', 'written']);
      expect((await store.get(g, 'old'))?.values.n).toBe(3);
      expect((await store.get(g, 'new'))?.values.n).toBe(1);
    });

    it('a bulk putMany (distinct identifiers) keeps the same semantics', async () => {
      const g = group('bulk');
      for (const id of ['old', 'same', 'newer']) await store.put(g, id, rec(50));
      const outcomes = await store.putMany(
        g,
        [
          { recordId: 'new', record: rec(10, { n: 1 }) },
          { recordId: 'old', record: rec(40, { n: 2 }) },
          { recordId: 'same', record: rec(50, { n: 3 }) },
          { recordId: 'newer', record: rec(60, { n: 4 }) },
        ],
        { bulk: true },
      );
      expect(outcomes).toEqual(['written', 'stale', 'written', 'written']);
      expect((await store.get(g, 'old'))?.values.n).toBeUndefined();
      expect((await store.get(g, 'new'))?.values.n).toBe(1);
      expect((await store.get(g, 'same'))?.values.n).toBe(3);
      expect((await store.get(g, 'newer'))?.values.n).toBe(4);
    });

    it('writes issued while a bulk putMany is under way see its records', async () => {
      const g = group('bulk-race');
      await store.put(g, 'k', rec(50, { n: 0 }));
      const ids = Array.from({ length: 2000 }, (_, i) => `r${i}`);
      const bulk = store.putMany(g, [...ids.map((recordId) => ({ recordId, record: rec(60) })), { recordId: 'k', record: rec(60, { n: 1 }) }], { bulk: true });
      // Issued before the bulk batch commits: each must be judged against the bulk's records.
      const newer = store.putMany(g, [{ recordId: 'k', record: rec(70, { n: 2 }) }]);
      const older = store.put(g, 'r0', rec(55));
      const deleted = store.delete(g, 'r1', 65, 'HardDelete');
      expect((await bulk).every((o) => o === 'written')).toBe(true);
      expect(await newer).toEqual(['written']);
      expect(await older).toBe('stale');
      expect(await deleted).toBe('deleted');
      expect((await store.get(g, 'k'))?.values.n).toBe(2);
      expect(await store.get(g, 'r0')).toEqual(rec(60));
      expect(await store.get(g, 'r1')).toBeUndefined();
    });

    it('round-trips int64 beyond 2^53, doubles, strings and collections exactly', async () => {
      const g = group('types');
      const values = {
        big: 9007199254740993n,
        negBig: -9007199254740993n,
        max: 2n ** 63n - 1n,
        min: -(2n ** 63n),
        safe: Number.MAX_SAFE_INTEGER,
        d: 0.1 + 0.2,
        tiny: 5e-324,
        neg: -0.5,
        s: 'ünï"cødé \\ | {} 😀',
        lines: 'a\n,b\r\n\t|c',
        lookalike: '{"$int64":"1"}',
        empty: '',
        none: null,
        strings: ['a', 'b,c', ''],
        numbers: [1, -2.5, 1e300],
        bigints: [2n ** 62n, -(2n ** 62n), 9007199254740993n],
        mixed: [1, 2n ** 62n, -3],
        nothing: [],
      };
      await store.put(g, 'types', rec(1, values));
      const got = await store.get(g, 'types');
      expect(got?.values).toEqual({ id: 'x', ...values });
      expect(typeof got?.values.big).toBe('bigint');
      expect(typeof got?.values.safe).toBe('number');
      // The same through update's merge (Redis merges in Lua, which must not touch the values).
      await store.put(g, 'merged', rec(1, { keep: 'k' }));
      await store.update(g, 'merged', { values });
      expect((await store.get(g, 'merged'))?.values).toEqual({ id: 'x', keep: 'k', ...values });
    });

    it('returns only the asked-for features, from get and getMany', async () => {
      const g = group('subset');
      await store.put(g, 'sub', rec(1, { a: 1, b: 2, c: 3 }));
      expect(await store.get(g, 'sub', { featureNames: ['a', 'c', 'unknown'] })).toEqual({ values: { a: 1, c: 3 }, eventTimeMicros: 1 });
      expect(await store.get(g, 'sub', { featureNames: [] })).toEqual({ values: {}, eventTimeMicros: 1 });
      const [many] = await store.getMany([{ group: g, recordId: 'sub', featureNames: ['b'] }]);
      expect(many?.values).toEqual({ b: 2 });
      expect((await store.get(g, 'sub'))?.values).toEqual({ id: 'x', a: 1, b: 2, c: 3 }); // the stored record is untouched
    });

    it('soft delete hides the record behind a marker; only newer or equal puts replace it', async () => {
      const g = group('soft');
      await store.put(g, 'soft', rec(100, { v: 1 }));
      expect(await store.delete(g, 'soft', 100, 'SoftDelete')).toBe('stale');
      expect(await store.delete(g, 'soft', 50, 'SoftDelete')).toBe('stale');
      expect(await store.get(g, 'soft')).toBeDefined();
      expect(await store.delete(g, 'soft', 150, 'SoftDelete')).toBe('deleted');
      expect(await store.get(g, 'soft')).toBeUndefined();
      expect(await store.getMany([{ group: g, recordId: 'soft' }])).toEqual([undefined]);
      expect((await store.listIds(g)).recordIds).toEqual([]);
      expect((await store.listIds(g, { includeSoftDeleted: true })).recordIds).toEqual(['soft']);
      // An older put leaves the marker; a newer delete moves it; a put at the marker's time wins.
      expect(await store.put(g, 'soft', rec(120, { v: 2 }))).toBe('stale');
      expect(await store.get(g, 'soft')).toBeUndefined();
      expect(await store.delete(g, 'soft', 140, 'SoftDelete')).toBe('stale');
      expect(await store.delete(g, 'soft', 160, 'SoftDelete')).toBe('deleted');
      expect(await store.put(g, 'soft', rec(155, { v: 3 }))).toBe('stale');
      expect(await store.put(g, 'soft', rec(160, { v: 4 }))).toBe('written');
      expect(await store.get(g, 'soft')).toEqual(rec(160, { v: 4 }));
      expect(await store.delete(g, 'never', 1, 'SoftDelete')).toBe('absent');
      expect(await store.get(g, 'never')).toBeUndefined();
    });

    it('hard delete removes the key entirely; an older or equal one is stale', async () => {
      const g = group('hard');
      await store.put(g, 'hard', rec(100));
      expect(await store.delete(g, 'hard', 90, 'HardDelete')).toBe('stale');
      expect(await store.delete(g, 'hard', 100, 'HardDelete')).toBe('stale');
      expect(await store.get(g, 'hard')).toBeDefined();
      expect(await store.delete(g, 'hard', 110, 'HardDelete')).toBe('deleted');
      expect(await store.get(g, 'hard')).toBeUndefined();
      expect(await store.delete(g, 'hard', 120, 'HardDelete')).toBe('absent');
      // Nothing is left to compare with: an older put is written.
      expect(await store.put(g, 'hard', rec(50))).toBe('written');
      // A hard delete also removes a soft-delete marker.
      expect(await store.delete(g, 'hard', 60, 'SoftDelete')).toBe('deleted');
      expect(await store.delete(g, 'hard', 70, 'HardDelete')).toBe('deleted');
      expect((await store.listIds(g, { includeSoftDeleted: true })).recordIds).toEqual([]);
      expect(await store.put(g, 'hard', rec(1))).toBe('written');
    });

    it('never returns or lists expired records (expiresAtMicros <= now)', async () => {
      const g = group('ttl');
      const now = realNow();
      await store.put(g, 'fresh', rec(now, { f: 1 }, now + HOUR));
      await store.put(g, 'eternal', rec(now));
      const fresh = await store.get(g, 'fresh', { nowMicros: now });
      expect(fresh).toEqual(rec(now, { f: 1 }, now + HOUR));
      expect(await store.get(g, 'fresh', { nowMicros: now + HOUR - 1 })).toBeDefined();
      expect(await store.get(g, 'fresh', { nowMicros: now + HOUR })).toBeUndefined();
      expect(await store.getMany([{ group: g, recordId: 'fresh' }, { group: g, recordId: 'eternal' }], { nowMicros: now + HOUR })).toEqual([
        undefined,
        rec(now),
      ]);
      expect((await store.listIds(g, { nowMicros: now })).recordIds).toEqual(['eternal', 'fresh']);
      expect((await store.listIds(g, { nowMicros: now + HOUR, includeSoftDeleted: true })).recordIds).toEqual(['eternal']);
      // The caller's clock only filters: the record is still there for a caller at `now`.
      expect(await store.get(g, 'fresh', { nowMicros: now })).toBeDefined();
    });

    it('treats a record expired by the real clock as gone, for reads and writes alike', async () => {
      const g = group('expired');
      const now = realNow();
      const expired = () => rec(now - 10_000_000, { v: 1 }, now - 1_000_000);
      await store.put(g, 'e', expired());
      expect(await store.get(g, 'e')).toBeUndefined();
      expect((await store.listIds(g, { includeSoftDeleted: true })).recordIds).toEqual([]);
      // Reclaimed when met: even a caller whose clock is before the expiry no longer sees it.
      await store.flush?.();
      expect(await store.get(g, 'e', { nowMicros: now - 5_000_000 })).toBeUndefined();
      expect((await store.listIds(g, { includeSoftDeleted: true, nowMicros: now - 5_000_000 })).recordIds).toEqual([]);
      await store.put(g, 'e', expired());
      expect(await store.update(g, 'e', { values: { v: 2 } })).toBe('absent');
      await store.put(g, 'e', expired());
      expect(await store.delete(g, 'e', now, 'HardDelete')).toBe('absent');
      await store.put(g, 'e', expired());
      expect(await store.delete(g, 'e', now, 'SoftDelete')).toBe('absent');
      await store.put(g, 'e', expired());
      // An expired record does not make an older put stale.
      expect(await store.put(g, 'e', rec(now - 20_000_000, { v: 3 }))).toBe('written');
      expect((await store.get(g, 'e'))?.values.v).toBe(3);
    });

    it('updates live records only, merging values', async () => {
      const g = group('update');
      await store.put(g, 'upd', rec(100, { a: 1, b: 2 }));
      expect(await store.update(g, 'upd', { values: { b: 3 } })).toBe('updated');
      expect(await store.get(g, 'upd')).toEqual(rec(100, { a: 1, b: 3 }));
      expect(await store.update(g, 'upd', { values: { a: 9 }, eventTimeMicros: 90 })).toBe('stale');
      expect(await store.get(g, 'upd')).toEqual(rec(100, { a: 1, b: 3 }));
      expect(await store.update(g, 'upd', { values: { a: 8 }, eventTimeMicros: 100 })).toBe('updated');
      expect(await store.update(g, 'upd', { values: { a: 7, c: [1, 2n ** 60n] }, eventTimeMicros: 110 })).toBe('updated');
      expect(await store.get(g, 'upd')).toEqual(rec(110, { a: 7, b: 3, c: [1, 2n ** 60n] }));
      expect(await store.update(g, 'upd', { values: {} })).toBe('updated');
      expect(await store.get(g, 'upd')).toEqual(rec(110, { a: 7, b: 3, c: [1, 2n ** 60n] }));
      // The merged record obeys put-if-newer like any other.
      expect(await store.put(g, 'upd', rec(105))).toBe('stale');
      expect(await store.update(g, 'missing', { values: { a: 1 } })).toBe('absent');
      expect(await store.get(g, 'missing')).toBeUndefined();
      await store.delete(g, 'upd', 120, 'SoftDelete');
      expect(await store.update(g, 'upd', { values: { a: 1 } })).toBe('absent');
      expect(await store.get(g, 'upd')).toBeUndefined();
    });

    it('update sets, keeps or clears the expiry', async () => {
      const g = group('update-ttl');
      const now = realNow();
      await store.put(g, 'u', rec(now, { a: 1 }, now + HOUR));
      expect(await store.update(g, 'u', { values: { a: 2 } })).toBe('updated');
      expect((await store.get(g, 'u'))?.expiresAtMicros).toBe(now + HOUR);
      expect(await store.update(g, 'u', { values: { a: 3 }, expiresAtMicros: now + 2 * HOUR })).toBe('updated');
      expect(await store.get(g, 'u')).toEqual(rec(now, { a: 3 }, now + 2 * HOUR));
      expect(await store.get(g, 'u', { nowMicros: now + HOUR + 1 })).toBeDefined();
      expect(await store.update(g, 'u', { values: { a: 4 }, expiresAtMicros: null })).toBe('updated');
      expect(await store.get(g, 'u', { nowMicros: now + 100 * HOUR })).toEqual(rec(now, { a: 4 }));
    });

    it('concurrent updates of different features all land (the merge is atomic)', async () => {
      const g = group('update-race');
      await store.put(g, 'r', rec(1));
      const names = Array.from({ length: 30 }, (_, i) => `f${i}`);
      const outcomes = await Promise.all(names.map((name, i) => store.update(g, 'r', { values: { [name]: i } })));
      expect(outcomes.every((o) => o === 'updated')).toBe(true);
      expect((await store.get(g, 'r'))?.values).toEqual({ id: 'x', ...Object.fromEntries(names.map((n, i) => [n, i])) });
    });

    it('pages through ids in byte order without duplicates or omissions, with and without soft-deleted', async () => {
      const g = group('paging');
      const ids = Array.from({ length: 250 }, (_, i) => `id-${String(i).padStart(3, '0')}`);
      const odd = ['Z', 'a b', 'a:b', 'é', '😀', 'id-', 'id-0'];
      const all = [...ids, ...odd].sort(byteOrder);
      await store.putMany(g, all.map((recordId) => ({ recordId, record: rec(1) })));
      const softDeleted = new Set(ids.filter((_, i) => i % 7 === 0));
      for (const id of softDeleted) expect(await store.delete(g, id, 2, 'SoftDelete')).toBe('deleted');
      const collect = async (includeSoftDeleted: boolean) => {
        const out: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listIds(g, { limit: 100, includeSoftDeleted, ...(cursor ? { cursor } : {}) });
          expect(page.recordIds.length).toBeLessThanOrEqual(100);
          if (page.nextCursor) expect(page.recordIds.length).toBe(100);
          out.push(...page.recordIds);
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        return { out, pages };
      };
      const withDeleted = await collect(true);
      expect(withDeleted.out).toEqual(all);
      expect(withDeleted.pages).toBe(3);
      const live = await collect(false);
      expect(live.out).toEqual(all.filter((id) => !softDeleted.has(id)));
      expect((await store.listIds(g, { limit: 1000 })).nextCursor).toBeUndefined();
    });

    it('refuses a bad limit or cursor with a ValidationError naming it', async () => {
      const g = group('bad-list');
      await expect(store.listIds(g, { limit: 0 })).rejects.toMatchObject({ name: 'ValidationError', field: 'limit' });
      await expect(store.listIds(g, { limit: 1.5 })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.listIds(g, { cursor: 'not a cursor!' })).rejects.toMatchObject({ name: 'ValidationError', field: 'cursor' });
      await expect(store.put(g, 'a', rec(Number.NaN))).rejects.toMatchObject({ name: 'ValidationError', field: 'eventTimeMicros' });
      await expect(store.put(g, 'a', rec(1, {}, 1.5))).rejects.toMatchObject({ field: 'expiresAtMicros' });
      await expect(store.delete(g, 'a', 1.5, 'HardDelete')).rejects.toMatchObject({ field: 'eventTimeMicros' });
      expect(await store.get(g, 'a')).toBeUndefined();
    });

    it('dropGroup removes one group and leaves the others alone', async () => {
      const dropped = group('drop');
      const kept = group('drop-kept');
      const keptPrefix = group('dro'); // a name that prefixes the dropped one's
      await store.putMany(dropped, Array.from({ length: 30 }, (_, i) => ({ recordId: `r${i}`, record: rec(1) })));
      await store.delete(dropped, 'r0', 2, 'SoftDelete');
      await store.put(kept, 'r1', rec(1, { k: 1 }));
      await store.put(keptPrefix, 'r1', rec(1, { k: 2 }));
      await store.dropGroup(dropped);
      expect(await store.get(dropped, 'r1')).toBeUndefined();
      expect((await store.listIds(dropped, { includeSoftDeleted: true })).recordIds).toEqual([]);
      expect((await store.get(kept, 'r1'))?.values.k).toBe(1);
      expect((await store.get(keptPrefix, 'r1'))?.values.k).toBe(2);
      expect((await store.listIds(kept)).recordIds).toEqual(['r1']);
      // A dropped group can be written again from scratch.
      expect(await store.put(dropped, 'r0', rec(1))).toBe('written');
    });

    it('batch-gets across groups in the order asked', async () => {
      const g1 = group('batch-1');
      const g2 = group('batch-2');
      await store.put(g1, 'a', rec(1, { v: 1 }));
      await store.put(g2, 'a', rec(2, { w: 2 }));
      await store.put(g2, 'b', rec(3, { w: 3 }));
      const got = await store.getMany([
        { group: g2, recordId: 'b' },
        { group: g1, recordId: 'a' },
        { group: g1, recordId: 'nobody' },
        { group: g2, recordId: 'a', featureNames: ['w'] },
        { group: g1, recordId: 'a' },
      ]);
      expect(got).toEqual([rec(3, { w: 3 }), rec(1, { v: 1 }), undefined, { values: { w: 2 }, eventTimeMicros: 2 }, rec(1, { v: 1 })]);
      expect(await store.getMany([])).toEqual([]);
    });

    it('ends concurrent puts to one key with the newest', async () => {
      const g = group('race');
      const times = Array.from({ length: 200 }, (_, i) => (i * 7919) % 200);
      const outcomes = await Promise.all(times.map((t) => store.put(g, 'race', rec(t, { t }))));
      expect(outcomes).toContain('stale'); // the order really was mixed
      expect(await store.get(g, 'race')).toEqual(rec(199, { t: 199 }));
      // Deletes racing with puts: the newest event time decides.
      await store.put(g, 'mixed', rec(0)); // so that every delete has a record or marker to compare with
      const ops = Array.from({ length: 100 }, (_, i) => 1000 + ((i * 37) % 100));
      await Promise.all(ops.map((t) => (t % 2 === 0 ? store.put(g, 'mixed', rec(t, { t })) : store.delete(g, 'mixed', t, 'SoftDelete'))));
      expect(await store.get(g, 'mixed')).toBeUndefined(); // 1099, the newest, is a soft delete
      expect(await store.put(g, 'mixed', rec(1098))).toBe('stale');
    });
  });
}
