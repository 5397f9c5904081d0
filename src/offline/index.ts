/** The offline store: Apache Iceberg tables over an object store. */
import type { TablePointerStore } from './iceberg/table-pointer-store.js';
import { LocalObjectStore } from './objectstore/index.js';
import { OfflineStore } from './offline-store.js';

export { OfflineStore, LOG_POSITION_KEY, type TableFiles } from './offline-store.js';
export { IcebergTable } from './iceberg/iceberg-table.js';
export type { Snapshot, TableMetadata } from './iceberg/table-metadata.js';
export type { DataFile } from './iceberg/manifest.js';
export type { OfflineRow } from './parquet-writer.js';
export * from './objectstore/index.js';

export async function openOfflineStore(options: { warehouse: string; pointers: TablePointerStore; sync?: boolean }): Promise<OfflineStore> {
  return new OfflineStore(await LocalObjectStore.open(options.warehouse, { sync: options.sync ?? true }), options.pointers);
}
