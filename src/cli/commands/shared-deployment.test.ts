import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateFeatureGroupCommand, DescribeFeatureGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetRecordCommand, PutRecordCommand, SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore, type OpenOptions } from '../../sdk/index.js';
import { startTestS3Server, type TestS3Server } from '../../test-support/s3-server.js';
import { dropSharedStores } from '../../test-support/shared-stores.js';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';
const credentials = { accessKeyId: 'FLOESHAREDKEY0000001', secretAccessKey: 'shared-secret-for-tests-only' };

interface Server {
  child: ChildProcess;
  url: string;
  sm: SageMakerClient;
  rt: SageMakerFeatureStoreRuntimeClient;
  exited: Promise<number | null>;
}

/** Starts `floe serve` as a child process over the shared parts, with a data directory of its own. */
function serve(dataDir: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'warn'], {
    env: { ...process.env, ...env, FLOE_ACCESS_KEY_ID: credentials.accessKeyId, FLOE_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err += String(d);
      const m = /floe listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        const config = { endpoint: m[1]!, region: 'us-east-1', credentials, maxAttempts: 1 };
        resolve({ child, url: m[1]!, sm: new SageMakerClient(config), rt: new SageMakerFeatureStoreRuntimeClient(config), exited });
      }
    });
    void exited.then((code) => reject(new Error(`floe serve exited with ${code}: ${err}`)));
  });
}

async function stop(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  server.sm.destroy();
  server.rt.destroy();
  server.child.kill(signal);
  await server.exited;
}

const put = (server: Server, group: string, id: string, value: number) =>
  server.rt.send(
    new PutRecordCommand({
      FeatureGroupName: group,
      Record: [
        { FeatureName: 'id', ValueAsString: id },
        { FeatureName: 'ts', ValueAsString: '1700000000' },
        { FeatureName: 'value', ValueAsString: String(value) },
      ],
    }),
  );

const getValue = async (server: Server, group: string, id: string) =>
  (await server.rt.send(new GetRecordCommand({ FeatureGroupName: group, RecordIdentifierValueAsString: id }))).Record?.find((f) => f.FeatureName === 'value')
    ?.ValueAsString;

/**
 * Two `floe serve` processes over one PostgreSQL registry (a schema of its own), one Redis online
 * store (a key prefix of its own) and one warehouse, each with its own data directory (its
 * write-ahead log, its cache): they behave as one store.
 */
