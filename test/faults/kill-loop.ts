import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { icebergRead } from 'icebird';
import { FeatureStore } from '../../src/sdk/index.js';
import { installFileFetch } from '../../src/test-support/file-fetch.js';
import { seededRandom } from '../support/seeded-random.js';

export const CHAOS_GROUP = 'chaos';

export interface KillLoopOptions {
  dataDir: string;
  rounds: number;
  seed: number;
  /** A kill lands this long after the writer is ready, drawn uniformly (default 50..1200 ms). */
  minDelayMs?: number;
  maxDelayMs?: number;
  onRound?: (round: KillRound) => void;
}

export type KillAnchor = 'start' | 'first-ack';

export interface KillRound {
  round: number;
  delayMs: number;
  anchor: KillAnchor;
  /** Writes the killed process had acknowledged before it died. */
  acknowledged: number;
  /** Maintenance runs it had finished. */
  maintenance: number;
  /** Rows in the table after the restart (acknowledged ones and any the log held unacknowledged). */
  offlineRows: number;
}

export interface KillLoopResult {
  faultsInjected: number;
  writesAcknowledged: number;
  recordsVerified: number;
  onlineRecordsVerified: number;
  /** Acknowledged optimize, vacuum, retention and purge runs among the kills. */
  maintenanceRuns: number;
  /** Purged users checked absent offline and online. */
  purgesVerified: number;
  /** Files the crashes left (written, never committed) that the final vacuum removed. */
  orphanFilesRemoved: number;
  /** Rows read back by the independent Iceberg reader, equal to the SQL count. */
  independentReaderRows: number;
}

/** One failed promise of the fault test, with the seed and round that reproduce it. */
export class FaultFinding extends Error {}

export async function createChaosGroup(dataDir: string): Promise<void> {
  const store = await FeatureStore.open({ dataDir });
  try {
    await store.createFeatureGroup({
      featureGroupName: CHAOS_GROUP,
      recordIdentifierFeatureName: 'user_id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { featureName: 'user_id', featureType: 'Integral' },
        { featureName: 'event_time', featureType: 'Fractional' },
        { featureName: 'seq', featureType: 'Integral' },
      ],
    });
  } finally {
    await store.close();
  }
}

/**
 * SIGKILLs a writer (streaming puts, bulk ingests, offline commits) at seeded random moments, round
 * after round on one data directory; after each kill the store is reopened (replaying the log) and
 * checked: every acknowledged write exactly once offline, nothing twice, the online record of every
 * identifier the newest offline one. At the end an independent Iceberg reader opens the table.
 */
export async function runKillLoop(options: KillLoopOptions): Promise<KillLoopResult> {
  const random = seededRandom(options.seed);
  const minDelay = options.minDelayMs ?? 50;
  const maxDelay = options.maxDelayMs ?? 1200;
  const acknowledged = new Set<number>();
  const purged = new Set<number>();
  let maintenanceRuns = 0;
  let onlineRecordsVerified = 0;
  for (let round = 0; round < options.rounds; round++) {
    const delayMs = Math.round(minDelay + random() * (maxDelay - minDelay));
    const childSeed = Math.floor(random() * 2 ** 31);
    // Most kills land mid-work (timed from the first acknowledgement); some while the store
    // opens and replays its log (timed from the start of the process).
    const anchor: KillAnchor = random() < 0.2 ? 'start' : 'first-ack';
    const acks = await killWriterAfter(options.dataDir, round * 10_000_000, childSeed, delayMs, anchor);
    for (const seq of acks.writes) acknowledged.add(seq);
    for (const user of acks.purged) purged.add(user);
    maintenanceRuns += acks.maintenance;
    const where = `seed ${options.seed}, round ${round}, kill ${delayMs} ms after ${anchor}`;
    const check = await verifyStore(options.dataDir, acknowledged, purged, where);
    onlineRecordsVerified += check.online;
    options.onRound?.({ round, delayMs, anchor, acknowledged: acks.writes.length, maintenance: acks.maintenance, offlineRows: check.rows });
  }
  // The next maintenance run cleans up what the crashes left: files of commits that never happened.
  const cleanup = await vacuumAfterCrashes(options.dataDir);
  const final = await verifyStore(options.dataDir, acknowledged, purged, `seed ${options.seed}, after the final vacuum`);
  const independentReaderRows = await readIndependently(options.dataDir, final.rows);
  return {
    faultsInjected: options.rounds,
    writesAcknowledged: acknowledged.size,
    recordsVerified: final.rows,
    onlineRecordsVerified,
    maintenanceRuns,
    purgesVerified: purged.size,
    orphanFilesRemoved: cleanup.orphans,
    independentReaderRows,
  };
}

async function vacuumAfterCrashes(dataDir: string): Promise<{ orphans: number }> {
  const store = await FeatureStore.open({ dataDir });
  try {
    const fg = store.featureGroup(CHAOS_GROUP);
    const first = await fg.vacuum({ minSnapshotsToKeep: 1, maxSnapshotAgeSeconds: 0, orphanOlderThanSeconds: 0 });
    const again = await fg.vacuum({ minSnapshotsToKeep: 1, maxSnapshotAgeSeconds: 0, orphanOlderThanSeconds: 0 });
    if (again.deletedOrphanFilesCount + again.deletedDataFilesCount > 0) throw new FaultFinding(`a second vacuum still found files to delete: ${JSON.stringify(again)}`);
    return { orphans: first.deletedOrphanFilesCount };
  } finally {
    await store.close();
  }
}

