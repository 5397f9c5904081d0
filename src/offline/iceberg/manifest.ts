import { readAvroFile, writeAvroFile } from './avro-file.js';
import { MANIFEST_ENTRY_SCHEMA, MANIFEST_LIST_SCHEMA } from './avro-schemas.js';
import type { IcebergSchema } from './schema.js';

export interface DataFile {
  filePath: string;
  recordCount: bigint;
  fileSizeInBytes: bigint;
  columnSizes?: Map<number, bigint>;
  valueCounts?: Map<number, bigint>;
  nullValueCounts?: Map<number, bigint>;
  lowerBounds?: Map<number, Buffer>;
  upperBounds?: Map<number, Buffer>;
}

export const enum EntryStatus {
  Existing = 0,
  Added = 1,
  Deleted = 2,
}

/** A manifest entry with sequence numbers resolved (inherited from the manifest where null). */
export interface ManifestEntry {
  status: EntryStatus;
  snapshotId: bigint;
  sequenceNumber: bigint;
  fileSequenceNumber: bigint;
  dataFile: DataFile;
}

/** A manifest list row. */
export interface ManifestFile {
  manifestPath: string;
  manifestLength: bigint;
  sequenceNumber: bigint;
  minSequenceNumber: bigint;
  addedSnapshotId: bigint;
  addedFilesCount: number;
  existingFilesCount: number;
  deletedFilesCount: number;
  addedRowsCount: bigint;
  existingRowsCount: bigint;
  deletedRowsCount: bigint;
}

type AvroMap<V> = Array<{ key: number; value: V }> | null;
const toAvroMap = <V>(m: Map<number, V> | undefined): AvroMap<V> => (m ? [...m].map(([key, value]) => ({ key, value })) : null);
const fromAvroMap = <V>(m: AvroMap<V>): Map<number, V> | undefined => (m ? new Map(m.map((e) => [e.key, e.value])) : undefined);

/**
 * Writes a manifest. Entries added by `snapshotId` leave their sequence numbers null so readers
 * inherit them from the manifest list; carried-over and deleted entries keep theirs explicitly.
 */
export async function writeManifest(
  entries: Array<ManifestEntry & { inherit?: boolean }>,
  schema: IcebergSchema,
): Promise<Buffer> {
  const records = entries.map((e) => ({
    status: e.status,
    snapshot_id: e.snapshotId,
    sequence_number: e.inherit ? null : e.sequenceNumber,
    file_sequence_number: e.inherit ? null : e.fileSequenceNumber,
    data_file: {
      content: 0,
      file_path: e.dataFile.filePath,
      file_format: 'PARQUET',
      partition: {},
      record_count: e.dataFile.recordCount,
      file_size_in_bytes: e.dataFile.fileSizeInBytes,
      column_sizes: toAvroMap(e.dataFile.columnSizes),
      value_counts: toAvroMap(e.dataFile.valueCounts),
      null_value_counts: toAvroMap(e.dataFile.nullValueCounts),
      nan_value_counts: null,
      lower_bounds: toAvroMap(e.dataFile.lowerBounds),
      upper_bounds: toAvroMap(e.dataFile.upperBounds),
      key_metadata: null,
      split_offsets: null,
      equality_ids: null,
      sort_order_id: null,
      referenced_data_file: null,
    },
  }));
  return writeAvroFile(MANIFEST_ENTRY_SCHEMA, records, {
    schema: JSON.stringify(schema),
    'schema-id': String(schema['schema-id']),
    'partition-spec': '[]',
    'partition-spec-id': '0',
    'format-version': '2',
    content: 'data',
  });
}

interface RawEntry {
  status: number;
  snapshot_id: bigint | null;
  sequence_number: bigint | null;
  file_sequence_number: bigint | null;
  data_file: {
    content: number;
    file_path: string;
    record_count: bigint;
    file_size_in_bytes: bigint;
    column_sizes: AvroMap<bigint>;
    value_counts: AvroMap<bigint>;
    null_value_counts: AvroMap<bigint>;
    lower_bounds: AvroMap<Buffer>;
    upper_bounds: AvroMap<Buffer>;
  };
}

export async function readManifest(bytes: Buffer, manifest: ManifestFile): Promise<ManifestEntry[]> {
  const { records } = await readAvroFile<RawEntry>(bytes);
  return records.map((r) => {
    const dataFile: DataFile = {
      filePath: r.data_file.file_path,
      recordCount: r.data_file.record_count,
      fileSizeInBytes: r.data_file.file_size_in_bytes,
    };
    const maps = {
      columnSizes: fromAvroMap(r.data_file.column_sizes),
      valueCounts: fromAvroMap(r.data_file.value_counts),
      nullValueCounts: fromAvroMap(r.data_file.null_value_counts),
      lowerBounds: fromAvroMap(r.data_file.lower_bounds),
      upperBounds: fromAvroMap(r.data_file.upper_bounds),
    };
    for (const [k, v] of Object.entries(maps)) if (v) (dataFile as unknown as Record<string, unknown>)[k] = v;
    const inherited = r.status === EntryStatus.Added && r.sequence_number === null;
    return {
      status: r.status as EntryStatus,
      snapshotId: r.snapshot_id ?? manifest.addedSnapshotId,
      sequenceNumber: inherited ? manifest.sequenceNumber : (r.sequence_number ?? manifest.sequenceNumber),
      fileSequenceNumber: r.file_sequence_number ?? manifest.sequenceNumber,
      dataFile,
    };
  });
}

export async function writeManifestList(
  manifests: ManifestFile[],
  meta: { snapshotId: bigint; parentSnapshotId?: bigint; sequenceNumber: bigint },
): Promise<Buffer> {
  const records = manifests.map((m) => ({
    manifest_path: m.manifestPath,
    manifest_length: m.manifestLength,
    partition_spec_id: 0,
    content: 0,
    sequence_number: m.sequenceNumber,
    min_sequence_number: m.minSequenceNumber,
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: m.addedRowsCount,
    existing_rows_count: m.existingRowsCount,
    deleted_rows_count: m.deletedRowsCount,
    partitions: [],
    key_metadata: null,
  }));
  return writeAvroFile(MANIFEST_LIST_SCHEMA, records, {
    'snapshot-id': meta.snapshotId.toString(),
    'parent-snapshot-id': meta.parentSnapshotId === undefined ? 'null' : meta.parentSnapshotId.toString(),
    'sequence-number': meta.sequenceNumber.toString(),
    'format-version': '2',
  });
}

interface RawManifestFile {
  manifest_path: string;
  manifest_length: bigint;
  content: number;
  sequence_number: bigint;
  min_sequence_number: bigint;
  added_snapshot_id: bigint;
  added_files_count: number;
  existing_files_count: number;
  deleted_files_count: number;
  added_rows_count: bigint;
  existing_rows_count: bigint;
  deleted_rows_count: bigint;
}

export async function readManifestList(bytes: Buffer): Promise<ManifestFile[]> {
  const { records } = await readAvroFile<RawManifestFile>(bytes);
  return records
    .filter((r) => r.content === 0)
    .map((r) => ({
      manifestPath: r.manifest_path,
      manifestLength: r.manifest_length,
      sequenceNumber: r.sequence_number,
      minSequenceNumber: r.min_sequence_number,
      addedSnapshotId: r.added_snapshot_id,
      addedFilesCount: r.added_files_count,
      existingFilesCount: r.existing_files_count,
      deletedFilesCount: r.deleted_files_count,
      addedRowsCount: r.added_rows_count,
      existingRowsCount: r.existing_rows_count,
      deletedRowsCount: r.deleted_rows_count,
    }));
}
