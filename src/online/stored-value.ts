import { ValidationError, type FeatureRecord } from '../domain/index.js';
import type { OnlineRecord } from './online-store.js';

/** Pick the asked-for features out of a record; names the record lacks are left out. */
export function selectFeatures(values: FeatureRecord, featureNames: string[] | undefined): FeatureRecord {
  if (!featureNames) return values;
  const out: FeatureRecord = {};
  for (const name of featureNames) if (Object.hasOwn(values, name)) out[name] = values[name]!;
  return out;
}

export function isExpired(expiresAtMicros: number | undefined, nowMicros: number): boolean {
  return expiresAtMicros !== undefined && expiresAtMicros <= nowMicros;
}

export function nowMicros(): number {
  return Date.now() * 1000;
}

/** The record a merge produces: changed values over the stored ones, and the newer event time. */
export function mergeRecord(
  stored: OnlineRecord,
  change: { values: FeatureRecord; eventTimeMicros?: number; expiresAtMicros?: number | null },
): OnlineRecord {
  const merged: OnlineRecord = { values: { ...stored.values, ...change.values }, eventTimeMicros: change.eventTimeMicros ?? stored.eventTimeMicros };
  const expires = change.expiresAtMicros === undefined ? stored.expiresAtMicros : change.expiresAtMicros;
  if (expires !== undefined && expires !== null) merged.expiresAtMicros = expires;
  return merged;
}

/** Times are whole epoch microseconds: anything else would compare wrongly in put-if-newer. */
export function checkMicros(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ValidationError(`${field}: expected whole epoch microseconds, got ${String(value)}`, { field });
  }
}

export function checkRecord(record: OnlineRecord): void {
  checkMicros(record.eventTimeMicros, 'eventTimeMicros');
  if (record.expiresAtMicros !== undefined) checkMicros(record.expiresAtMicros, 'expiresAtMicros');
}

export function checkLimit(limit: unknown): number {
  if (limit === undefined) return 100;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new ValidationError(`limit: must be a whole number of at least 1, got ${String(limit)}`, { field: 'limit' });
  }
  return limit;
}

/** listIds cursors: the last id of a page, opaque to callers (base64url of its UTF-8). */
export function encodeCursor(recordId: string): string {
  return Buffer.from(recordId).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const recordId = Buffer.from(cursor, 'base64url').toString();
  // Decoding is lenient (it skips stray characters): insist on a cursor this store handed out.
  if (encodeCursor(recordId) !== cursor) throw new ValidationError('cursor: not a cursor returned by listIds', { field: 'cursor' });
  return recordId;
}
