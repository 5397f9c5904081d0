/** The TypeScript SDK: the same FeatureStore interface in-process (and, later, over HTTP). */
export { FeatureStore, type AccessKeyStore } from './feature-store.js';
export { FeatureGroupHandle } from './feature-group-handle.js';
export { registryOptions, type OpenOptions, type StoreObserver } from './open-options.js';