const WRITER = fileURLToPath(new URL('./fixtures/chaos-writer.mjs', import.meta.url));

/** Starts a writer, kills it `delayMs` after it is ready, and returns the sequence numbers it acknowledged. */
async function killWriterAfter(dataDir: string, firstSeq: number, seed: number, delayMs: number, anchor: KillAnchor): Promise<WriterAcks> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, CHAOS_GROUP, String(firstSeq), String(seed)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  let timer: NodeJS.Timeout | undefined;
  const arm = () => (timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs));
  if (anchor === 'start') arm();
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (/^(put|bulk|flushed|optimized|vacuumed|stale|victim)\b/m.test(output)) arm();
  });
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('exit', (c, s) => resolve({ code: c, signal: s }));
    child.on('error', reject);
  });
  clearTimeout(timer);
  if (signal !== 'SIGKILL') throw new FaultFinding(`the writer exited by itself (code ${code}) instead of being killed:\n${errors}`);
  // Only whole lines count: a line cut by the kill was never fully acknowledged to anyone.
  const lines = output.slice(0, output.lastIndexOf('\n') + 1).split('\n');
  const acks: WriterAcks = { writes: [], purged: [], maintenance: 0 };
  for (const line of lines) {
    const put = /^put (\d+)$/.exec(line);
    if (put) acks.writes.push(Number(put[1]));
    const bulk = /^bulk (\d+) (\d+)$/.exec(line);
    if (bulk) for (let i = 0; i < Number(bulk[2]); i++) acks.writes.push(Number(bulk[1]) + i);
    const purged = /^purged (\d+)$/.exec(line);
    if (purged) acks.purged.push(Number(purged[1]));
    if (/^(optimized|vacuumed|retained|purged)\b/.test(line)) acks.maintenance++;
  }
  return acks;
}

interface WriterAcks {
  /** Sequence numbers of acknowledged regular writes: each must be stored exactly once. */
  writes: number[];
  /** Users whose purge was acknowledged: no row and no online record may remain. */
  purged: number[];
  /** Acknowledged optimize, vacuum, retention and purge runs. */
  maintenance: number;
}

async function verifyStore(dataDir: string, acknowledged: Set<number>, purged: Set<number>, where: string): Promise<{ rows: number; online: number }> {
  const store = await FeatureStore.open({ dataDir });
  try {
    const fg = store.featureGroup(CHAOS_GROUP);
    await fg.flush();
    const counts = (await store.query(`SELECT seq, count(*) AS n FROM ${CHAOS_GROUP} GROUP BY seq`)).rows as Array<{ seq: number; n: number }>;
    const seen = new Map(counts.map((r) => [r.seq, r.n]));
    const twice = counts.filter((r) => r.n > 1);
    if (twice.length > 0) throw new FaultFinding(`${where}: ${twice.length} writes stored more than once (seq ${twice[0]!.seq} x${twice[0]!.n})`);
    const missing = [...acknowledged].filter((seq) => !seen.has(seq));
    if (missing.length > 0) throw new FaultFinding(`${where}: ${missing.length} acknowledged writes lost (first: seq ${missing[0]})`);
    if (purged.size > 0) {
      const list = [...purged].join(', ');
      const left = (await store.query(`SELECT user_id, count(*) AS n FROM ${CHAOS_GROUP} WHERE user_id IN (${list}) GROUP BY user_id`)).rows;
      if (left.length > 0) throw new FaultFinding(`${where}: purged user ${left[0]!.user_id} still has ${left[0]!.n} rows offline`);
      const ids = [...purged];
      for (let i = 0; i < ids.length; i += 100) {
        const online = await fg.batchGetRecord(ids.slice(i, i + 100));
        if (online.length > 0) throw new FaultFinding(`${where}: purged user ${online[0]!.user_id} is still online`);
      }
    }
    // Regular users only: retention removes stale rows offline and leaves the online store alone.
    const newest = (await store.query(`SELECT user_id, max(event_time) AS t FROM ${CHAOS_GROUP} WHERE user_id < 50 GROUP BY user_id`)).rows as Array<{ user_id: number; t: number }>;
    const online = newest.length === 0 ? [] : await fg.batchGetRecord(newest.map((r) => r.user_id));
    const onlineById = new Map(online.map((r) => [r.user_id as number, r.event_time as number]));
    for (const { user_id, t } of newest) {
      const got = onlineById.get(user_id);
      if (got !== t) throw new FaultFinding(`${where}: online record of ${user_id} has event time ${got}, the newest offline is ${t}`);
    }
    return { rows: counts.length, online: newest.length };
  } finally {
    await store.close();
  }
}

async function readIndependently(dataDir: string, expectedRows: number): Promise<number> {
  const restore = installFileFetch();
  try {
    const rows = await icebergRead({ tableUrl: pathToFileURL(join(dataDir, 'warehouse', CHAOS_GROUP)).href });
    if (rows.length !== expectedRows) throw new FaultFinding(`the independent reader read ${rows.length} rows, SQL ${expectedRows}`);
    return rows.length;
  } finally {
    restore();
  }
}
