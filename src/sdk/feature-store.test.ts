import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { FeatureStore } from './feature-store.js';
import { featureStoreBehaviour } from './feature-store.suite.js';
import { offlineBehaviour } from './offline-store.suite.js';
import { datasetBehaviour } from './dataset.suite.js';
import { maintenanceBehaviour } from './maintenance.suite.js';

const embedded = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'floe-sdk-'));
  const store = await FeatureStore.open({ dataDir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};
featureStoreBehaviour('embedded (SQLite registry, LMDB online store)', embedded);
offlineBehaviour('embedded', embedded);
datasetBehaviour('embedded', embedded);
maintenanceBehaviour('embedded', embedded);

const POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/test';

const shared = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'floe-sdk-'));
  const schema = `sdk_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const prefix = `floe-test:${randomUUID()}:`;
  const store = await FeatureStore.open({
    dataDir,
    registryUrl: POSTGRES_URL,
    registrySchema: schema,
    onlineStore: { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix },
  });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      const redis = new Redis('redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
};
featureStoreBehaviour('shared (PostgreSQL registry, Redis online store)', shared);
offlineBehaviour('shared', shared);
