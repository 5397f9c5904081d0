/** Object storage for table files: a local directory or an S3-compatible bucket, and a local cache of remote objects. */
export type { ObjectStore, ObjectInfo } from './object-store.js';
export { LocalObjectStore } from './local-object-store.js';
// S3ObjectStore itself is loaded only for an s3:// warehouse (the AWS SDK adds to every start): see open-object-store.ts.
export type { S3ObjectStore } from './s3-object-store.js';
export { parseS3Uri, type S3Options } from './s3-uri.js';
export { ObjectCache, type CacheLease, type ObjectCacheOptions, type ObjectCacheStats } from './object-cache.js';
export { openObjectStore } from './open-object-store.js';
