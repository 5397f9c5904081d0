import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ResourceInUseError, ValidationError, type FeatureGroup } from '../domain/index.js';
import type { Registry } from './registry.js';

export function featureGroupFixture(name: string, creationTime = new Date()): FeatureGroup {
  return {
    featureGroupName: name,
    featureGroupArn: `arn:aws:sagemaker:local:000000000000:feature-group/${name.toLowerCase()}`,
    recordIdentifierFeatureName: 'id',
    eventTimeFeatureName: 'ts',
    features: [
      { featureName: 'id', featureType: 'String', parameters: [], creationTime, lastModifiedTime: creationTime },
      { featureName: 'ts', featureType: 'String', parameters: [{ key: 'unit', value: 'iso' }], creationTime, lastModifiedTime: creationTime },
      {
        featureName: 'emb',
        featureType: 'Fractional',
        collectionType: 'Vector',
        collectionConfig: { vectorConfig: { dimension: 4 } },
        description: 'an embedding',
        parameters: [],
        creationTime,
        lastModifiedTime: creationTime,
      },
    ],
    onlineStoreConfig: { enableOnlineStore: true, storageType: 'Standard', ttlDuration: { unit: 'Hours', value: 2 } },
    offlineStoreConfig: { enableOfflineStore: true, tableFormat: 'Iceberg' },
    featureGroupStatus: 'Created',
    tags: [{ key: 'team', value: 'ml' }],
    description: 'fixture',
    creationTime,
    lastModifiedTime: creationTime,
  };
}

