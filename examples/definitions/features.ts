// The same definitions in TypeScript, typed by the SDK. `floe plan -f` loads a module when the
// runtime can: compile this file to .mjs (npx tsc), or use Node.js 22.18+ (it strips types), or
// run the CLI through tsx. See docs/cli.md.
import { defineFeatureGroups, type FeatureGroupSpec } from 'floe';

const users: FeatureGroupSpec = {
  name: 'user-feature-group',
  description: 'Users and their activity',
  recordIdentifier: 'user_id',
  eventTime: 'event_time',
  features: {
    user_id: 'String',
    event_time: 'String',
    age: { type: 'Integral', description: 'age in years' },
    score: 'Fractional',
    clicks: 'Integral',
    tags: { type: 'String', collection: 'List' },
  },
  tags: { team: 'growth' },
  maintenance: { schedule: '0 3 * * *', retention: '730d' },
};

export default defineFeatureGroups([
  users,
  {
    name: 'user-embeddings',
    recordIdentifier: 'user_id',
    eventTime: 'event_time',
    features: { user_id: 'String', event_time: 'Fractional', embedding: { type: 'Fractional', collection: 'Vector', dimension: 4 } },
    online: { ttl: '30d', storageType: 'InMemory' },
    offline: false,
  },
]);
