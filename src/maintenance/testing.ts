import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureStore } from '../sdk/index.js';

/** A store in a fresh temporary data directory, with one group of String ids and ISO event times. */
export async function storeWithGroup(group: string, options: { offlineStore?: boolean } = {}): Promise<{ store: FeatureStore; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'floe-maint-'));
  const store = await FeatureStore.open({ dataDir, offlineCommit: { maxDelayMs: 10 } });
  await store.createFeatureGroup({
    featureGroupName: group,
    recordIdentifierFeatureName: 'id',
    eventTimeFeatureName: 'event_time',
    featureDefinitions: [
      { featureName: 'id', featureType: 'String' },
      { featureName: 'event_time', featureType: 'String' },
      { featureName: 'v', featureType: 'Integral' },
    ],
    ...(options.offlineStore === false ? { offlineStoreConfig: { enableOfflineStore: false } } : {}),
  });
  return { store, dataDir };
}

/** `n` commits of `rows` records each (one small file per commit, as streaming ingestion leaves). */
export async function smallCommits(store: FeatureStore, group: string, n: number, rows: number, start = 0, at = (i: number) => new Date(Date.UTC(2030, 0, 1) + i * 1000).toISOString()): Promise<void> {
  for (let c = 0; c < n; c++) {
    const records = Array.from({ length: rows }, (_, r) => {
      const i = start + c * rows + r;
      return { id: `id-${i % 37}`, event_time: at(i), v: i };
    });
    await store.featureGroup(group).ingest(records, { failOnError: true });
  }
}

/** Every row of the group, in a total order (for content comparisons). */
export async function content(store: FeatureStore, group: string, asOf?: bigint): Promise<unknown[]> {
  const sql = `SELECT id, event_time, v, is_deleted, write_time, api_invocation_time FROM "${group}" ORDER BY v, id, event_time, write_time`;
  return (await store.query(sql, asOf === undefined ? {} : { asOf })).rows;
}

/** Every file under a directory, with its bytes. */
export async function filesUnder(dir: string): Promise<Array<{ path: string; bytes: Buffer }>> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, bytes: await readFile(path) });
  }
  return out;
}
