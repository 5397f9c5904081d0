import { Command } from 'commander';
import { printTable } from '../output.js';
import { withStore, type GlobalOptions } from '../store-options.js';

const GROUP = 'demo-users';

/** A short end-to-end run on the embedded defaults: create a group, write, read, delete. */
export function demoCommand(globals: () => GlobalOptions): Command {
  return new Command('demo').description('run a short end-to-end demo in the data directory').action(async () => {
    await withStore(globals(), async (store) => {
      console.log(`Floe demo, data in ${store.dataDir}\n`);
      const existing = await store.listFeatureGroups({ nameContains: GROUP });
      if (existing.featureGroups.some((g) => g.featureGroupName === GROUP)) await store.deleteFeatureGroup(GROUP);
      await store.createFeatureGroup({
        featureGroupName: GROUP,
        recordIdentifierFeatureName: 'user_id',
        eventTimeFeatureName: 'event_time',
        featureDefinitions: [
          { featureName: 'user_id', featureType: 'String' },
          { featureName: 'event_time', featureType: 'String' },
          { featureName: 'age', featureType: 'Integral' },
          { featureName: 'score', featureType: 'Fractional' },
          { featureName: 'interests', featureType: 'String', collectionType: 'List' },
        ],
        description: 'created by floe demo',
      });
      console.log(`created feature group ${GROUP}`);
      const users = store.featureGroup(GROUP);
      await users.putRecord({ user_id: 'u1', event_time: '2025-01-01T00:00:00Z', age: 30, score: 0.5, interests: ['ml'] });
      await users.putRecord({ user_id: 'u1', event_time: '2025-01-02T00:00:00Z', age: 31, score: 0.7, interests: ['ml', 'ops'] });
      await users.putRecord({ user_id: 'u1', event_time: '2024-12-31T00:00:00Z', age: 29, score: 0.1, interests: [] });
      await users.putRecord({ user_id: 'u2', event_time: '2025-01-01T12:00:00+02:00', age: 45, score: 0.9, interests: ['data'] });
      console.log('wrote 4 records (one of them older than what is stored: it does not replace the newer one)\n');
      const latest = await users.batchGetRecord(['u1', 'u2']);
      printTable(latest, ['user_id', 'event_time', 'age', 'score', 'interests']);
      await users.deleteRecord('u2', '2025-01-03T00:00:00Z');
      console.log(`\nsoft-deleted u2; online now holds: ${(await users.listRecords()).recordIdentifiers.join(', ')}`);
      await users.flush();
      const history = await store.query(
        `SELECT user_id, event_time, age, is_deleted FROM "${GROUP}" ORDER BY user_id, write_time`,
      );
      console.log('\nthe offline store (an Iceberg table) keeps the whole history:\n');
      printTable(history.rows, history.columns.map((c) => c.name));
      console.log(`\ndone. Try: npx floe feature-group describe ${GROUP}`);
      console.log(`         npx floe query 'SELECT * FROM "${GROUP}"'`);
    });
  });
}
