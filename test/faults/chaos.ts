// npm run test:chaos: many seeded SIGKILLs of a writer, each followed by a restart and a full check.
// FLOE_CHAOS_ROUNDS (default 40) kills; FLOE_SEED (default 1) makes a run reproducible.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSeed } from '../support/seeded-random.js';
import { createChaosGroup, runKillLoop } from './kill-loop.js';

const rounds = Number(process.env.FLOE_CHAOS_ROUNDS ?? 40);
const seed = runSeed(1);
const dataDir = await mkdtemp(join(tmpdir(), 'floe-chaos-'));
const started = Date.now();
console.log(`chaos: ${rounds} SIGKILLs of a writer (puts, bulk ingest, offline commits, optimize, vacuum, retention, purge), seed ${seed}`);
try {
  await createChaosGroup(dataDir);
  const result = await runKillLoop({
    dataDir,
    rounds,
    seed,
    onRound: (r) =>
      console.log(`  round ${r.round}: killed ${r.delayMs} ms after ${r.anchor}, ${r.acknowledged} writes and ${r.maintenance} maintenance runs acknowledged, ${r.offlineRows} rows verified`),
  });
  console.log(`faults injected: ${result.faultsInjected}`);
  console.log(`writes acknowledged: ${result.writesAcknowledged}`);
  console.log(`records verified offline (exactly once): ${result.recordsVerified}`);
  console.log(`online records checked against the newest offline: ${result.onlineRecordsVerified}`);
  console.log(`maintenance runs acknowledged (optimize, vacuum, retention, purge): ${result.maintenanceRuns}`);
  console.log(`purged users checked gone offline and online: ${result.purgesVerified}`);
  console.log(`files the crashes left, removed by the next vacuum: ${result.orphanFilesRemoved}`);
  console.log(`rows read by the independent Iceberg reader: ${result.independentReaderRows}`);
  console.log(`errors: 0, ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`chaos: FAILED (replay with FLOE_SEED=${seed} FLOE_CHAOS_ROUNDS=${rounds}):`, error);
  process.exitCode = 1;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
