import type { OnlineRecord, OnlineStore } from '../online/online-store.js';

/** Records per putMany: large enough to amortise a commit, small enough to leave the event loop between batches. */
const BATCH = 10_000;

/**
 * The online step of a bulk ingest (and of its recovery): the newest record of each identifier,
 * in bulk batches (lmdb's write thread does the tree work; a key appears once per batch, as bulk
 * mode requires, because the map holds one record per identifier).
 */
export async function putNewestOnline(online: OnlineStore, groupName: string, newest: ReadonlyMap<string, OnlineRecord>): Promise<void> {
  const entries = [...newest].map(([recordId, record]) => ({ recordId, record }));
  for (let i = 0; i < entries.length; i += BATCH) await online.putMany(groupName, entries.slice(i, i + BATCH), { bulk: true });
}
