import { NotFoundError, ttlToMicros, validateRecord, type FeatureGroup, type FeatureRecord } from '../domain/index.js';
import { putNewestOnline, type BulkIngestJournal } from '../ingest/index.js';
import type { OnlineRecord, OnlineStore } from '../online/online-store.js';
import { quoteIdentifier } from '../query/index.js';
import type { OfflineQueries } from './offline-queries.js';

/**
 * Finishes the online update of bulk ingests that committed offline but stopped before (or while)
 * updating the online store: the ingest's rows are found by their api_invocation_time, and the
 * newest per identifier is put online (put-if-newer: a newer record already there stays). An
 * ingest that had not committed has no rows and only its note is removed.
 */
export async function recoverBulkIngests(
  journal: BulkIngestJournal,
  describe: (group: string) => Promise<FeatureGroup>,
  queries: OfflineQueries,
  online: OnlineStore,
): Promise<number> {
  let recovered = 0;
  for (const pending of await journal.pending()) {
    let group: FeatureGroup;
    try {
      group = await describe(pending.group);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await journal.end(pending); // the group is gone, and its records with it
      continue;
    }
    const features = group.features.map((f) => quoteIdentifier(f.featureName)).join(', ');
    const { rows } = await queries.query(
      `SELECT ${features} FROM ${quoteIdentifier(group.featureGroupName)} WHERE api_invocation_time = make_timestamptz(${Math.trunc(pending.apiInvocationTimeMicros)}) AND NOT is_deleted`,
    );
    const newest = new Map<string, OnlineRecord>();
    const ttl = group.onlineStoreConfig.ttlDuration;
    for (const row of rows) {
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) if (v !== null && v !== undefined) values[k] = v;
      const valid = validateRecord(group, values);
      const seen = newest.get(valid.recordId);
      if (seen && seen.eventTimeMicros > valid.eventTimeMicros) continue;
      newest.set(valid.recordId, {
        values: valid.values as FeatureRecord,
        eventTimeMicros: valid.eventTimeMicros,
        ...(ttl ? { expiresAtMicros: valid.eventTimeMicros + ttlToMicros(ttl) } : {}),
      });
    }
    await putNewestOnline(online, group.featureGroupName, newest);
    await online.flush?.();
    await journal.end(pending);
    recovered += rows.length > 0 ? 1 : 0;
  }
  return recovered;
}
