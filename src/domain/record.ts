import { ValidationError } from './errors.js';
import { epochSecondsToMicros, parseIsoToMicros } from './event-time.js';
import type { Feature, FeatureDefinition, FeatureGroup } from './feature-group.js';
import { normalizeValue, type FeatureRecord } from './feature-value.js';

/** A record checked against its feature group, with what the stores need to order it. */
export interface ValidRecord {
  /** The record identifier in canonical text form (Integral identifiers in decimal). */
  recordId: string;
  eventTimeMicros: number;
  /** Every given feature in canonical form; features not given are absent. */
  values: FeatureRecord;
}

const featureMaps = new WeakMap<FeatureGroup, Map<string, Feature>>();

/** Features by name; built once per feature group object (records are validated in the hot path). */
export function featureMap(group: FeatureGroup): Map<string, Feature> {
  let map = featureMaps.get(group);
  if (!map) {
    map = new Map(group.features.map((f) => [f.featureName, f]));
    featureMaps.set(group, map);
  }
  return map;
}

/** Canonical text form of a record identifier (the online key). */
export function recordIdToString(group: FeatureGroup, raw: unknown, field = group.recordIdentifierFeatureName): string {
  const def = featureMap(group).get(group.recordIdentifierFeatureName)!;
  const value = normalizeValue(def, raw, field);
  if (value === null) throw new ValidationError(`${field}: the record identifier is required`, { field });
  const text = String(value);
  if (text.length === 0) throw new ValidationError(`${field}: the record identifier must not be empty`, { field });
  return text;
}

/** Epoch microseconds of an event-time value, per the event-time feature's type. */
export function eventTimeToMicros(def: FeatureDefinition, raw: unknown, field = def.featureName): number {
  if (raw === null || raw === undefined) throw new ValidationError(`${field}: the event time is required`, { field });
  if (def.featureType === 'Fractional') {
    const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof n !== 'number') throw new ValidationError(`${field}: event time must be epoch seconds (Fractional)`, { field });
    return epochSecondsToMicros(n, field);
  }
  if (typeof raw !== 'string') throw new ValidationError(`${field}: event time must be an ISO-8601 string`, { field });
  return parseIsoToMicros(raw, field);
}

export interface ValidateRecordOptions {
  /** For partial updates: features may be missing, except the identifier. */
  partial?: boolean;
}

/**
 * Validates a whole record against its feature group. A bad record is refused whole with a
 * ValidationError naming the feature and the reason.
 */
export function validateRecord(group: FeatureGroup, input: unknown, options: ValidateRecordOptions = {}): ValidRecord {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('record: expected an object keyed by feature name', { field: 'record' });
  }
  const features = featureMap(group);
  const values: FeatureRecord = {};
  for (const [name, raw] of Object.entries(input)) {
    const def = features.get(name);
    if (!def) {
      throw new ValidationError(`${name}: feature '${name}' is not defined in feature group '${group.featureGroupName}'`, {
        field: name,
      });
    }
    const value = normalizeValue(def, raw, name);
    if (value !== null) values[name] = value;
  }
  const recordId = recordIdToString(group, values[group.recordIdentifierFeatureName]);
  const eventDef = features.get(group.eventTimeFeatureName)!;
  const eventRaw = values[group.eventTimeFeatureName];
  const eventTimeMicros = options.partial && eventRaw === undefined ? Number.NaN : eventTimeToMicros(eventDef, eventRaw);
  return { recordId, eventTimeMicros, values };
}
