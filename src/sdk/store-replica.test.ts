import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WriteEntry } from '../records/write-entry.js';
import { FeatureStore } from './feature-store.js';

const child = fileURLToPath(new URL('./fixtures/store-replica-child.ts', import.meta.url));

type Answer = { record?: Record<string, unknown> | null; error?: string; message?: string };

describe('StoreReplica, in another process than the store’s owner', () => {
  let dataDir: string;
  let store: FeatureStore;
  let replica: ChildProcess;
  let answers: Array<(a: Answer) => void> = [];
  const ask = (message: object) =>
    new Promise<Answer>((resolve) => {
      answers.push(resolve);
      replica.send(message);
    });
  const read = (group: string, id: string) => ask({ op: 'get', group, id });
  const put = (group: string, record: Record<string, unknown>) => ask({ op: 'put', group, record });
  const group = (name: string) => ({
    featureGroupName: name,
    recordIdentifierFeatureName: 'id',
    eventTimeFeatureName: 't',
    featureDefinitions: [
      { featureName: 'id', featureType: 'String' as const },
      { featureName: 't', featureType: 'Fractional' as const },
      { featureName: 'x', featureType: 'Integral' as const },
    ],
    onlineStoreConfig: { enableOnlineStore: true },
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'floe-replica-'));
    store = await FeatureStore.open({ dataDir });
    replica = fork(child, [dataDir], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
    const ready = new Promise((resolve) => replica.once('message', resolve));
    await ready;
    replica.on('message', (m: Answer | { submit: WriteEntry[] }) => {
      // The owner's side of a put: the replica validated it, this store writes it.
      if ('submit' in m) {
        store.submitReplicaWrites(m.submit).then(
          () => replica.send({ submitted: true }),
          (error: Error) => replica.send({ submitted: true, error: error.message }),
        );
        return;
      }
      const [first, ...rest] = answers;
      answers = rest;
      first?.(m);
    });
  });
  afterAll(async () => {
    replica.disconnect();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finds a group at its first read after the owner creates it, though it had just been missing', async () => {
    expect(await read('later', 'a')).toMatchObject({ error: 'NotFoundError' });
    await store.createFeatureGroup(group('later'));
    await store.featureGroup('later').putRecord({ id: 'a', t: 1700000000, x: 1 });
    expect(await read('later', 'a')).toEqual({ record: { id: 'a', t: 1700000000, x: 1 } });
  });

  it('reads every write the owner acknowledged, right after the acknowledgement', async () => {
    await store.createFeatureGroup(group('rw'));
    for (let i = 0; i < 100; i++) {
      await store.featureGroup('rw').putRecord({ id: 'same', t: 1700000000 + i, x: i });
      expect((await read('rw', 'same')).record).toEqual({ id: 'same', t: 1700000000 + i, x: i });
    }
    await store.featureGroup('rw').deleteRecord('same', 1800000000);
    expect(await read('rw', 'same')).toEqual({ record: null });
  });

  it('validates a put against the registry, and hands the owner what it accepts', async () => {
    await store.createFeatureGroup(group('puts'));
    expect(await put('puts', { id: 'p', t: 1700000000, x: 9007199254740993n })).toEqual({ record: null });
    // 64-bit exact through the channel and the owner's write path.
    expect(await store.featureGroup('puts').getRecord('p')).toEqual({ id: 'p', t: 1700000000, x: 9007199254740993n });
    expect(await put('puts', { id: 'q', t: 'yesterday', x: 1 })).toMatchObject({ error: 'ValidationError', message: expect.stringMatching(/^t: /) });
    expect(await store.featureGroup('puts').getRecord('q')).toBeUndefined();
  });

  it('checks a put refused against a cached definition once more against the registry: a feature just added is taken', async () => {
    await store.createFeatureGroup(group('grows'));
    expect(await put('grows', { id: 'a', t: 1700000000, x: 1 })).toEqual({ record: null }); // the definition is now cached
    await store.updateFeatureGroup({ featureGroupName: 'grows', featureAdditions: [{ featureName: 'city', featureType: 'String' }] });
    expect(await put('grows', { id: 'b', t: 1700000000, x: 2, city: 'Porto' })).toEqual({ record: null });
    expect(await store.featureGroup('grows').getRecord('b')).toEqual({ id: 'b', t: 1700000000, x: 2, city: 'Porto' });
  });
});
