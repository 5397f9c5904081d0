import { isSafeNumber, parse } from 'lossless-json';
import { ValidationError } from '../../domain/index.js';
import type { IcebergSchema } from './schema.js';

/** A snapshot: 64-bit ids are bigint (JSON numbers beyond 2^53 must not be rounded). */
export interface Snapshot {
  'snapshot-id': bigint;
  'parent-snapshot-id'?: bigint;
  'sequence-number': number;
  'timestamp-ms': number;
  'manifest-list': string;
  summary: Record<string, string> & { operation: 'append' | 'replace' | 'overwrite' | 'delete' };
  'schema-id'?: number;
}

export interface TableMetadata {
  'format-version': 2;
  'table-uuid': string;
  location: string;
  'last-sequence-number': number;
  'last-updated-ms': number;
  'last-column-id': number;
  schemas: IcebergSchema[];
  'current-schema-id': number;
  'partition-specs': Array<{ 'spec-id': number; fields: unknown[] }>;
  'default-spec-id': number;
  'last-partition-id': number;
  'sort-orders': Array<{ 'order-id': number; fields: unknown[] }>;
  'default-sort-order-id': number;
  properties: Record<string, string>;
  'current-snapshot-id'?: bigint;
  snapshots: Snapshot[];
  'snapshot-log': Array<{ 'snapshot-id': bigint; 'timestamp-ms': number }>;
  'metadata-log': Array<{ 'metadata-file': string; 'timestamp-ms': number }>;
  refs: Record<string, { 'snapshot-id': bigint; type: 'branch' | 'tag' }>;
}

const ID_KEYS = new Set(['snapshot-id', 'parent-snapshot-id', 'current-snapshot-id']);

/** Parses metadata JSON without losing 64-bit ids; refuses format versions other than 2. */
export function parseTableMetadata(text: string): TableMetadata {
  const raw = parse(text, (key, value) => {
    if (ID_KEYS.has(key) && value !== null && value !== undefined) return BigInt(String(value));
    return value;
  }, (digits) => (isSafeNumber(digits) ? Number(digits) : BigInt(digits))) as TableMetadata & { 'current-snapshot-id'?: bigint | null };
  if (raw['format-version'] !== 2) {
    throw new ValidationError(`format-version: Floe reads Iceberg format version 2, not ${String(raw['format-version'])}`, { field: 'format-version' });
  }
  if (raw['current-snapshot-id'] === -1n || raw['current-snapshot-id'] === null) delete raw['current-snapshot-id'];
  raw.snapshots ??= [];
  raw['snapshot-log'] ??= [];
  raw['metadata-log'] ??= [];
  raw.refs ??= {};
  raw.properties ??= {};
  return raw;
}

/**
 * Snapshots never change once made, and every commit rewrites the metadata listing all of them:
 * each snapshot's JSON is kept beside it, so a commit at 10,000 snapshots joins strings instead
 * of serialising every snapshot again.
 */
const snapshotJson = new WeakMap<Snapshot, string>();

function stringifySnapshot(snapshot: Snapshot): string {
  let json = snapshotJson.get(snapshot);
  if (json === undefined) {
    json = stringifyLossless(snapshot);
    snapshotJson.set(snapshot, json);
  }
  return json;
}

/** JSON with bigints written as plain integers (64-bit ids); native JSON.stringify does the work. */
function stringifyLossless(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${BIGINT_MARK}${v}` : v));
  return text.includes(BIGINT_ESCAPED) ? text.replace(BIGINT_PATTERN, '$1') : text;
}

const BIGINT_MARK = '\u0000bigint:';
/** The mark as JSON.stringify writes it (the NUL escaped). */
const BIGINT_ESCAPED = '\\u0000bigint:';
const BIGINT_PATTERN = /"\\u0000bigint:(-?\d+)"/g;

/** Compact JSON (the file is rewritten by every commit; readers do not need indentation). */
export function stringifyTableMetadata(metadata: TableMetadata): string {
  const { snapshots, 'snapshot-log': snapshotLog, ...rest } = metadata;
  const head = stringifyLossless(rest);
  const log = snapshotLog.map((e) => `{"snapshot-id":${e['snapshot-id']},"timestamp-ms":${e['timestamp-ms']}}`).join(',');
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"snapshots":[${snapshots.map(stringifySnapshot).join(',')}],"snapshot-log":[${log}]}`;
}

export function currentSchema(metadata: TableMetadata): IcebergSchema {
  return metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])!;
}

export function currentSnapshot(metadata: TableMetadata): Snapshot | undefined {
  const id = metadata['current-snapshot-id'];
  return id === undefined ? undefined : metadata.snapshots.find((s) => s['snapshot-id'] === id);
}
