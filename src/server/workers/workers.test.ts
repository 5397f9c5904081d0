import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateFeatureGroupCommand, DescribeFeatureGroupCommand, SageMakerClient, UpdateFeatureGroupCommand } from '@aws-sdk/client-sagemaker';
import {
  BatchGetRecordCommand,
  BatchWriteRecordCommand,
  DeleteRecordCommand,
  GetRecordCommand,
  PutRecordCommand,
  SageMakerFeatureStoreRuntimeClient,
} from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../../sdk/index.js';
import { serveProcess } from '../../test-support/serve-process.js';
import { dropSharedStores } from '../../test-support/shared-stores.js';

const credentials = { accessKeyId: 'FLOEWORKERS000000001', secretAccessKey: 'workers-secret-for-tests-only' };
const env = { FLOE_ACCESS_KEY_ID: credentials.accessKeyId, FLOE_SECRET_ACCESS_KEY: credentials.secretAccessKey };

interface Served {
  child: ChildProcess;
  url: string;
  log: () => string;
}

/** `floe serve --workers 2` as a process; resolves once it says where it listens. */
async function serve(dataDir: string, globalArgs: string[] = []): Promise<Served> {
  const served = await serveProcess([...globalArgs, 'serve', '--data-dir', dataDir, '--port', '0', '--workers', '2', '--no-maintenance'], env);
  return { child: served.child, url: served.url, log: () => served.stdout() + served.stderr() };
}

/** The worker processes: the children of the primary that run worker-main. */
async function workerPids(primary: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)('pgrep', ['-P', String(primary), '-f', 'worker-main']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number).sort();
}

