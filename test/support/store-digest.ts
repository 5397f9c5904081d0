import { createHash } from 'node:crypto';
import type { FeatureStore } from '../../src/sdk/index.js';

/**
 * A fingerprint of everything a client could have changed: the feature groups and their
 * metadata, every offline table's snapshots and rows, every online record, and the access keys.
 * Equal before and after an attack means the attack changed nothing.
 */
export async function storeDigest(store: FeatureStore): Promise<string> {
  const hash = createHash('sha256');
  const add = (value: unknown) => hash.update(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) + '\n');
  const groups = (await store.listFeatureGroups({ maxResults: 100 })).featureGroups.map((g) => g.featureGroupName).sort();
  add(groups);
  for (const name of groups) {
    const group = await store.describeFeatureGroup(name);
    add(group);
    for (const f of group.features) add(await store.describeFeatureMetadata(name, f.featureName));
    const fg = store.featureGroup(name);
    if (group.offlineStoreConfig.enableOfflineStore) {
      add((await fg.snapshots()).map((s) => s.snapshotId));
      add((await store.query(`SELECT * FROM "${name}" ORDER BY ALL`)).rows);
    }
    if (group.onlineStoreConfig.enableOnlineStore) {
      const ids = (await fg.listRecords({ includeSoftDeletedRecords: true, maxResults: 1000 })).recordIdentifiers.sort();
      add(ids);
      for (const id of ids) add(await fg.getRecord(id));
    }
  }
  add((await store.accessKeys.listAccessKeys()).map((k) => [k.accessKeyId, k.role, k.featureGroups]));
  return hash.digest('hex');
}
