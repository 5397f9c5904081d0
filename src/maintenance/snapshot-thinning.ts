const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Past `afterMs` of age, snapshots are kept one per `everyMs` (the newest of each such interval). */
export interface ThinningTier {
  afterMs: number;
  everyMs: number;
}

/**
 * How densely history is kept once it is older than a few minutes. Offline commits come every
 * 200 ms or so under load, and Iceberg lists every kept snapshot in the table metadata, which
 * each commit rewrites: five days of such commits (millions of snapshots) would make every
 * commit, every query plan and every vacuum slower without end. Thinned like this, a table holds
 * at most about 10 minutes of commits, 1,440 minute snapshots and one an hour beyond a day.
 * Time travel to any moment still resolves, to the snapshot current at the end of its minute's
 * (or hour's) predecessor; datasets filter rows by `write_time` and stay exact at any instant.
 */
export const DEFAULT_THINNING: readonly ThinningTier[] = [
  { afterMs: 10 * MINUTE, everyMs: MINUTE },
  { afterMs: DAY, everyMs: HOUR },
];

/**
 * The snapshots thinning drops: of those older than a tier's start, all but the newest of each
 * interval of the tier's length (the coarsest tier that applies to a snapshot's age decides).
 * Which of them may go (the current snapshot, refs, the minimum count) is the caller's rule.
 */
export function thinnedSnapshotIds(
  snapshots: ReadonlyArray<{ 'snapshot-id': bigint; 'timestamp-ms': number }>,
  nowMs: number,
  tiers: readonly ThinningTier[] = DEFAULT_THINNING,
): Set<bigint> {
  const newestOfInterval = new Map<string, { id: bigint; at: number }>();
  const thinnable: bigint[] = [];
  for (const s of snapshots) {
    const age = nowMs - s['timestamp-ms'];
    let tier = -1;
    for (let i = 0; i < tiers.length; i++) if (age > tiers[i]!.afterMs) tier = i;
    if (tier < 0) continue;
    thinnable.push(s['snapshot-id']);
    const key = `${tier}:${Math.floor(s['timestamp-ms'] / tiers[tier]!.everyMs)}`;
    const newest = newestOfInterval.get(key);
    if (!newest || s['timestamp-ms'] >= newest.at) newestOfInterval.set(key, { id: s['snapshot-id'], at: s['timestamp-ms'] });
  }
  const kept = new Set([...newestOfInterval.values()].map((v) => v.id));
  return new Set(thinnable.filter((id) => !kept.has(id)));
}