/** The registry's behaviour, run against SQLite and PostgreSQL alike. */
export function registryBehaviour(label: string, open: () => Promise<Registry>, cleanup: () => Promise<void>): void {
  describe(`Registry behaviour: ${label}`, () => {
    let registry: Registry;
    const tag = randomUUID().slice(0, 6);
    const name = (n: string) => `${n}-${tag}`;

    beforeAll(async () => {
      registry = await open();
    });
    afterAll(async () => {
      await registry?.close();
      await cleanup();
    });

    it('stores a feature group whole and finds it ignoring case', async () => {
      const group = featureGroupFixture(name('Users'));
      await registry.createFeatureGroup(group);
      expect(await registry.getFeatureGroup(name('users'))).toEqual(group);
      expect(await registry.getFeatureGroup(name('USERS'))).toEqual(group);
      expect(await registry.getFeatureGroup(name('nobody'))).toBeUndefined();
    });

    it('lets exactly one of racing creates of one name win', async () => {
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => registry.createFeatureGroup(featureGroupFixture(i % 2 ? name('race') : name('RACE')))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ResourceInUseError);
    });

    it('lists with filters, sorting and tokens, missing nothing and repeating nothing', async () => {
      const start = new Date('2030-01-01T00:00:00Z').getTime();
      for (let i = 0; i < 7; i++) await registry.createFeatureGroup(featureGroupFixture(name(`page${i}`), new Date(start + i * 1000)));
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await registry.listFeatureGroups({ nameContains: `page`, sortBy: 'CreationTime', sortOrder: 'Ascending', maxResults: 3, ...(nextToken ? { nextToken } : {}) });
        seen.push(...page.featureGroups.map((g) => g.featureGroupName));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(seen.filter((n) => n.endsWith(tag))).toEqual(Array.from({ length: 7 }, (_, i) => name(`page${i}`)));
      const window = await registry.listFeatureGroups({
        nameContains: tag,
        creationTimeAfter: new Date(start + 1500),
        creationTimeBefore: new Date(start + 4500),
        sortBy: 'Name',
        sortOrder: 'Descending',
      });
      expect(window.featureGroups.map((g) => g.featureGroupName)).toEqual([name('page4'), name('page3'), name('page2')]);
      expect((await registry.listFeatureGroups({ nameContains: '%' })).featureGroups).toEqual([]);
      await expect(registry.listFeatureGroups({ nextToken: 'garbage' })).rejects.toBeInstanceOf(ValidationError);
      await expect(registry.listFeatureGroups({ maxResults: 101 })).rejects.toBeInstanceOf(ValidationError);
    });

    it('updates in a transaction: a throwing change writes nothing, concurrent changes all land', async () => {
      const n = name('tx');
      await registry.createFeatureGroup(featureGroupFixture(n));
      await expect(
        registry.updateFeatureGroup(n, (g) => {
          g.description = 'changed';
          throw new ValidationError('no');
        }),
      ).rejects.toBeInstanceOf(ValidationError);
      expect((await registry.getFeatureGroup(n))!.description).toBe('fixture');
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          registry.updateFeatureGroup(n, (g) => ({
            ...g,
            features: [...g.features, { featureName: `f${i}`, featureType: 'String', parameters: [], creationTime: new Date(), lastModifiedTime: new Date() }],
          })),
        ),
      );
      const names = (await registry.getFeatureGroup(n))!.features.map((f) => f.featureName);
      expect(names.filter((f) => f.startsWith('f')).sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']);
      await expect(registry.updateFeatureGroup(name('ghost'), (g) => g)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('serialises updates from several registry instances on one database: every change lands', async () => {
      const n = name('multi');
      await registry.createFeatureGroup(featureGroupFixture(n));
      const others = await Promise.all([open(), open()]);
      try {
        const registries = [registry, ...others];
        await Promise.all(
          Array.from({ length: 9 }, (_, i) =>
            registries[i % registries.length]!.updateFeatureGroup(n, (g) => ({
              ...g,
              features: [...g.features, { featureName: `m${i}`, featureType: 'String', parameters: [], creationTime: new Date(), lastModifiedTime: new Date() }],
            })),
          ),
        );
        for (const r of registries) {
          const names = (await r.getFeatureGroup(n))!.features.map((f) => f.featureName);
          expect(names.filter((f) => f.startsWith('m')).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `m${i}`));
        }
      } finally {
        await Promise.all(others.map((r) => r.close()));
      }
      // Closing the others leaves this one working (SQLite shares one connection per file).
      expect((await registry.getFeatureGroup(n))?.featureGroupName).toBe(n);
    });

    it('deletes a group with its table pointer', async () => {
      const n = name('del');
      await registry.createFeatureGroup(featureGroupFixture(n));
      expect(await registry.swapTablePointer(n, undefined, 'file:///t/v1.metadata.json')).toBe(true);
      await registry.deleteFeatureGroup(n);
      expect(await registry.getFeatureGroup(n)).toBeUndefined();
      expect(await registry.getTablePointer(n)).toBeUndefined();
      await expect(registry.deleteFeatureGroup(n)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('swaps table pointers by compare-and-set', async () => {
      const t = name('table');
      expect(await registry.swapTablePointer(t, undefined, 'v1')).toBe(true);
      expect(await registry.swapTablePointer(t, undefined, 'v1-again')).toBe(false);
      const p1 = (await registry.getTablePointer(t))!;
      expect(p1.metadataLocation).toBe('v1');
      expect(await registry.swapTablePointer(t, p1, 'v2')).toBe(true);
      expect(await registry.swapTablePointer(t, p1, 'v2-stale')).toBe(false);
      expect((await registry.getTablePointer(t))!.metadataLocation).toBe('v2');
    });

    it('lets exactly one of racing swaps from separate connections win', async () => {
      const t = name('racing');
      await registry.swapTablePointer(t, undefined, 'v1');
      const others = await Promise.all([open(), open(), open()]);
      try {
        const current = (await registry.getTablePointer(t))!;
        const wins = await Promise.all([registry, ...others].map((r, i) => r.swapTablePointer(t, current, `v2-${i}`)));
        expect(wins.filter(Boolean)).toHaveLength(1);
      } finally {
        await Promise.all(others.map((r) => r.close()));
      }
    });

    it('keeps its data when opened again (migrations are idempotent)', async () => {
      const again = await open();
      try {
        expect((await again.getFeatureGroup(name('users')))?.featureGroupName).toBe(name('Users'));
      } finally {
        await again.close();
      }
    });

    it('records job runs and access keys', async () => {
      const id = randomUUID();
      const startedAt = new Date('2030-01-01T00:00:00Z');
      await registry.recordJobRun({ id, featureGroupName: name('users'), kind: 'optimize', status: 'running', startedAt, details: {} });
      await registry.recordJobRun({
        id,
        featureGroupName: name('users'),
        kind: 'optimize',
        status: 'succeeded',
        startedAt,
        finishedAt: new Date('2030-01-01T00:01:00Z'),
        details: { rewrittenDataFilesCount: 12 },
      });
      expect(await registry.listJobRuns({ featureGroupName: name('users') })).toEqual([
        { id, featureGroupName: name('users'), kind: 'optimize', status: 'succeeded', startedAt, finishedAt: new Date('2030-01-01T00:01:00Z'), details: { rewrittenDataFilesCount: 12 } },
      ]);
      const keyId = `AKIA${tag.toUpperCase()}`;
      const key = { accessKeyId: keyId, secretAccessKey: 'secret', role: 'reader' as const, featureGroups: ['a'], createdAt: startedAt };
      await registry.putAccessKey(key);
      expect(await registry.getAccessKey(keyId)).toEqual(key);
      expect((await registry.listAccessKeys()).map((k) => k.accessKeyId)).toContain(keyId);
      expect(await registry.deleteAccessKey(keyId)).toBe(true);
      expect(await registry.deleteAccessKey(keyId)).toBe(false);
      expect(await registry.getAccessKey(keyId)).toBeUndefined();
      await expect(registry.listJobRuns({ limit: 0 })).rejects.toMatchObject({ name: 'ValidationError', field: 'limit' });
    });

    it('records maintenance columns and filters job runs by kind and status', async () => {
      const group = name('jobs');
      const startedAt = new Date('2031-01-01T00:00:00Z');
      const run = {
        id: randomUUID(), featureGroupName: group, kind: 'vacuum', status: 'failed' as const, trigger: 'schedule', startedAt,
        finishedAt: new Date('2031-01-01T00:00:02Z'), durationMs: 2000, filesBefore: 10, filesAfter: 3, bytesBefore: 5_000_000_000, bytesAfter: 1200,
        details: {}, error: 'boom',
      };
      await registry.recordJobRun(run);
      await registry.recordJobRun({ id: randomUUID(), featureGroupName: group, kind: 'optimize', status: 'succeeded', startedAt, details: {} });
      expect(await registry.listJobRuns({ featureGroupName: group, kind: 'vacuum' })).toEqual([run]);
      expect((await registry.listJobRuns({ featureGroupName: group, status: 'succeeded' })).map((r) => r.kind)).toEqual(['optimize']);
    });

    it('grants a lease to one holder at a time, until it expires, is released or its holder is replaced', async () => {
      const lease = `maintenance:${tag}`;
      const t0 = new Date('2032-01-01T00:00:00Z');
      const at = (ms: number) => new Date(t0.getTime() + ms);
      expect(await registry.acquireLease(lease, 'a', 1000, { now: t0 })).toBe(true);
      expect(await registry.acquireLease(lease, 'b', 1000, { now: at(500) })).toBe(false);
      expect(await registry.acquireLease(lease, 'a', 1000, { now: at(500) })).toBe(true);
      expect(await registry.renewLease(lease, 'a', 1000, at(1000))).toBe(true);
      expect(await registry.renewLease(lease, 'b', 1000, at(1000))).toBe(false);
      expect(await registry.acquireLease(lease, 'b', 1000, { now: at(1900) })).toBe(false);
      expect(await registry.acquireLease(lease, 'b', 1000, { now: at(2000) })).toBe(true);
      expect((await registry.getLease(lease))?.holder).toBe('b');
      expect(await registry.acquireLease(lease, 'c', 1000, { now: at(2100), replacing: 'b' })).toBe(true);
      await registry.releaseLease(lease, 'b');
      expect((await registry.getLease(lease))?.holder).toBe('c');
      await registry.releaseLease(lease, 'c');
      expect(await registry.getLease(lease)).toBeUndefined();
      const racers = await Promise.all(['x', 'y', 'z', 'w'].map((h) => registry.acquireLease(`${lease}-race`, h, 60_000)));
      expect(racers.filter(Boolean)).toHaveLength(1);
    });
  });
}
