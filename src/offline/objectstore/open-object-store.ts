import { fileURLToPath } from 'node:url';
import { ValidationError } from '../../domain/index.js';
import { LocalObjectStore } from './local-object-store.js';
import type { ObjectStore } from './object-store.js';
import type { S3Options } from './s3-uri.js';

/** The object store a warehouse names: `s3://bucket/prefix`, a `file://` URI or a local path. */
export async function openObjectStore(warehouse: string, s3: S3Options = {}, local: { sync?: boolean } = {}): Promise<ObjectStore> {
  if (warehouse.startsWith('s3://')) return (await import('./s3-object-store.js')).S3ObjectStore.open(warehouse, s3);
  if (warehouse.startsWith('file://')) return LocalObjectStore.open(fileURLToPath(warehouse), local);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(warehouse)) {
    throw new ValidationError(`warehouse: '${warehouse}' is neither a local directory, a file:// URI nor an s3:// URI`, { field: 'warehouse' });
  }
  return LocalObjectStore.open(warehouse, local);
}
