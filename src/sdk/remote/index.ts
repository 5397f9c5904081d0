/** The remote SDK: a FeatureStoreApi over a Floe server's native API. */
export { RemoteFeatureStore } from './remote-feature-store.js';
export { RemoteFeatureGroup } from './remote-feature-group.js';
export type { ConnectOptions, RemoteCredentials } from './remote-http.js';
