/** The offline store: Apache Iceberg tables over an object store. */
import { ValidationError } from '../domain/index.js';
import type { TablePointerStore } from './iceberg/table-pointer-store.js';
import { ObjectCache, openObjectStore, type S3Options } from './objectstore/index.js';
import { OfflineStore } from './offline-store.js';

export { OfflineStore, LOG_POSITION_KEY, logPositionKey, type LocalFiles, type TableFiles } from './offline-store.js';
export { IcebergTable } from './iceberg/iceberg-table.js';
export type { Snapshot, TableMetadata } from './iceberg/table-metadata.js';
export type { DataFile } from './iceberg/manifest.js';
export type { OfflineRow } from './parquet-writer.js';
export * from './objectstore/index.js';

export interface OfflineStoreOptions {
  /** A local directory, a `file://` URI or `s3://bucket/prefix`. */
  warehouse: string;
  pointers: TablePointerStore;
  s3?: S3Options;
  /** For a remote warehouse (required there): the local cache of its files (one process's own directory) and its bound. */
  cache?: { dir: string; maxBytes?: number };
  /** `false` skips fsync of a local warehouse's writes: only for disposable bulk fixtures (benchmarks). */
  sync?: boolean;
}

/** Default bound of the local cache of a remote warehouse. */
export const DEFAULT_CACHE_BYTES = 10 * 1024 ** 3;

export async function openOfflineStore(options: OfflineStoreOptions): Promise<OfflineStore> {
  const io = await openObjectStore(options.warehouse, options.s3, { sync: options.sync ?? true });
  if (io.localPath(io.rootUri) !== undefined) return new OfflineStore(io, options.pointers);
  try {
    if (!options.cache) throw new ValidationError('cache: a remote warehouse needs a local cache directory', { field: 'cache' });
    const cache = await ObjectCache.open(io, { dir: options.cache.dir, maxBytes: options.cache.maxBytes ?? DEFAULT_CACHE_BYTES });
    return new OfflineStore(io, options.pointers, { root: options.cache.dir, cache });
  } catch (error) {
    await io.close();
    throw error;
  }
}
