import { DescribeFeatureGroupCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetRecordCommand, PutRecordCommand, type SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/server/testing/test-server.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';

const GROUP = 'restarts';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  ok: number;
  /** Failures by `<status> <error name>`. */
  failures: Map<string, number>;
}

describe('Redis and PostgreSQL restarted under load', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres;
  let t: TestServer;
  let sm: SageMakerClient;
  let rt: SageMakerFeatureStoreRuntimeClient;
  const acknowledged: number[] = [];
  let seq = 0;
  let phase: Outcome = { ok: 0, failures: new Map() };
  let running = true;

  const record = (n: number) => [
    { FeatureName: 'id', ValueAsString: String(n % 100) },
    { FeatureName: 'event_time', ValueAsString: String(1_700_000_000 + n) },
    { FeatureName: 'seq', ValueAsString: String(n) },
  ];
  async function oneRequest(i: number): Promise<void> {
    const n = seq++;
    try {
      if (i % 3 === 0) {
        await rt.send(new PutRecordCommand({ FeatureGroupName: GROUP, Record: record(n) }));
        acknowledged.push(n);
      } else if (i % 3 === 1) await rt.send(new GetRecordCommand({ FeatureGroupName: GROUP, RecordIdentifierValueAsString: String(n % 100) }));
      else await sm.send(new DescribeFeatureGroupCommand({ FeatureGroupName: GROUP }));
      phase.ok++;
    } catch (error) {
      const e = error as Error & { $metadata?: { httpStatusCode?: number } };
      const key = `${e.$metadata?.httpStatusCode ?? 'no response'} ${e.name}`;
      phase.failures.set(key, (phase.failures.get(key) ?? 0) + 1);
    }
  }
  async function worker(w: number): Promise<void> {
    for (let i = w; running; i++) await oneRequest(i);
  }
  async function measure(ms: number): Promise<Outcome> {
    phase = { ok: 0, failures: new Map() };
    await sleep(ms);
    return phase;
  }
  async function untilServed(what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const p = await measure(200);
      if (p.ok > 0 && p.failures.size === 0) return;
      if (Date.now() > deadline) throw new Error(`${what}: requests still fail 15 s after the restart: ${JSON.stringify([...p.failures])}`);
    }
  }
  const onlyUnavailable = (o: Outcome) => [...o.failures.keys()].filter((k) => !/^(503|507) ServiceUnavailable$/.test(k));

  beforeAll(async () => {
    [redis, postgres] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
    t = await startTestServer({ serve: { onlineStore: { kind: 'redis', url: redis.url }, registryUrl: postgres.url } });
    sm = t.sagemaker();
    rt = t.runtime();
    await t.server.store.createFeatureGroup({
      featureGroupName: GROUP,
      recordIdentifierFeatureName: 'id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'id', featureType: 'Integral' },
        { featureName: 'event_time', featureType: 'Fractional' },
        { featureName: 'seq', featureType: 'Integral' },
      ],
    });
  }, 60_000);
  afterAll(async () => {
    running = false;
    await t?.stop().catch(() => undefined);
    await Promise.all([redis?.stop(), postgres?.stop()]);
  });

  it('fails requests cleanly while each is down, serves again after, and loses no acknowledged write', async () => {
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    const warm = await measure(800);
    expect(warm.failures.size, JSON.stringify([...warm.failures])).toBe(0);

    await redis.kill();
    const redisDown = await measure(1500);
    await redis.start();
    await untilServed('after the Redis restart');
    const afterRedis = acknowledged.length;

    await postgres.kill();
    const postgresDown = await measure(1500);
    await postgres.start();
    await untilServed('after the PostgreSQL restart');
    const served = await measure(500);
    running = false;
    await Promise.all(workers);

    for (const [name, down] of [['Redis', redisDown], ['PostgreSQL', postgresDown]] as const) {
      expect(down.failures.size, `${name} down: some requests must fail`).toBeGreaterThan(0);
      expect(onlyUnavailable(down), `${name} down: failures other than 503 ServiceUnavailable`).toEqual([]);
    }
    expect(served.failures.size).toBe(0);
    expect((await fetch(`${t.server.url}/health`)).status).toBe(200);

    // Every acknowledged put is offline exactly once (the log kept them through both outages).
    await t.server.store.featureGroup(GROUP).flush();
    const rows = (await t.server.store.query(`SELECT seq, count(*) AS n FROM ${GROUP} GROUP BY seq`)).rows as Array<{ seq: number; n: number }>;
    const counts = new Map(rows.map((r) => [r.seq, r.n]));
    for (const n of acknowledged) expect(counts.get(n), `acknowledged put ${n}`).toBe(1);
    expect(Math.max(...rows.map((r) => r.n))).toBe(1);
    // This Redis persists nothing, so the restart emptied it: puts acknowledged since are all online.
    const since = acknowledged.slice(afterRedis);
    const newest = new Map<number, number>();
    for (const n of since) newest.set(n % 100, Math.max(newest.get(n % 100) ?? -1, n));
    for (const [id, n] of newest) {
      const got = await t.server.store.featureGroup(GROUP).getRecord(id);
      expect(Number(got?.seq), `online record ${id}`).toBeGreaterThanOrEqual(n);
    }
  }, 120_000);
});
