import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateFeatureGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetRecordCommand, PutRecordCommand, SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../../sdk/index.js';
import { serveProcess } from '../../test-support/serve-process.js';

/** The built CLI (npm test builds first): starting it is several times cheaper than compiling main.ts on a loaded machine. */
const built = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);
const credentials = { accessKeyId: 'FLOEENVKEY0000000001', secretAccessKey: 'env-secret-for-tests-only' };

/** Starts `floe serve` on a free port; resolves once it says where it listens. */
const serve = (dataDir: string, env: NodeJS.ProcessEnv) => serveProcess(['serve', '--data-dir', dataDir, '--port', '0'], env);

describe('floe serve and floe keys, as processes', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'floe-serve-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('drains on SIGTERM: acknowledged writes are durable online and offline, and the exit is clean', async () => {
    const { child, url, stdout, stderr } = await serve(dataDir, { FLOE_ACCESS_KEY_ID: credentials.accessKeyId, FLOE_SECRET_ACCESS_KEY: credentials.secretAccessKey });
    expect(stderr()).toMatch(/credentials: admin key FLOEENVKEY0000000001 from FLOE_ACCESS_KEY_ID/);
    expect(stderr()).not.toContain(credentials.secretAccessKey);
    const config = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 };
    const sm = new SageMakerClient(config);
    const rt = new SageMakerFeatureStoreRuntimeClient(config);
    await sm.send(
      new CreateFeatureGroupCommand({
        FeatureGroupName: 'events',
        RecordIdentifierFeatureName: 'id',
        EventTimeFeatureName: 'ts',
        FeatureDefinitions: [
          { FeatureName: 'id', FeatureType: 'String' },
          { FeatureName: 'ts', FeatureType: 'Fractional' },
        ],
        OnlineStoreConfig: { EnableOnlineStore: true },
        OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://unused/' } },
      }),
    );
    const acknowledged: string[] = [];
    const failures: Array<{ status?: number; name: string }> = [];
    let next = 0;
    let signalled = false;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Eight callers write continuously; SIGTERM lands while writes are in flight.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (failures.length === 0) {
          const id = `e${next++}`;
          try {
            await rt.send(new PutRecordCommand({ FeatureGroupName: 'events', Record: [{ FeatureName: 'id', ValueAsString: id }, { FeatureName: 'ts', ValueAsString: '1735689600' }] }));
            acknowledged.push(id);
          } catch (error) {
            const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
            failures.push({ name: e.name, ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}) });
          }
          if (acknowledged.length >= 40 && !signalled) {
            signalled = true;
            child.kill('SIGTERM');
          }
        }
      }),
    );
    sm.destroy();
    rt.destroy();
    expect(await exited).toBe(0);
    // After the signal, a caller sees either its answer or a refused connection / 503 — never a 500.
    expect(failures.filter((f) => f.status !== undefined && f.status !== 503)).toEqual([]);
    expect(stdout()).toMatch(/"msg":"stopped: store flushed and closed"/);

    const store = await FeatureStore.open({ dataDir }); // the lock was released
    try {
      for (const id of acknowledged) expect(await store.featureGroup('events').getRecord(id)).toEqual({ id, ts: 1735689600 });
      const offline = await store.query('SELECT id FROM events');
      const ids = new Set(offline.rows.map((r) => r.id));
      expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('creates, lists and deletes keys while the server runs, and the server honours them', async () => {
    const floe = async (...args: string[]) => (await run(process.execPath, [built, '--data-dir', dataDir, ...args])).stdout;
    const { child, url } = await serve(dataDir, {});
    try {
      const created = JSON.parse(await floe('--json', 'keys', 'create', '--role', 'reader', '--feature-groups', 'events')) as {
        accessKeyId: string;
        secretAccessKey: string;
        role: string;
        featureGroups: string[];
      };
      expect(created).toMatchObject({ role: 'reader', featureGroups: ['events'] });
      const listed = await floe('keys', 'list');
      expect(listed).toContain(created.accessKeyId);
      expect(listed).not.toContain(created.secretAccessKey);
      const rt = new SageMakerFeatureStoreRuntimeClient({ endpoint: url, region: 'us-east-1', credentials: created, maxAttempts: 1 });
      const got = await rt.send(new GetRecordCommand({ FeatureGroupName: 'events', RecordIdentifierValueAsString: 'e0' }));
      expect(got.Record).toContainEqual({ FeatureName: 'id', ValueAsString: 'e0' });
      rt.destroy();
      expect(await floe('keys', 'delete', created.accessKeyId)).toMatch(/deleted access key/);
      expect(await floe('keys', 'list')).not.toContain(created.accessKeyId);
      await expect(floe('keys', 'create', '--role', 'owner')).rejects.toMatchObject({ stderr: expect.stringMatching(/role: must be one of admin, writer, reader/) });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  }, 120_000); // six CLI processes, each starting TypeScript: slow on a loaded machine
});