/** A group of users (user_id, event_time, age), online, and offline when asked. */
const groupOfUsers = (name: string, { offline = false } = {}) =>
  new CreateFeatureGroupCommand({
    FeatureGroupName: name,
    RecordIdentifierFeatureName: 'user_id',
    EventTimeFeatureName: 'event_time',
    FeatureDefinitions: [
      { FeatureName: 'user_id', FeatureType: 'String' },
      { FeatureName: 'event_time', FeatureType: 'String' },
      { FeatureName: 'age', FeatureType: 'Integral' },
    ],
    OnlineStoreConfig: { EnableOnlineStore: true },
    ...(offline ? { OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://unused/' } } } : {}),
  });

const record = (id: string, ts: string, extra: Array<{ FeatureName: string; ValueAsString: string }> = []) => [
  { FeatureName: 'user_id', ValueAsString: id },
  { FeatureName: 'event_time', ValueAsString: ts },
  { FeatureName: 'age', ValueAsString: '42' },
  ...extra,
];

describe('floe serve --workers: replicas on the port, the store in the primary', () => {
  let dataDir: string;
  let served: Served;
  let sm: SageMakerClient;
  let rt: SageMakerFeatureStoreRuntimeClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'floe-workers-'));
    served = await serve(dataDir);
    const config = { endpoint: served.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    sm = new SageMakerClient(config);
    rt = new SageMakerFeatureStoreRuntimeClient(config);
    await sm.send(groupOfUsers('users', { offline: true }));
  }, 60_000);

  afterAll(async () => {
    sm?.destroy();
    rt?.destroy();
    if (served && served.child.exitCode === null) {
      served.child.kill('SIGKILL');
      await new Promise((resolve) => served.child.on('exit', resolve));
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('forks the workers it was asked for', async () => {
    expect(await workerPids(served.child.pid!)).toHaveLength(2);
    expect(served.log()).toMatch(/"workers":2/);
  });

  it('reads every acknowledged write at once, from any worker (puts validated by a worker and logged by the primary)', async () => {
    // Several clients, so that connections land on both workers.
    const clients = Array.from({ length: 4 }, () => new SageMakerFeatureStoreRuntimeClient({ endpoint: served.url, region: 'us-east-1', credentials, maxAttempts: 1 }));
    try {
      for (let i = 0; i < 40; i++) {
        const client = clients[i % clients.length]!;
        await client.send(new PutRecordCommand({ FeatureGroupName: 'users', Record: record(`u${i}`, `2025-01-01T00:00:${String(i).padStart(2, '0')}Z`) }));
        const got = await clients[(i + 1) % clients.length]!.send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: `u${i}` }));
        expect(got.Record).toContainEqual({ FeatureName: 'user_id', ValueAsString: `u${i}` });
      }
      const batch = await clients[0]!.send(
        new BatchGetRecordCommand({ Identifiers: [{ FeatureGroupName: 'users', RecordIdentifiersValueAsString: ['u1', 'u2', 'missing'], FeatureNames: ['age'] }] }),
      );
      expect(batch.Records?.map((r) => r.RecordIdentifierValueAsString).sort()).toEqual(['u1', 'u2']);
      expect(batch.Records?.[0]?.Record).toEqual([{ FeatureName: 'age', ValueAsString: '42' }]);
      expect(batch.UnprocessedIdentifiers).toEqual([]);
      // A batch: the bad entry comes back with its reason, the others are written (an int64 beyond 2^53 exactly).
      const written = await clients[3]!.send(
        new BatchWriteRecordCommand({
          Entries: [
            { FeatureGroupName: 'users', Record: record('b1', '2025-01-01T00:00:00Z') },
            { FeatureGroupName: 'users', Record: [...record('b2', '2025-01-01T00:00:00Z').slice(0, 2), { FeatureName: 'age', ValueAsString: 'old' }] },
            { FeatureGroupName: 'users', Record: [...record('b3', '2025-01-01T00:00:00Z').slice(0, 2), { FeatureName: 'age', ValueAsString: '9007199254740993' }] },
          ],
        }),
      );
      expect(written.Errors).toHaveLength(1);
      expect(written.Errors![0]).toMatchObject({ ErrorCode: 'ValidationError', Entry: { Record: expect.arrayContaining([{ FeatureName: 'user_id', ValueAsString: 'b2' }]) } });
      expect((await clients[0]!.send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: 'b3' }))).Record).toContainEqual({
        FeatureName: 'age',
        ValueAsString: '9007199254740993',
      });
      expect((await clients[1]!.send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: 'b2' }))).Record).toBeUndefined();
      await clients[1]!.send(new DeleteRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: 'u3', EventTime: '2025-01-02T00:00:00Z' }));
      const deleted = await clients[2]!.send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: 'u3' }));
      expect(deleted.Record).toBeUndefined();
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('answers reads with the primary’s errors: unknown group, bad input, unknown key, bad signature', async () => {
    await expect(rt.send(new GetRecordCommand({ FeatureGroupName: 'nope', RecordIdentifierValueAsString: 'x' }))).rejects.toMatchObject({
      name: 'ResourceNotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(rt.send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: 'u1', FeatureNames: ['nope'] }))).rejects.toMatchObject({
      name: 'ValidationError',
      $metadata: { httpStatusCode: 400 },
    });
    const stranger = new SageMakerFeatureStoreRuntimeClient({
      endpoint: served.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'FLOEUNKNOWN000000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const forger = new SageMakerFeatureStoreRuntimeClient({
      endpoint: served.url,
      region: 'us-east-1',
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    try {
      // A read (answered by a worker) and a write (forwarded): refused alike, and the write changed nothing.
      await expect(stranger.send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: 'u1' }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 403 },
      });
      await expect(forger.send(new PutRecordCommand({ FeatureGroupName: 'users', Record: record('forged', '2025-01-01T00:00:00Z') }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 403 },
      });
      const after = await rt.send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: 'forged' }));
      expect(after.Record).toBeUndefined();
    } finally {
      stranger.destroy();
      forger.destroy();
    }
  });

  it('sees a group created and a feature added through the primary', async () => {
    await sm.send(groupOfUsers('fresh'));
    // A group unknown to a worker is looked up again at its next read: at once.
    await rt.send(new PutRecordCommand({ FeatureGroupName: 'fresh', Record: record('f1', '2025-01-01T00:00:00Z') }));
    expect((await rt.send(new GetRecordCommand({ FeatureGroupName: 'fresh', RecordIdentifierValueAsString: 'f1' }))).Record).toHaveLength(3);

    await sm.send(new UpdateFeatureGroupCommand({ FeatureGroupName: 'fresh', FeatureAdditions: [{ FeatureName: 'city', FeatureType: 'String' }] }));
    expect((await sm.send(new DescribeFeatureGroupCommand({ FeatureGroupName: 'fresh' }))).FeatureDefinitions).toHaveLength(4);
    await rt.send(new PutRecordCommand({ FeatureGroupName: 'fresh', Record: record('f2', '2025-01-01T00:00:00Z', [{ FeatureName: 'city', ValueAsString: 'Porto' }]) }));
    // A worker refusing a call against its cached definition checks the registry's: the new feature is taken at once.
    const got = await rt.send(new GetRecordCommand({ FeatureGroupName: 'fresh', RecordIdentifierValueAsString: 'f2', FeatureNames: ['city'] }));
    expect(got.Record).toEqual([{ FeatureName: 'city', ValueAsString: 'Porto' }]);
  });

  it("answers every forwarded call of a client that closes its connections (Connection: close stays with the worker's hop)", async () => {
    // A client without keep-alive sends Connection: close; passed on, it made the primary close
    // the shared connection under the worker, and about one call in six came back 503.
    const closing = new SageMakerClient({ endpoint: served.url, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: { httpAgent: new HttpAgent({ keepAlive: false }) } });
    try {
      for (let i = 0; i < 40; i++) expect((await closing.send(new DescribeFeatureGroupCommand({ FeatureGroupName: 'fresh' }))).FeatureGroupName).toBe('fresh');
    } finally {
      closing.destroy();
    }
  });

  it('serves the native API too: bearer-token gets and puts in the workers, the rest forwarded, a streamed ingest included', async () => {
    const remote = await FeatureStore.connect({ endpoint: served.url, credentials });
    try {
      const group = remote.featureGroup('users');
      await group.putRecord({ user_id: 'n1', event_time: '2025-01-01T00:00:00Z', age: 7 });
      expect(await group.getRecord('n1')).toEqual({ user_id: 'n1', event_time: '2025-01-01T00:00:00Z', age: 7 });
      expect((await group.batchGetRecord(['n1', 'u1'])).map((r) => r.user_id).sort()).toEqual(['n1', 'u1']);
      const rows = Array.from({ length: 500 }, (_, i) => ({ user_id: `bulk${i}`, event_time: '2025-01-03T00:00:00Z', age: i }));
      const ingested = await group.ingest(rows);
      expect(ingested.rowsWritten).toBe(500);
      expect(await group.getRecord('bulk499')).toMatchObject({ age: 499 });
      expect((await remote.describeFeatureGroup('users')).featureGroupName).toBe('users');
    } finally {
      await remote.close();
    }
  });

  it('counts the workers’ requests in /metrics (scraped from any worker)', async () => {
    const before = await getRecordCount(served.url);
    for (let i = 0; i < 10; i++) await rt.send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: 'u1' }));
    expect((await getRecordCount(served.url)) - before).toBe(10);
  });

  it('replaces a worker that dies; the port keeps answering', async () => {
    const [victim, survivor] = await workerPids(served.child.pid!);
    process.kill(victim!, 'SIGKILL');
    for (let i = 0; i < 10; i++) {
      const got = await rt.send(new GetRecordCommand({ FeatureGroupName: 'users', RecordIdentifierValueAsString: 'u1' })).catch(() => undefined);
      if (got) expect(got.Record).toHaveLength(3);
    }
    const deadline = Date.now() + 20_000;
    let pids: number[] = [];
    while (Date.now() < deadline) {
      pids = await workerPids(served.child.pid!);
      if (pids.length === 2 && !pids.includes(victim!)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(pids).toHaveLength(2);
    expect(pids).toContain(survivor);
    expect(pids).not.toContain(victim);
    expect(served.log()).toMatch(/worker exited; starting another/);
    // The replacement joins the same port.
    const listeningOnPort = () => served.log().split(`Server listening at ${served.url}`).length - 1;
    while (listeningOnPort() < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listeningOnPort()).toBe(3);
  }, 30_000);

  it('drains on SIGTERM: workers and primary exit cleanly, and acknowledged writes are there after a restart', async () => {
    const acknowledged: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const id = `d${w}-${i}`;
        try {
          await rt.send(new PutRecordCommand({ FeatureGroupName: 'users', Record: record(id, '2025-01-05T00:00:00Z') }));
          acknowledged.push(id);
        } catch {
          return; // refused or cut while draining: not acknowledged
        }
      }
    });
    while (acknowledged.length < 50) await new Promise((resolve) => setTimeout(resolve, 20));
    const pids = await workerPids(served.child.pid!);
    const exited = new Promise<number | null>((resolve) => served.child.on('exit', resolve));
    served.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    stop = true;
    await Promise.all(writers);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();

    const store = await FeatureStore.open({ dataDir });
    try {
      for (const id of acknowledged) expect(await store.featureGroup('users').getRecord(id), id).toBeDefined();
    } finally {
      await store.close();
    }
  }, 60_000);
});

