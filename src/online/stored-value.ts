import type { FeatureRecord } from '../domain/index.js';
import type { OnlineRecord } from './online-store.js';

/** Pick the asked-for features out of a record. */
export function selectFeatures(values: FeatureRecord, featureNames: string[] | undefined): FeatureRecord {
  if (!featureNames) return values;
  const out: FeatureRecord = {};
  for (const name of featureNames) if (name in values) out[name] = values[name]!;
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
