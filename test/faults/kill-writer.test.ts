import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSeed } from '../support/seeded-random.js';
import { createChaosGroup, runKillLoop } from './kill-loop.js';

// The small version of `npm run test:chaos`: a few kills. FLOE_SEED replays a failing run.
describe('a writer SIGKILLed at random moments', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'floe-kill-'));
    await createChaosGroup(dataDir);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged write, stores none twice, and keeps online and offline in agreement', async () => {
    const seed = runSeed(9);
    const result = await runKillLoop({ dataDir, rounds: 4, seed });
    expect(result.faultsInjected).toBe(4);
    expect(result.writesAcknowledged).toBeGreaterThan(0);
    expect(result.recordsVerified).toBeGreaterThanOrEqual(result.writesAcknowledged);
    expect(result.independentReaderRows).toBe(result.recordsVerified);
    console.log(`kill test: seed ${seed}, ${result.writesAcknowledged} writes and ${result.maintenanceRuns} maintenance runs acknowledged, ${result.orphanFilesRemoved} orphans removed by the next vacuum`);
  }, 180_000);
});