/** floe_requests_total for GetRecord with status 200, summed over the processes. */
async function getRecordCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^floe_requests_total\{operation="GetRecord",status="200"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

describe('floe serve --workers on shared stores: Redis online, PostgreSQL registry', () => {
  const prefix = `floe-workers-${process.pid}-${Date.now()}:`;
  const schema = `workers_${process.pid}_${Date.now()}`;
  let dataDir: string;
  let served: Served;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'floe-workers-shared-'));
    served = await serve(dataDir, ['--redis-url', 'redis://127.0.0.1:6379', '--redis-prefix', prefix, '--registry-url', 'postgres://postgres@127.0.0.1:5432/test', '--registry-schema', schema]);
  }, 60_000);
  afterAll(async () => {
    if (served && served.child.exitCode === null) {
      served.child.kill('SIGTERM');
      await new Promise((resolve) => served.child.on('exit', resolve));
    }
    await dropSharedStores({ schema, redisPrefix: prefix });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates through the primary, puts through the workers, and reads every put at once from any worker', async () => {
    const config = { endpoint: served.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    const sm = new SageMakerClient(config);
    const clients = Array.from({ length: 4 }, () => new SageMakerFeatureStoreRuntimeClient(config));
    try {
      await sm.send(groupOfUsers('shared'));
      for (let i = 0; i < 20; i++) {
        await clients[i % 4]!.send(new PutRecordCommand({ FeatureGroupName: 'shared', Record: record(`s${i}`, '2025-01-01T00:00:00Z') }));
        const got = await clients[(i + 1) % 4]!.send(new GetRecordCommand({ FeatureGroupName: 'shared', RecordIdentifierValueAsString: `s${i}` }));
        expect(got.Record).toContainEqual({ FeatureName: 'user_id', ValueAsString: `s${i}` });
      }
      const batch = await clients[0]!.send(new BatchGetRecordCommand({ Identifiers: [{ FeatureGroupName: 'shared', RecordIdentifiersValueAsString: ['s0', 's19'] }] }));
      expect(batch.Records).toHaveLength(2);
    } finally {
      sm.destroy();
      for (const c of clients) c.destroy();
    }
  });
});