describe.each([
  ['an S3 warehouse (s3rver on loopback)', true],
  ['a shared local warehouse directory', false],
])('shared deployment: two floe serve processes, %s', (_label, onS3) => {
  let dir: string;
  let s3: TestS3Server | undefined;
  let env: NodeJS.ProcessEnv;
  let options: OpenOptions;
  const schema = `shared_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const prefix = `floe-shared-test:${randomUUID()}:`;
  let a: Server;
  let b: Server;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-shared-'));
    s3 = onS3 ? await startTestS3Server() : undefined;
    const warehouse = s3 ? `s3://${s3.bucket}/tables` : join(dir, 'warehouse');
    env = {
      FLOE_REGISTRY_URL: POSTGRES_URL,
      FLOE_REGISTRY_SCHEMA: schema,
      FLOE_REDIS_URL: REDIS_URL,
      FLOE_REDIS_PREFIX: prefix,
      FLOE_WAREHOUSE: warehouse,
      ...(s3 ? { FLOE_S3_ENDPOINT: s3.endpoint, FLOE_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId, FLOE_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey } : {}),
    };
    options = {
      registryUrl: POSTGRES_URL,
      registrySchema: schema,
      onlineStore: { kind: 'redis', url: REDIS_URL, prefix },
      warehouse,
      ...(s3 ? { s3: s3.s3 } : {}),
    };
    [a, b] = await Promise.all([serve(join(dir, 'a'), env), serve(join(dir, 'b'), env)]);
  }, 60_000);

  afterAll(async () => {
    for (const s of [a, b]) if (s && s.child.exitCode === null && s.child.signalCode === null) await stop(s);
    await s3?.close();
    await dropSharedStores({ schema, redisPrefix: prefix });
    await rm(dir, { recursive: true, force: true });
  });

  /** Offline rows counted through a store of this test's own over the same shared parts. */
  async function offlineCounts(group: string): Promise<{ rows: number; ids: number; perLogKeys: number }> {
    const store = await FeatureStore.open({ ...options, dataDir: join(dir, `reader-${randomUUID()}`) });
    try {
      const [row] = (await store.query(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM "${group}"`)).rows;
      const snapshots = await store.featureGroup(group).snapshots();
      const keys = new Set(snapshots.flatMap((s) => Object.keys(s.summary).filter((k) => k.startsWith('floe.log-position.'))));
      return { rows: Number(row!.n), ids: Number(row!.ids), perLogKeys: keys.size };
    } finally {
      await store.close();
    }
  }

  const createGroup = (server: Server, name: string) =>
    server.sm.send(
      new CreateFeatureGroupCommand({
        FeatureGroupName: name,
        RecordIdentifierFeatureName: 'id',
        EventTimeFeatureName: 'ts',
        FeatureDefinitions: [
          { FeatureName: 'id', FeatureType: 'String' },
          { FeatureName: 'ts', FeatureType: 'Fractional' },
          { FeatureName: 'value', FeatureType: 'Integral' },
        ],
        OnlineStoreConfig: { EnableOnlineStore: true },
        OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://ignored/' } },
      }),
    );

  it('reads through either server what was written through the other, and lands concurrent commits from both', async () => {
    await createGroup(a, 'clicks');
    const described = await b.sm.send(new DescribeFeatureGroupCommand({ FeatureGroupName: 'clicks' }));
    expect(described.FeatureGroupStatus).toBe('Created');
    expect(described.OfflineStoreConfig?.S3StorageConfig?.ResolvedOutputS3Uri).toMatch(onS3 ? /^s3:\/\/floe-warehouse\/tables\/clicks$/ : /^file:\/\//);

    await put(a, 'clicks', 'from-a', 1);
    await put(b, 'clicks', 'from-b', 2);
    expect(await getValue(b, 'clicks', 'from-a')).toBe('1');
    expect(await getValue(a, 'clicks', 'from-b')).toBe('2');

    // Concurrent commits to one table from both processes: 60 records each, 6 at a time per server.
    const ids = (server: string) => Array.from({ length: 60 }, (_, i) => `${server}-${i}`);
    const writeAll = async (server: Server, list: string[]) => {
      for (let i = 0; i < list.length; i += 6) await Promise.all(list.slice(i, i + 6).map((id, j) => put(server, 'clicks', id, i + j)));
    };
    await Promise.all([writeAll(a, ids('a')), writeAll(b, ids('b'))]);
    expect(await getValue(a, 'clicks', 'b-59')).toBe('59');
    expect(await getValue(b, 'clicks', 'a-59')).toBe('59');

    // Offline commits happen within a fraction of a second; poll until both processes' rows are in.
    let counts = await offlineCounts('clicks');
    for (let i = 0; i < 50 && counts.rows < 122; i++) {
      await new Promise((r) => setTimeout(r, 200));
      counts = await offlineCounts('clicks');
    }
    expect(counts).toEqual({ rows: 122, ids: 122, perLogKeys: 2 });

    // Each server keeps the data files it wrote in its own cache, and says so in its metrics.
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    if (onS3) expect(metrics).toMatch(/^floe_offline_cache_bytes [1-9]\d*$/m);
    else expect(metrics).not.toContain('floe_offline_cache');
  }, 120_000);

  it('replays the log of a process killed with SIGKILL when it restarts: every acknowledged write once, beside the other process\'s commits', async () => {
    await createGroup(a, 'orders');
    // b commits first and gets well ahead in its own log positions...
    for (let i = 0; i < 40; i += 8) await Promise.all(Array.from({ length: 8 }, (_, j) => put(b, 'orders', `b-${i + j}`, i + j)));
    // ...then a writes, and dies right after the last acknowledgement, before its buffer commits.
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i += 5) {
      await Promise.all(Array.from({ length: 5 }, (_, j) => put(a, 'orders', `a-${i + j}`, i + j)));
      acknowledged.push(...Array.from({ length: 5 }, (_, j) => `a-${i + j}`));
    }
    await stop(a, 'SIGKILL');
    a = await serve(join(dir, 'a'), env);
    for (const id of acknowledged) expect(await getValue(b, 'orders', id)).toBe(id.slice(2));
    let counts = await offlineCounts('orders');
    for (let i = 0; i < 50 && counts.rows < 60; i++) {
      await new Promise((r) => setTimeout(r, 200));
      counts = await offlineCounts('orders');
    }
    expect(counts.rows).toBe(60);
    expect(counts.ids).toBe(60);
  }, 120_000);
});

/**
 * Two `floe serve` processes scheduling maintenance every second for the same table on S3: the
 * lease in the registry lets one run at a time, whichever server's cron fires.
 */
describe('shared deployment: maintenance across two floe serve processes on an S3 warehouse', () => {
  let dir: string;
  let s3: TestS3Server;
  const schema = `maint_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const prefix = `floe-maint-test:${randomUUID()}:`;
  let servers: Server[] = [];
  let options: OpenOptions;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-maint-'));
    s3 = await startTestS3Server();
    const warehouse = `s3://${s3.bucket}/tables`;
    const env = {
      FLOE_REGISTRY_URL: POSTGRES_URL,
      FLOE_REGISTRY_SCHEMA: schema,
      FLOE_REDIS_URL: REDIS_URL,
      FLOE_REDIS_PREFIX: prefix,
      FLOE_WAREHOUSE: warehouse,
      FLOE_S3_ENDPOINT: s3.endpoint,
      FLOE_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      FLOE_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      FLOE_MAINTENANCE_SCHEDULE: '* * * * * *', // every second (croner's seconds field)
    };
    options = { registryUrl: POSTGRES_URL, registrySchema: schema, onlineStore: { kind: 'redis', url: REDIS_URL, prefix }, warehouse, s3: s3.s3 };
    // The group exists before the servers start, so their schedulers arm it at once (they re-read groups every 30 s).
    const setup = await FeatureStore.open({ ...options, dataDir: join(dir, 'setup') });
    await setup.createFeatureGroup({
      featureGroupName: 'events',
      recordIdentifierFeatureName: 'id',
      eventTimeFeatureName: 'ts',
      featureDefinitions: [
        { featureName: 'id', featureType: 'String' },
        { featureName: 'ts', featureType: 'Fractional' },
        { featureName: 'value', featureType: 'Integral' },
      ],
    });
    await setup.close();
    servers = await Promise.all([serve(join(dir, 'a'), env), serve(join(dir, 'b'), env)]);
  }, 60_000);

  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) await stop(s);
    await s3?.close();
    await dropSharedStores({ schema, redisPrefix: prefix });
    await rm(dir, { recursive: true, force: true });
  });

  it('never runs two jobs on one table at once, and compaction keeps every row', async () => {
    const [a, b] = servers as [Server, Server];
    // Small commits from both servers while their schedulers compete for the table.
    for (let i = 0; i < 30; i++) {
      await Promise.all([put(a, 'events', `a-${i}`, i), put(b, 'events', `b-${i}`, i)]);
      await new Promise((r) => setTimeout(r, 150));
    }
    const reader = await FeatureStore.open({ ...options, dataDir: join(dir, 'reader') });
    try {
      let finished: Awaited<ReturnType<FeatureStore['listJobs']>> = [];
      for (let i = 0; i < 100 && finished.length < 6; i++) {
        await new Promise((r) => setTimeout(r, 200));
        finished = (await reader.listJobs({ featureGroupName: 'events', limit: 500 })).filter((j) => j.status !== 'running');
      }
      await Promise.all(servers.map((s) => stop(s)));
      const runs = (await reader.listJobs({ featureGroupName: 'events', limit: 500 })).filter((j) => j.finishedAt !== undefined);
      expect(runs.length).toBeGreaterThanOrEqual(6);
      expect(runs.some((r) => r.kind === 'optimize' && r.status === 'succeeded')).toBe(true);
      const spans = runs.map((r) => [Date.parse(r.startedAt), Date.parse(r.finishedAt!)] as const).sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i]![0], `run ${i} starts before run ${i - 1} ends`).toBeGreaterThanOrEqual(spans[i - 1]![1]);
      const [row] = (await reader.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM events')).rows;
      expect(row).toEqual({ n: 60, ids: 60 });
    } finally {
      await reader.close();
    }
  }, 180_000);
});
