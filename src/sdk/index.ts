/** The TypeScript SDK: the same FeatureStoreApi in-process (`FeatureStore.open`) and over HTTP (`FeatureStore.connect`). */
export { FeatureStore, type AccessKeyStore } from './feature-store.js';
export { FeatureGroupHandle } from './feature-group-handle.js';
export { StoreReplica, ReplicaGroup, type OwnerWrites } from './store-replica.js';
export { registryOptions, type OpenOptions, type StoreObserver } from './open-options.js';
export type { FeatureStoreApi, FeatureGroupApi, RecordId, RecordPutApi, RecordReadApi } from './feature-store-api.js';
export { RemoteFeatureStore, RemoteFeatureGroup, type ConnectOptions, type RemoteCredentials } from './remote/index.js';
export { IcebergCatalog, type CatalogTable } from './iceberg-catalog.js';
