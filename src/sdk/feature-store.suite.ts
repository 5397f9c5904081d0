import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  ResourceInUseError,
  ValidationError,
  type CreateFeatureGroupInput,
  type FloeError,
} from '../domain/index.js';
import type { FeatureStoreApi as FeatureStore } from './feature-store-api.js';

/**
 * The SDK's behaviour, run against every way of opening a store (embedded, shared on
 * PostgreSQL + Redis, and remote over HTTP), so they cannot drift apart.
 */
export function featureStoreBehaviour(label: string, open: () => Promise<{ store: FeatureStore; cleanup: () => Promise<void> }>): void {
  describe(`FeatureStore behaviour: ${label}`, () => {
    let store: FeatureStore;
    let cleanup: () => Promise<void>;
    const suffix = randomUUID().slice(0, 8);
    const name = (base: string) => `${base}-${suffix}`;

    beforeAll(async () => {
      ({ store, cleanup } = await open());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    const usersDefinition = (featureGroupName: string, extra: Partial<CreateFeatureGroupInput> = {}): CreateFeatureGroupInput => ({
      featureGroupName,
      recordIdentifierFeatureName: 'user_id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'user_id', featureType: 'String' },
        { featureName: 'event_time', featureType: 'String' },
        { featureName: 'age', featureType: 'Integral' },
        { featureName: 'score', featureType: 'Fractional' },
        { featureName: 'tags', featureType: 'String', collectionType: 'Set' },
        { featureName: 'history', featureType: 'Integral', collectionType: 'List' },
        { featureName: 'embedding', featureType: 'Fractional', collectionType: 'Vector', collectionConfig: { vectorConfig: { dimension: 3 } } },
      ],
      ...extra,
    });

    async function expectError(promise: Promise<unknown>, type: abstract new (...args: never[]) => FloeError, field?: string, message?: RegExp) {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'expected the call to fail').toBeInstanceOf(type);
      if (field !== undefined) expect((error as FloeError).field).toBe(field);
      if (message) expect((error as Error).message).toMatch(message);
    }

    describe('feature groups', () => {
      it('creates and describes a group with SageMaker defaults', async () => {
        const g = await store.createFeatureGroup(usersDefinition(name('users'), { description: 'people', tags: [{ key: 'team', value: 'ml' }] }));
        expect(g.featureGroupStatus).toBe('Created');
        expect(g.featureGroupArn).toBe(`arn:aws:sagemaker:local:000000000000:feature-group/${name('users')}`);
        const d = await store.describeFeatureGroup(name('users'));
        expect(d.features.map((f) => f.featureName)).toEqual(['user_id', 'event_time', 'age', 'score', 'tags', 'history', 'embedding']);
        expect(d.features[6]!.collectionConfig).toEqual({ vectorConfig: { dimension: 3 } });
        expect(d.onlineStoreConfig.enableOnlineStore).toBe(true);
        expect(d.offlineStoreConfig).toMatchObject({ enableOfflineStore: true, tableFormat: 'Iceberg' });
        expect(d.description).toBe('people');
        expect(d.tags).toEqual([{ key: 'team', value: 'ml' }]);
        expect(d.creationTime).toBeInstanceOf(Date);
        // ARNs are accepted where names are.
        expect((await store.describeFeatureGroup(g.featureGroupArn)).featureGroupName).toBe(name('users'));
      });

      it('refuses a second group of the same name, ignoring case', async () => {
        await expectError(store.createFeatureGroup(usersDefinition(name('users').toUpperCase())), ResourceInUseError);
      });

      it('refuses bad definitions with the field and the reason, creating nothing', async () => {
        const cases: Array<[Partial<CreateFeatureGroupInput> | ((d: CreateFeatureGroupInput) => void), string, RegExp]> = [
          [{ featureGroupName: 'bad--name' }, 'featureGroupName', /single hyphens/],
          [{ featureGroupName: 'x'.repeat(65) }, 'featureGroupName', /at most 64/],
          [{ recordIdentifierFeatureName: 'nope' }, 'recordIdentifierFeatureName', /not among the feature definitions/],
          [{ recordIdentifierFeatureName: 'score' }, 'recordIdentifierFeatureName', /String or Integral/],
          [{ eventTimeFeatureName: 'age' }, 'eventTimeFeatureName', /String \(ISO-8601\) or Fractional/],
          [(d) => d.featureDefinitions.push({ featureName: 'is_deleted', featureType: 'String' }), 'featureDefinitions[7].featureName', /reserved/],
          [(d) => d.featureDefinitions.push({ featureName: 'AGE', featureType: 'String' }), 'featureDefinitions[7].featureName', /more than once/],
          [(d) => d.featureDefinitions.push({ featureName: 'v', featureType: 'Fractional', collectionType: 'Vector' }), 'featureDefinitions[7].collectionConfig', /dimension/],
          [
            (d) => d.featureDefinitions.push({ featureName: 'v', featureType: 'Fractional', collectionType: 'Vector', collectionConfig: { vectorConfig: { dimension: 8193 } } }),
            'featureDefinitions[7].collectionConfig.vectorConfig.dimension',
            /at most 8192/,
          ],
          [(d) => d.featureDefinitions.push({ featureName: 'v', featureType: 'Boolean' as never }), 'featureDefinitions[7].featureType', /one of Integral, Fractional, String/],
          [{ description: 'd'.repeat(129) }, 'description', /at most 128/],
          [{ tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }, 'tags', /at most 50/],
          [(d) => (d.featureDefinitions = []), 'featureDefinitions', /at least one/],
        ];
        for (const [change, field, message] of cases) {
          const def = usersDefinition(name('bad'));
          if (typeof change === 'function') change(def);
          else Object.assign(def, change);
          await expectError(store.createFeatureGroup(def), ValidationError, field, message);
        }
        const many = usersDefinition(name('bad'));
        many.featureDefinitions.push(...Array.from({ length: 2494 }, (_, i) => ({ featureName: `f${i}`, featureType: 'String' as const })));
        await expectError(store.createFeatureGroup(many), ValidationError, 'featureDefinitions', /at most 2500/);
        await expectError(store.describeFeatureGroup(name('bad')), NotFoundError, 'featureGroupName');
      });

      it('lists with filters, sorting and pages', async () => {
        for (const n of ['list-a', 'list-b', 'list-c']) await store.createFeatureGroup(usersDefinition(name(n)));
        const all = await store.listFeatureGroups({ nameContains: `-${suffix}`, sortBy: 'Name', sortOrder: 'Ascending' });
        const listed = all.featureGroups.map((g) => g.featureGroupName).filter((n) => n.startsWith('list-'));
        expect(listed).toEqual([name('list-a'), name('list-b'), name('list-c')]);
        const seen: string[] = [];
        let nextToken: string | undefined;
        do {
          const page = await store.listFeatureGroups({ nameContains: `list-`, maxResults: 2, sortBy: 'Name', ...(nextToken ? { nextToken } : {}) });
          expect(page.featureGroups.length).toBeLessThanOrEqual(2);
          seen.push(...page.featureGroups.map((g) => g.featureGroupName));
          nextToken = page.nextToken;
        } while (nextToken);
        for (const n of ['list-a', 'list-b', 'list-c']) expect(seen.filter((s) => s === name(n))).toHaveLength(1);
        await expectError(store.listFeatureGroups({ maxResults: 0 }), ValidationError, 'maxResults');
      });

      it('adds features and changes the TTL, never retypes', async () => {
        const g = name('evolve');
        await store.createFeatureGroup(usersDefinition(g));
        const updated = await store.updateFeatureGroup({
          featureGroupName: g,
          featureAdditions: [{ featureName: 'country', featureType: 'String' }],
          onlineStoreConfig: { ttlDuration: { unit: 'Days', value: 7 } },
        });
        expect(updated.features.at(-1)!.featureName).toBe('country');
        expect(updated.onlineStoreConfig.ttlDuration).toEqual({ unit: 'Days', value: 7 });
        expect(updated.lastUpdateStatus?.status).toBe('Successful');
        await expectError(
          store.updateFeatureGroup({ featureGroupName: g, featureAdditions: [{ featureName: 'age', featureType: 'String' }] }),
          ValidationError,
          'featureAdditions[0].featureName',
          /more than once/,
        );
        await expectError(
          store.updateFeatureGroup({
            featureGroupName: g,
            featureAdditions: Array.from({ length: 101 }, (_, i) => ({ featureName: `n${i}`, featureType: 'String' as const })),
          }),
          ValidationError,
          'featureAdditions',
          /at most 100/,
        );
        const fg = store.featureGroup(g);
        await fg.putRecord({ user_id: 'u1', event_time: '2030-01-01T00:00:00Z', country: 'PT' });
        expect(await fg.getRecord('u1')).toEqual({ user_id: 'u1', event_time: '2030-01-01T00:00:00Z', country: 'PT' });
        expect((await store.describeFeatureGroup(g)).features.find((f) => f.featureName === 'age')!.featureType).toBe('Integral');
      });

      it('deletes a group and its records', async () => {
        const g = name('gone');
        await store.createFeatureGroup(usersDefinition(g));
        await store.featureGroup(g).putRecord({ user_id: 'u1', event_time: '2030-01-01T00:00:00Z', age: 1 });
        await store.deleteFeatureGroup(g);
        await expectError(store.describeFeatureGroup(g), NotFoundError);
        await expectError(store.featureGroup(g).getRecord('u1'), NotFoundError);
        await expectError(store.deleteFeatureGroup(g), NotFoundError);
        await store.createFeatureGroup(usersDefinition(g));
        expect(await store.featureGroup(g).getRecord('u1')).toBeUndefined();
      });

      it('keeps feature metadata', async () => {
        const g = name('users');
        const before = await store.describeFeatureMetadata(g, 'age');
        expect(before).toMatchObject({ featureName: 'age', featureType: 'Integral', parameters: [] });
        await store.updateFeatureMetadata({
          featureGroupName: g,
          featureName: 'age',
          description: 'age in years',
          parameterAdditions: [
            { key: 'owner', value: 'growth' },
            { key: 'pii', value: 'no' },
          ],
        });
        const after = await store.updateFeatureMetadata({ featureGroupName: g, featureName: 'age', parameterRemovals: ['pii'] });
        expect(after.description).toBe('age in years');
        expect(after.parameters).toEqual([{ key: 'owner', value: 'growth' }]);
        await expectError(store.describeFeatureMetadata(g, 'nope'), NotFoundError, 'featureName');
      });

      it('searches groups and features', async () => {
        const byTag = await store.search({
          resource: 'FeatureGroup',
          searchExpression: { filters: [{ name: 'Tags.team', operator: 'Equals', value: 'ml' }, { name: 'FeatureGroupName', operator: 'Contains', value: suffix }] },
        });
        expect(byTag.results.map((r) => ('featureGroup' in r ? r.featureGroup.featureGroupName : ''))).toEqual([name('users')]);
        const features = await store.search({
          resource: 'FeatureMetadata',
          searchExpression: {
            filters: [
              { name: 'FeatureGroupName', operator: 'Equals', value: name('users') },
              { name: 'Parameters.owner', operator: 'Equals', value: 'growth' },
            ],
          },
        });
        expect(features.results.map((r) => ('featureMetadata' in r ? r.featureMetadata.featureName : ''))).toEqual(['age']);
        await expectError(store.search({ resource: 'Nope' as never }), ValidationError, 'resource');
      });
    });

    describe('records', () => {
      const g = () => store.featureGroup(name('users'));

      it('keeps the latest record by event time', async () => {
        await g().putRecord({ user_id: 'a', event_time: '2025-01-02T00:00:00Z', age: 2 });
        await g().putRecord({ user_id: 'a', event_time: '2025-01-01T00:00:00Z', age: 1 }); // older: ignored
        expect(await g().getRecord('a')).toMatchObject({ age: 2 });
        await g().putRecord({ user_id: 'a', event_time: '2025-01-02T09:00:00+09:00', age: 3 }); // same instant: later write wins
        expect(await g().getRecord('a')).toMatchObject({ age: 3 });
        expect(await g().getRecord('a', { featureNames: ['age'] })).toEqual({ age: 3 });
        expect(await g().getRecord('missing')).toBeUndefined();
      });

      it('round-trips every type exactly, int64 beyond 2^53 included', async () => {
        const record = {
          user_id: 'types',
          event_time: '2025-01-01T00:00:00.123456Z',
          age: 9007199254740993n,
          score: 0.1 + 0.2,
          tags: ['x', 'y'],
          history: [1, -9223372036854775808n, 9223372036854775807n],
          embedding: [0.5, -1.25, 3e-300],
        };
        await g().putRecord(record);
        expect(await g().getRecord('types')).toEqual(record);
      });

      it('refuses a bad record whole, naming the feature', async () => {
        await g().putRecord({ user_id: 'b', event_time: '2025-01-01T00:00:00Z', age: 10 });
        const bad: Array<[Record<string, unknown>, string, RegExp]> = [
          [{ user_id: 'b', event_time: '2026-01-01T00:00:00Z', age: 'old' }, 'age', /Integral/],
          [{ user_id: 'b', event_time: '2026-01-01T00:00:00Z', age: 1.5 }, 'age', /whole number/],
          [{ user_id: 'b', event_time: '2026-01-01T00:00:00Z', embedding: [1, 2] }, 'embedding', /dimension 3/],
          [{ user_id: 'b', event_time: '2026-01-01T00:00:00Z', tags: ['a', 'a'] }, 'tags', /Set/],
          [{ user_id: 'b', event_time: 'not a time' }, 'event_time', /ISO-8601/],
          [{ user_id: 'b', event_time: '2026-01-01T00:00:00Z', color: 'red' }, 'color', /not defined/],
          [{ event_time: '2026-01-01T00:00:00Z' }, 'user_id', /required/],
          [{ user_id: 'b', event_time: '2026-01-01T00:00:00Z', age: 2n ** 64n }, 'age', /64-bit/],
        ];
        for (const [record, field, message] of bad) await expectError(g().putRecord(record), ValidationError, field, message);
        expect(await g().getRecord('b')).toMatchObject({ age: 10, event_time: '2025-01-01T00:00:00Z' });
        await expectError(g().putRecord({ user_id: 'b', event_time: '2026-01-01T00:00:00Z' }, { targetStores: ['Elsewhere' as never] }), ValidationError, 'targetStores');
      });

      it('soft-deletes: hidden, still listable on request, revived only by a newer put', async () => {
        await g().putRecord({ user_id: 'soft', event_time: '2025-01-01T00:00:00Z', age: 1 });
        await g().deleteRecord('soft', '2025-02-01T00:00:00Z');
        expect(await g().getRecord('soft')).toBeUndefined();
        await g().putRecord({ user_id: 'soft', event_time: '2025-01-15T00:00:00Z', age: 2 }); // older than the delete
        expect(await g().getRecord('soft')).toBeUndefined();
        const all = await collectIds((t) => g().listRecords({ includeSoftDeletedRecords: true, maxResults: 1000, ...(t ? { nextToken: t } : {}) }));
        const live = await collectIds((t) => g().listRecords({ maxResults: 1000, ...(t ? { nextToken: t } : {}) }));
        expect(all).toContain('soft');
        expect(live).not.toContain('soft');
        await g().putRecord({ user_id: 'soft', event_time: '2025-03-01T00:00:00Z', age: 3 });
        expect(await g().getRecord('soft')).toMatchObject({ age: 3 });
        // A delete older than the record is a no-op.
        await g().deleteRecord('soft', '2025-02-15T00:00:00Z');
        expect(await g().getRecord('soft')).toMatchObject({ age: 3 });
      });

      it('hard-deletes: gone entirely; an older hard delete is refused', async () => {
        await g().putRecord({ user_id: 'hard', event_time: '2025-01-01T00:00:00Z', age: 1 });
        await expectError(g().deleteRecord('hard', '2024-01-01T00:00:00Z', { deletionMode: 'HardDelete' }), ValidationError, 'event_time', /newer/);
        expect(await g().getRecord('hard')).toMatchObject({ age: 1 });
        await g().deleteRecord('hard', '2025-02-01T00:00:00Z', { deletionMode: 'HardDelete' });
        expect(await g().getRecord('hard')).toBeUndefined();
        const all = await collectIds((t) => g().listRecords({ includeSoftDeletedRecords: true, maxResults: 1000, ...(t ? { nextToken: t } : {}) }));
        expect(all).not.toContain('hard');
        await expectError(g().deleteRecord('hard', '2025-03-01T00:00:00Z', { deletionMode: 'Sideways' as never }), ValidationError, 'deletionMode');
      });

      it('expires records at event time + TTL, per group or per record', async () => {
        const t = name('ttl');
        await store.createFeatureGroup(usersDefinition(t, { onlineStoreConfig: { ttlDuration: { unit: 'Days', value: 1 } } }));
        const fg = store.featureGroup(t);
        const old = new Date(Date.now() - 2 * 86_400_000).toISOString();
        const recent = new Date(Date.now() - 60_000).toISOString();
        await fg.putRecord({ user_id: 'old', event_time: old, age: 1 });
        await fg.putRecord({ user_id: 'recent', event_time: recent, age: 2 });
        await fg.putRecord({ user_id: 'kept', event_time: old, age: 3 }, { ttlDuration: { unit: 'Weeks', value: 1 } });
        expect(await fg.getRecord('old')).toBeUndefined();
        const withExpiry = await fg.getRecord('recent', { expirationTimeResponse: 'Enabled' });
        expect(withExpiry?.expiresAt).toBe(new Date(Date.parse(recent) + 86_400_000).toISOString());
        expect(await fg.getRecord('kept')).toMatchObject({ age: 3 });
        const live = await collectIds((tok) => fg.listRecords({ ...(tok ? { nextToken: tok } : {}) }));
        expect(live.sort()).toEqual(['kept', 'recent']);
      });

      it('updates part of a live record', async () => {
        await g().putRecord({ user_id: 'upd', event_time: '2025-01-01T00:00:00Z', age: 1, score: 0.5 });
        await g().updateRecord('upd', { age: 2 });
        expect(await g().getRecord('upd')).toMatchObject({ age: 2, score: 0.5, event_time: '2025-01-01T00:00:00Z' });
        await g().updateRecord('upd', { score: 0.9, event_time: '2025-02-01T00:00:00Z' });
        expect(await g().getRecord('upd')).toMatchObject({ age: 2, score: 0.9, event_time: '2025-02-01T00:00:00Z' });
        await expectError(g().updateRecord('upd', { age: 3, event_time: '2024-01-01T00:00:00Z' }), ConflictError);
        await expectError(g().updateRecord('nobody', { age: 3 }), NotFoundError);
        await expectError(g().updateRecord('upd', { age: 'x' }), ValidationError, 'age');
        expect(await g().getRecord('upd')).toMatchObject({ age: 2 });
      });

      it('batch-gets across groups, skipping missing records and reporting bad groups', async () => {
        const other = name('other');
        await store.createFeatureGroup(usersDefinition(other));
        await store.featureGroup(other).putRecord({ user_id: 'o1', event_time: '2025-01-01T00:00:00Z', age: 7 });
        await g().putRecord({ user_id: 'c1', event_time: '2025-01-01T00:00:00Z', age: 8 });
        const result = await store.batchGetRecord([
          { featureGroupName: name('users'), recordIdentifiers: ['c1', 'missing'], featureNames: ['age'] },
          { featureGroupName: other, recordIdentifiers: ['o1'] },
          { featureGroupName: name('no-such-group'), recordIdentifiers: ['x'] },
        ]);
        expect(result.records).toEqual([
          { featureGroupName: name('users'), recordIdentifier: 'c1', record: { age: 8 } },
          { featureGroupName: other, recordIdentifier: 'o1', record: { user_id: 'o1', event_time: '2025-01-01T00:00:00Z', age: 7 } },
        ]);
        expect(result.errors).toEqual([expect.objectContaining({ featureGroupName: name('no-such-group'), recordIdentifier: 'x', errorCode: 'ResourceNotFound' })]);
        await expectError(store.batchGetRecord([]), ValidationError, 'identifiers');
      });

      it('pages through record identifiers', async () => {
        const p = name('paging');
        await store.createFeatureGroup(usersDefinition(p));
        const fg = store.featureGroup(p);
        const ids = Array.from({ length: 250 }, (_, i) => `id-${i}`);
        await Promise.all(ids.map((id) => fg.putRecord({ user_id: id, event_time: '2025-01-01T00:00:00Z' })));
        const seen = await collectIds((t) => fg.listRecords({ maxResults: 100, ...(t ? { nextToken: t } : {}) }));
        expect(seen.sort()).toEqual([...ids].sort());
      });
    });
  });
}

async function collectIds(page: (token?: string) => Promise<{ recordIdentifiers: string[]; nextToken?: string }>): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    out.push(...p.recordIdentifiers);
    token = p.nextToken;
  } while (token);
  return out;
}
