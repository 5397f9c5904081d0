/** Object storage for table files: a local directory or an S3-compatible bucket, and a local cache of remote objects. */
export type { ObjectStore, ObjectInfo } from './object-store.js';
export { LocalObjectStore } from './local-object-store.js';
export { S3ObjectStore, parseS3Uri, type S3Options } from './s3-object-store.js';
export { ObjectCache, type CacheLease, type ObjectCacheOptions, type ObjectCacheStats } from './object-cache.js';
export { openObjectStore } from './open-object-store.js';
