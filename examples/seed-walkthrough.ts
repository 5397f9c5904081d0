// The seed walkthrough with the Floe SDK, embedded (no server): create a feature group, ingest
// nine records, read them back, build a training set and a batch-inference set with
// point-in-time joins, delete a record. Run: npx tsx examples/seed-walkthrough.ts
// (data in $FLOE_DATA_DIR, ./.floe-example by default). `npm test` type-checks and runs it.
import { FeatureStore } from 'floe';

const GROUP = 'user-feature-group';
const store = await FeatureStore.open({ dataDir: process.env.FLOE_DATA_DIR ?? './.floe-example' });
try {
  if ((await store.listFeatureGroups({ nameContains: GROUP })).featureGroups.some((g) => g.featureGroupName === GROUP)) {
    await store.deleteFeatureGroup(GROUP);
  }
  await store.createFeatureGroup({
    featureGroupName: GROUP,
    recordIdentifierFeatureName: 'user_id',
    eventTimeFeatureName: 'event_time',
    featureDefinitions: [
      { featureName: 'user_id', featureType: 'String' },
      { featureName: 'event_time', featureType: 'String' },
      { featureName: 'age', featureType: 'Integral' },
      { featureName: 'score', featureType: 'Fractional' },
      { featureName: 'clicks', featureType: 'Integral' },
      { featureName: 'tags', featureType: 'String', collectionType: 'List' },
    ],
  });
  const users = store.featureGroup(GROUP);

  // Nine records, three users, event times out of order; Integral values beyond 2^53 as bigint.
  const result = await users.ingest([
    { user_id: 'u1', event_time: '2025-01-01T00:00:00Z', age: 30, score: 0.5, clicks: 9007199254740993n, tags: ['a'] },
    { user_id: 'u1', event_time: '2025-01-03T00:00:00Z', age: 31, score: 0.75, clicks: -9223372036854775808n, tags: ['a', 'b'] },
    { user_id: 'u1', event_time: '2025-01-02T00:00:00Z', age: 99, score: 0.1, clicks: 1, tags: [] },
    { user_id: 'u2', event_time: '2025-02-01T00:00:00Z', age: 40, score: 1.5, clicks: 2, tags: ['x'] },
    { user_id: 'u2', event_time: '2025-02-02T00:00:00Z', age: 41, score: 2.5, clicks: 3, tags: ['x', 'y'] },
    { user_id: 'u2', event_time: '2025-01-15T00:00:00Z', age: 39, score: 0.5, clicks: 4, tags: [] },
    { user_id: 'u3', event_time: '2025-03-01T00:00:00Z', age: 50, score: 3, clicks: 5, tags: [] },
    { user_id: 'u3', event_time: '2025-03-01T12:00:00+02:00', age: 51, score: 3.5, clicks: 6, tags: ['z'] },
    { user_id: 'u3', event_time: '2025-02-28T00:00:00Z', age: 49, score: 2, clicks: 7, tags: [] },
  ]);
  console.log(`ingested ${result.rowsWritten} records`);

  // Online: the newest record per user by event time.
  for (const record of await users.batchGetRecord(['u1', 'u2', 'u3'])) console.log('online', record.user_id, record.event_time, record.age);

  // Training set: each interaction gets the features as they were at its time.
  const interactions = [
    { user_id: 'u1', event_time: '2025-01-02T12:00:00Z', label: 1 },
    { user_id: 'u2', event_time: '2025-02-01T12:00:00Z', label: 0 },
    { user_id: 'u3', event_time: '2025-03-01T11:00:00Z', label: 1 },
  ];
  const ids = { recordIdentifierFeatureName: 'user_id', eventTimeFeatureName: 'event_time' };
  const training = await store.createDataset(interactions, ids).withFeatureGroup(GROUP).pointInTimeAccurateJoin().toRows();
  for (const row of training) console.log('training', row.user_id, row.label, row.age);

  // Batch inference at 2025-01-04: only u1 has a record by then.
  const at = '2025-01-04T00:00:00Z';
  const batch = await store
    .createDataset(['u1', 'u2', 'u3'].map((user_id) => ({ user_id, event_time: at })), ids)
    .withFeatureGroup(GROUP)
    .pointInTimeAccurateJoin()
    .toRows();
  for (const row of batch) console.log('inference', row.user_id, row.age ?? null);

  // A soft delete: hidden online, a row with is_deleted = true offline.
  await users.deleteRecord('u2', '2025-02-03T00:00:00Z');
  console.log('after delete', (await users.getRecord('u2')) ?? null);
  await users.flush();
  const history = await store.query(`SELECT event_time, is_deleted FROM "${GROUP}" WHERE user_id = 'u2' ORDER BY event_time`);
  for (const row of history.rows) console.log('history', row.event_time, row.is_deleted);
} finally {
  await store.close();
}
