import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PutRecordCommand, type SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { CreateFeatureGroupCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageFullError } from '../../src/domain/index.js';
import { FeatureStore } from '../../src/sdk/index.js';
import { startTestServer, type TestServer } from '../../src/server/testing/test-server.js';
import { mountTmpfs, type Tmpfs } from '../support/tmpfs.js';

const GROUP = 'diskfull';

/** Fills the file system up to the last byte it will take. */
async function fillDisk(path: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 9, 1]) {
      const chunk = Buffer.alloc(size, 7);
      for (;;) {
        try {
          const { bytesWritten } = await handle.write(chunk);
          if (bytesWritten < size) break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    await handle.close();
  }
}

describe('a data directory whose disk fills up', () => {
  let disk: Tmpfs;
  let t: TestServer;
  let rt: SageMakerFeatureStoreRuntimeClient;
  const acknowledged: number[] = [];
  const put = (n: number) =>
    rt.send(
      new PutRecordCommand({
        FeatureGroupName: GROUP,
        Record: [
          { FeatureName: 'id', ValueAsString: String(n) },
          { FeatureName: 'event_time', ValueAsString: String(1_700_000_000 + n) },
          { FeatureName: 'payload', ValueAsString: 'x'.repeat(200) },
        ],
      }),
    );

  beforeAll(async () => {
    disk = await mountTmpfs(32 * 1024 * 1024);
    t = await startTestServer({ dataDir: join(disk.dir, 'data') });
    rt = t.runtime();
    await t.sagemaker().send(
      new CreateFeatureGroupCommand({
        FeatureGroupName: GROUP,
        RecordIdentifierFeatureName: 'id',
        EventTimeFeatureName: 'event_time',
        FeatureDefinitions: [
          { FeatureName: 'id', FeatureType: 'Integral' },
          { FeatureName: 'event_time', FeatureType: 'Fractional' },
          { FeatureName: 'payload', FeatureType: 'String' },
        ],
        OnlineStoreConfig: { EnableOnlineStore: true },
        OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://unused' }, TableFormat: 'Iceberg' },
      }),
    );
  });
  afterAll(async () => {
    await t?.stop().catch(() => undefined);
    await disk?.unmount();
  });

  it('refuses writes with a typed error while full, keeps what was acknowledged, and writes again once space returns', async () => {
    let n = 0;
    for (; n < 50; n++) {
      await put(n);
      acknowledged.push(n);
    }
    await t.server.store.featureGroup(GROUP).flush();

    const filler = join(disk.dir, 'filler');
    await fillDisk(filler);
    const refusals: Array<{ status?: number; name: string; message: string }> = [];
    for (let i = 0; i < 200 && refusals.length < 20; i++, n++) {
      try {
        await put(n);
        acknowledged.push(n); // the last free bytes of a page may still take a few
      } catch (error) {
        const e = error as Error & { $metadata?: { httpStatusCode?: number } };
        refusals.push({ status: e.$metadata?.httpStatusCode, name: e.name, message: e.message });
      }
    }
    expect(refusals.length).toBeGreaterThan(0);
    for (const r of refusals) {
      expect(r, JSON.stringify(r)).toMatchObject({ status: 507, name: 'ServiceUnavailable' });
      expect(r.message).toMatch(/disk is full/);
    }
    // Bulk ingest through the SDK gets the same typed error.
    const rows = Array.from({ length: 2000 }, (_, i) => ({ id: 100_000 + i, event_time: 1_800_000_000, payload: 'y'.repeat(500) }));
    await expect(t.server.store.featureGroup(GROUP).ingest(rows)).rejects.toBeInstanceOf(StorageFullError);
    const health = await fetch(`${t.server.url}/health`);
    expect(health.status).toBe(200);

    await rm(filler);
    for (let i = 0; i < 50; i++, n++) {
      await put(n);
      acknowledged.push(n);
    }
    await t.server.store.featureGroup(GROUP).flush();
  });

  it('holds every acknowledged write exactly once after a restart', async () => {
    await t.stop();
    const store = await FeatureStore.open({ dataDir: join(disk.dir, 'data') });
    try {
      const rows = (await store.query(`SELECT id, count(*) AS n FROM ${GROUP} WHERE id < 100000 GROUP BY id`)).rows as Array<{ id: number; n: number }>;
      const counts = new Map(rows.map((r) => [r.id, r.n]));
      for (const id of acknowledged) expect(counts.get(id), `acknowledged write ${id}`).toBe(1);
      expect(Math.max(...rows.map((r) => r.n))).toBe(1);
      const online = await store.featureGroup(GROUP).batchGetRecord(acknowledged);
      expect(online).toHaveLength(acknowledged.length);
    } finally {
      await store.close();
    }
  });
});
