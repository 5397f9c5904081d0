/** The TypeScript SDK: the same FeatureStore interface in-process (and, later, over HTTP). */
export { FeatureStore } from './feature-store.js';
export { FeatureGroupHandle } from './feature-group-handle.js';
export type { OpenOptions } from './open-options.js';
