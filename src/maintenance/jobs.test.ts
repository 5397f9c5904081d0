import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FeatureStore } from '../sdk/index.js';
import { content, filesUnder, smallCommits, storeWithGroup } from './testing.js';

const POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/test';

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scheduler and job history', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('runs optimize then vacuum on a group cron schedule and records both', async () => {
    const { store, dataDir } = await storeWithGroup('scheduled');
    cleanups.push(async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    await smallCommits(store, 'scheduled', 4, 3);
    await store.featureGroup('scheduled').setTableProperties({ maintenance_schedule: '* * * * * *', maintenance_small_file_threshold: '0' });
    const scheduler = await store.startMaintenanceScheduler({ defaultSchedule: 'off' });
    expect(scheduler.schedules()).toMatchObject([{ featureGroupName: 'scheduled', schedule: '* * * * * *' }]);
    const jobs = await until(async () => {
      const list = await store.listJobs({ featureGroupName: 'scheduled' });
      return list.some((j) => j.kind === 'vacuum' && j.status !== 'running') ? list : undefined;
    });
    const optimize = jobs.find((j) => j.kind === 'optimize')!;
    const vacuum = jobs.find((j) => j.kind === 'vacuum')!;
    expect(optimize).toMatchObject({ trigger: 'schedule', status: 'succeeded', filesBefore: 4, filesAfter: 1, result: { rewrittenDataFilesCount: 4 } });
    expect(optimize.bytesBefore).toBeGreaterThan(0);
    expect(optimize.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(optimize.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(optimize.startedAt));
    expect(vacuum).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
    expect(Date.parse(vacuum.startedAt)).toBeGreaterThanOrEqual(Date.parse(optimize.finishedAt!));
    // 'off' disarms it.
    await store.featureGroup('scheduled').setTableProperties({ maintenance_schedule: 'off' });
    await scheduler.reconcile();
    expect(scheduler.schedules()).toEqual([]);
  });

  it('optimizes automatically once a commit leaves more small files than the threshold', async () => {
    const { store, dataDir } = await storeWithGroup('streaming');
    cleanups.push(async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    await store.featureGroup('streaming').setTableProperties({ maintenance_small_file_threshold: '5' });
    await store.startMaintenanceScheduler({ defaultSchedule: 'off' });
    await smallCommits(store, 'streaming', 4, 2);
    expect(await store.listJobs({ featureGroupName: 'streaming' })).toEqual([]);
    await smallCommits(store, 'streaming', 1, 2, 100);
    const job = await until(async () => (await store.listJobs({ featureGroupName: 'streaming', status: 'succeeded' }))[0]);
    expect(job).toMatchObject({ kind: 'optimize', trigger: 'automatic', filesBefore: 5, filesAfter: 1 });
  });

  it('vacuums automatically once enough snapshots could be thinned, so streaming commits do not pile up', async () => {
    const { store, dataDir } = await storeWithGroup('piling');
    cleanups.push(async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    await store.featureGroup('piling').setTableProperties({ maintenance_small_file_threshold: '0' });
    await store.startMaintenanceScheduler({ defaultSchedule: 'off', expirableSnapshotThreshold: 4 });
    // Six commits within one minute, then one 20 minutes later: five of the six can go.
    vi.useFakeTimers({ toFake: ['Date'] });
    const T0 = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 6; i++) {
      vi.setSystemTime(T0 + i * 1000);
      await smallCommits(store, 'piling', 1, 2, i * 2);
    }
    expect(await store.listJobs({ featureGroupName: 'piling' })).toEqual([]);
    vi.setSystemTime(T0 + 20 * 60_000);
    await smallCommits(store, 'piling', 1, 2, 100);
    const job = await until(async () => (await store.listJobs({ featureGroupName: 'piling', status: 'succeeded' }))[0]);
    expect(job).toMatchObject({ kind: 'vacuum', trigger: 'automatic', result: { expiredSnapshotsCount: 5, keptSnapshotsCount: 2 } });
    expect((await store.featureGroup('piling').snapshots()).map((s) => s.timestamp.getTime() - T0)).toEqual([5000, 20 * 60_000]);
    expect(await content(store, 'piling')).toHaveLength(14);
  });

  it('runs a job by hand, records failures, and validates its input', async () => {
    const { store, dataDir } = await storeWithGroup('manual');
    cleanups.push(async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    await smallCommits(store, 'manual', 3, 2);
    const job = await store.runJob({ featureGroupName: 'manual', kind: 'optimize' });
    expect(job).toMatchObject({ kind: 'optimize', trigger: 'manual', status: 'succeeded', filesBefore: 3, filesAfter: 1 });
    expect(JSON.parse(JSON.stringify(job))).toEqual(job); // plain JSON
    await expect(store.runJob({ featureGroupName: 'manual', kind: 'retention' })).rejects.toMatchObject({ name: 'ValidationError', field: 'retentionSeconds' });
    await expect(store.runJob({ featureGroupName: 'manual', kind: 'compact' } as never)).rejects.toMatchObject({ name: 'ValidationError', field: 'kind' });
    await expect(store.listJobs({ limit: 0 })).rejects.toMatchObject({ name: 'ValidationError', field: 'limit' });
    const failed = await store.runJob({ featureGroupName: 'manual', kind: 'optimize', optimize: { sortBy: ['missing'] } });
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining("no column 'missing'") });
    expect((await store.listJobs({ featureGroupName: 'manual', kind: 'optimize' })).map((j) => j.status)).toEqual(['failed', 'succeeded']);
  });

  it('lets one process at a time work on a table through the registry lease (two stores over one PostgreSQL)', async () => {
    const schema = `maint_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const root = await mkdtemp(join(tmpdir(), 'floe-lease-'));
    const open = (name: string) =>
      FeatureStore.open({ dataDir: join(root, name), warehouse: join(root, 'warehouse'), registryUrl: POSTGRES_URL, registrySchema: schema, offlineCommit: { maxDelayMs: 10 } });
    const a = await open('a');
    const b = await open('b');
    cleanups.push(async () => {
      await a.close();
      await b.close();
      await rm(root, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });
    await a.createFeatureGroup({
      featureGroupName: 'shared',
      recordIdentifierFeatureName: 'id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'id', featureType: 'String' },
        { featureName: 'event_time', featureType: 'String' },
        { featureName: 'v', featureType: 'Integral' },
      ],
    });
    await smallCommits(a, 'shared', 3, 2);
    let refused: unknown;
    await a.featureGroup('shared').optimize({}, {
      hooks: {
        async onProgress(p) {
          if (p.phase === 'planned') refused = await b.featureGroup('shared').vacuum().catch((e: unknown) => e);
        },
      },
    });
    expect(refused).toMatchObject({ name: 'ResourceInUseError', message: expect.stringContaining('in progress elsewhere') });
    // Released once done: the other store runs now.
    expect(await b.featureGroup('shared').vacuum()).toMatchObject({ expiredSnapshotsCount: 0 });
    expect((await b.listJobs({ featureGroupName: 'shared' })).map((j) => `${j.kind}:${j.status}`)).toEqual(['vacuum:succeeded', 'optimize:succeeded']);
  });

  it('leaves a readable table when a run is killed midway; the next run marks it interrupted and vacuum removes its files', async () => {
    const { store, dataDir } = await storeWithGroup('killed');
    await smallCommits(store, 'killed', 9, 20);
    const before = await content(store, 'killed');
    const fileSize = Number((await store.featureGroup('killed').snapshots()).at(-1)!.summary['total-files-size']) / 9;
    const table = fileURLToPath((await store.describeFeatureGroup('killed')).offlineStoreConfig.s3StorageConfig!.resolvedOutputS3Uri!);
    const filesBefore = (await filesUnder(table)).length;
    await store.close();
    cleanups.push(async () => rm(dataDir, { recursive: true, force: true }));

    const fixture = fileURLToPath(new URL('./fixtures/optimize-until-killed.mjs', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, 'killed', String(Math.ceil(fileSize * 3))], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('file-written')) child.kill('SIGKILL');
    });
    await new Promise((resolve) => child.on('exit', resolve));
    expect(output).toContain('file-written');
    expect(output).not.toContain('committed');

    const again = await FeatureStore.open({ dataDir });
    try {
      const fg = again.featureGroup('killed');
      expect(await content(again, 'killed')).toEqual(before);
      expect((await fg.snapshots()).at(-1)?.operation).toBe('append');
      expect((await filesUnder(table)).length).toBeGreaterThan(filesBefore); // the killed run's file is left behind
      expect((await again.listJobs({ featureGroupName: 'killed' }))[0]).toMatchObject({ kind: 'optimize', status: 'running' });
      const vacuum = await fg.vacuum({ orphanOlderThanSeconds: 0 });
      expect(vacuum.deletedOrphanFilesCount).toBeGreaterThanOrEqual(1);
      expect((await filesUnder(table)).length).toBeLessThanOrEqual(filesBefore);
      const jobs = await again.listJobs({ featureGroupName: 'killed' });
      expect(jobs.map((j) => `${j.kind}:${j.status}`)).toEqual(['vacuum:succeeded', 'optimize:failed']);
      expect(jobs[1]!.error).toContain('interrupted');
      expect((await fg.optimize({ targetFileSizeBytes: Math.ceil(fileSize * 3) })).rewrittenDataFilesCount).toBeGreaterThanOrEqual(6);
      expect(await content(again, 'killed')).toEqual(before);
    } finally {
      await again.close();
    }
  });
});
