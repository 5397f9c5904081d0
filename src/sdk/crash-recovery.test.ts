import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from './feature-store.js';

describe('crash recovery', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'floe-crash-'));
    const store = await FeatureStore.open({ dataDir });
    await store.createFeatureGroup({
      featureGroupName: 'crashy',
      recordIdentifierFeatureName: 'user_id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'user_id', featureType: 'Integral' },
        { featureName: 'event_time', featureType: 'Fractional' },
        { featureName: 'seq', featureType: 'Integral' },
      ],
    });
    await store.close();
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write exactly once after a SIGKILL mid-ingest', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/put-until-killed.mjs', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, 'crashy'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if ((output.match(/^ack /gm) ?? []).length >= 3000) {
          clearInterval(timer);
          child.kill('SIGKILL');
        }
      }, 10);
      child.on('exit', () => {
        clearInterval(timer);
        resolve();
      });
      child.on('error', reject);
    });
    const acked = [...output.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
    expect(acked.length).toBeGreaterThanOrEqual(3000);

    // The killed process left its lock behind; opening takes it over and replays the log.
    const store = await FeatureStore.open({ dataDir });
    try {
      await store.featureGroup('crashy').flush();
      const rows = (await store.query('SELECT seq, count(*) AS n FROM crashy GROUP BY seq')).rows as Array<{ seq: number; n: number }>;
      const counts = new Map(rows.map((r) => [r.seq, r.n]));
      for (const seq of acked) expect(counts.get(seq), `acknowledged write ${seq}`).toBe(1);
      expect(Math.max(...rows.map((r) => r.n))).toBe(1); // nothing twice, acknowledged or not
      const newest = (await store.query('SELECT user_id, max(event_time) AS t FROM crashy GROUP BY user_id')).rows as Array<{ user_id: number; t: number }>;
      for (const { user_id, t } of newest) {
        expect((await store.featureGroup('crashy').getRecord(user_id))?.event_time, `online record of ${user_id}`).toBe(t);
      }
    } finally {
      await store.close();
    }
  });
});
