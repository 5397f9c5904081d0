// The README's TypeScript example, kept compiling by `npm test`. Run: npx tsx examples/quick-start.ts
import { FeatureStore } from 'floe';

const store = await FeatureStore.open({ dataDir: './.floe' });
const existing = await store.listFeatureGroups({ nameContains: 'quick-start-users' });
if (existing.featureGroups.length > 0) await store.deleteFeatureGroup('quick-start-users');
await store.createFeatureGroup({
  featureGroupName: 'quick-start-users',
  recordIdentifierFeatureName: 'user_id',
  eventTimeFeatureName: 'event_time',
  featureDefinitions: [
    { featureName: 'user_id', featureType: 'String' },
    { featureName: 'event_time', featureType: 'String' },
    { featureName: 'age', featureType: 'Integral' },
    { featureName: 'embedding', featureType: 'Fractional', collectionType: 'Vector', collectionConfig: { vectorConfig: { dimension: 3 } } },
  ],
  onlineStoreConfig: { ttlDuration: { unit: 'Days', value: 30 } },
});

const users = store.featureGroup('quick-start-users');
await users.putRecord({ user_id: 'u1', event_time: new Date().toISOString(), age: 31, embedding: [0.1, 0.2, 0.3] }, { wait: 'offline' });
console.log('online:', await users.getRecord('u1'));
console.log('offline:', (await store.query('SELECT user_id, age, is_deleted FROM "quick-start-users"')).rows);
await store.close();
