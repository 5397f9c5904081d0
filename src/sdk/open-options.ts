import { join, resolve } from 'node:path';
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
  /** Offline warehouse directory; default `<dataDir>/warehouse`. */
  warehouse?: string;
  /** How long buffered offline rows wait before a commit (default 200 ms), and how many force one. */
  offlineCommit?: { maxDelayMs?: number; maxRows?: number };
  /** How long a maintenance run's lease on its table lasts without renewal (default 60 s). */
  maintenanceLease?: { ttlMs?: number };
}

/** Where the registry of a store opened with these options lives (shared by FeatureStore.open and tools that need only the registry). */
export function registryOptions(options: OpenOptions): RegistryOptions {
  if (options.registryUrl) return { url: options.registryUrl, ...(options.registrySchema ? { schema: options.registrySchema } : {}) };
  return { path: join(resolve(options.dataDir ?? '.floe'), 'registry.sqlite') };
}
