import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureStore } from './feature-store.js';
import { featureStoreBehaviour } from './feature-store.suite.js';
import { offlineBehaviour } from './offline-store.suite.js';
import { datasetBehaviour } from './dataset.suite.js';
import { maintenanceBehaviour } from './maintenance.suite.js';
import { startTestS3Server, type TestS3Server } from '../test-support/s3-server.js';
import { dropSharedStores } from '../test-support/shared-stores.js';

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

const shared = async (warehouse?: { uri: string; s3: TestS3Server['s3']; close: () => Promise<void> }) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'floe-sdk-'));
  const schema = `sdk_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const prefix = `floe-test:${randomUUID()}:`;
  const store = await FeatureStore.open({
    dataDir,
    registryUrl: POSTGRES_URL,
    registrySchema: schema,
    onlineStore: { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix },
    ...(warehouse ? { warehouse: warehouse.uri, s3: warehouse.s3 } : {}),
  });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await warehouse?.close();
      await rm(dataDir, { recursive: true, force: true });
      await dropSharedStores({ schema, redisPrefix: prefix });
    },
  };
};
featureStoreBehaviour('shared (PostgreSQL registry, Redis online store)', () => shared());
offlineBehaviour('shared', () => shared());

/** The shared deployment with its warehouse on an S3-compatible server (s3rver on loopback, started here). */
const sharedOnS3 = async () => {
  const server = await startTestS3Server();
  return shared({ uri: `s3://${server.bucket}/tables`, s3: server.s3, close: server.close });
};
featureStoreBehaviour('shared on S3 (PostgreSQL registry, Redis online store, S3 warehouse)', sharedOnS3);
offlineBehaviour('shared on S3', sharedOnS3, (group) => new RegExp(`^s3://floe-warehouse/tables/${group}$`));
