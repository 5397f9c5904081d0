/** Object storage for table files. */
export type { ObjectStore, ObjectInfo } from './object-store.js';
export { LocalObjectStore } from './local-object-store.js';
