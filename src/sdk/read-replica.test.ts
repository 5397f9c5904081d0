import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from './feature-store.js';

const reader = fileURLToPath(new URL('./fixtures/replica-reader.ts', import.meta.url));

describe('ReadReplica, in another process than the store’s owner', () => {
  let dataDir: string;
  let store: FeatureStore;
  let child: ChildProcess;
  const next = () => new Promise<{ record?: Record<string, unknown> | null; error?: string }>((resolve) => child.once('message', resolve as never));
  const read = (group: string, id: string) => {
    const answer = next();
    child.send({ group, id });
    return answer;
  };
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
    child = fork(reader, [dataDir], { execArgv: ['--import', 'tsx'] });
    await next();
  });
  afterAll(async () => {
    child.disconnect();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finds a group at its first read after the owner creates it, though it had just been missing', async () => {
    expect(await read('later', 'a')).toEqual({ error: 'NotFoundError' });
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
});
