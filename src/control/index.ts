/** The control plane: feature group lifecycle, feature metadata and search. */
export * from './feature-group-service.js';
export * from './feature-group-cache.js';
export * from './search.js';
