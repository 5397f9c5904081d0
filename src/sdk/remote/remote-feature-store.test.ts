import { startTestServer } from '../../server/testing/test-server.js';
import { FeatureStore } from '../feature-store.js';
import { featureStoreBehaviour } from '../feature-store.suite.js';
import { offlineBehaviour } from '../offline-store.suite.js';
import { datasetBehaviour } from '../dataset.suite.js';
import { maintenanceBehaviour } from '../maintenance.suite.js';

/** The SDK behaviour suites against a real listening server, through FeatureStore.connect. */
const remote = async () => {
  const t = await startTestServer();
  const store = await FeatureStore.connect({ endpoint: t.server.url, credentials: t.admin });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await t.stop();
    },
  };
};
featureStoreBehaviour('remote (FeatureStore.connect to a listening server)', remote);
offlineBehaviour('remote', remote);
datasetBehaviour('remote', remote);
maintenanceBehaviour('remote', remote);
