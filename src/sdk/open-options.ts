import { join, resolve } from 'node:path';
import type { OfflineCommitEvent } from '../ingest/index.js';
import type { S3Options } from '../offline/index.js';
import type { OnlineStoreOptions } from '../online/index.js';
import type { RegistryOptions } from '../registry/index.js';

/** Where a store keeps its parts. Everything defaults to the embedded setup inside `dataDir`. */
export interface OpenOptions {
  /** Data directory (default `./.floe`): embedded registry, online store, write-ahead log, warehouse. */
  dataDir?: string;
  /** A PostgreSQL URL for a shared registry; default: SQLite in the data directory. */
  registryUrl?: string;
  /** PostgreSQL schema for the registry's tables (default: public). Lets tenants or tests share a database. */
  registrySchema?: string;
  /** Default: LMDB in the data directory. */
  onlineStore?: { kind: 'lmdb'; path?: string } | { kind: 'redis'; url?: string; prefix?: string };
  /**
   * The offline warehouse: a local directory (default `<dataDir>/warehouse`), a `file://` URI, or
   * `s3://bucket/prefix` on any S3-compatible store (then reached with `s3`, and read through a
   * local cache in the data directory).
   */
  warehouse?: string;
  /** How to reach an `s3://` warehouse: endpoint, region, credentials (default: the AWS SDK's chain), path-style URLs. */
  s3?: S3Options;
  /** The local cache of a remote warehouse's files: directory (default `<dataDir>/cache`) and bound in bytes (default 10 GiB). */
  cache?: { dir?: string; maxBytes?: number };
  /** How long buffered offline rows wait before a commit (default 200 ms), and how many force one. */
  offlineCommit?: { maxDelayMs?: number; maxRows?: number };
  /** How long a maintenance run's lease on its table lasts without renewal (default 60 s). */
  maintenanceLease?: { ttlMs?: number };
  /** Told of the store's background work, for monitoring (the server's /metrics). */
  observer?: StoreObserver;
}

export interface StoreObserver {
  /** After every offline commit attempt: its group, rows, duration and outcome. */
  offlineCommit?(event: OfflineCommitEvent): void;
}

/** Where the registry of a store opened with these options lives (shared by FeatureStore.open and tools that need only the registry). */
export function registryOptions(options: OpenOptions): RegistryOptions {
  if (options.registryUrl) return { url: options.registryUrl, ...(options.registrySchema ? { schema: options.registrySchema } : {}) };
  return { path: join(resolve(options.dataDir ?? '.floe'), 'registry.sqlite') };
}

/** Where the online store of a store opened with these options lives (default: LMDB in the data directory). */
export function onlineStoreOptions(options: OpenOptions): OnlineStoreOptions {
  const online = options.onlineStore ?? { kind: 'lmdb' };
  return online.kind === 'lmdb' ? { kind: 'lmdb', path: online.path ?? join(resolve(options.dataDir ?? '.floe'), 'online') } : online;
}
