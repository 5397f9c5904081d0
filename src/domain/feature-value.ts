import { ValidationError } from './errors.js';
import type { FeatureDefinition } from './feature-group.js';

/**
 * Values as users see them. Integral values are 64-bit: a `number` when within
 * Number.MAX_SAFE_INTEGER, a `bigint` beyond (as lossless JSON parsers do), so they round-trip exactly.
 */
export type ScalarValue = string | number | bigint;
export type FeatureValue = ScalarValue | ScalarValue[] | null;
export type FeatureRecord = Record<string, FeatureValue>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A 64-bit integer in its user-facing form: number when safe, bigint otherwise. */
export function toIntegral(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function normalizeIntegral(raw: unknown, field: string): number | bigint {
  let big: bigint;
  if (typeof raw === 'bigint') big = raw;
  else if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) throw new ValidationError(`${field}: ${raw} is not a whole number (Integral)`, { field });
    if (!Number.isSafeInteger(raw)) {
      throw new ValidationError(`${field}: ${raw} is beyond 2^53 and may have lost precision; pass a bigint or a string`, { field });
    }
    return raw;
  } else if (typeof raw === 'string' && INTEGER_TEXT.test(raw.trim())) big = BigInt(raw.trim());
  else throw new ValidationError(`${field}: expected an Integral (whole number), got ${describe(raw)}`, { field });
  if (big < INT64_MIN || big > INT64_MAX) {
    throw new ValidationError(`${field}: ${big} does not fit in a 64-bit Integral`, { field });
  }
  return toIntegral(big);
}

function normalizeFractional(raw: unknown, field: string): number {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'bigint') n = Number(raw);
  else if (typeof raw === 'string' && DECIMAL_TEXT.test(raw.trim())) n = Number(raw.trim());
  else throw new ValidationError(`${field}: expected a Fractional (number), got ${describe(raw)}`, { field });
  if (!Number.isFinite(n)) throw new ValidationError(`${field}: ${n} is not a finite number`, { field });
  return n;
}

function normalizeString(raw: unknown, field: string): string {
  if (typeof raw !== 'string') throw new ValidationError(`${field}: expected a String, got ${describe(raw)}`, { field });
  return raw;
}

export function normalizeScalar(def: FeatureDefinition, raw: unknown, field: string): ScalarValue {
  switch (def.featureType) {
    case 'Integral':
      return normalizeIntegral(raw, field);
    case 'Fractional':
      return normalizeFractional(raw, field);
    case 'String':
      return normalizeString(raw, field);
  }
}

/**
 * Checks a value against its feature definition and returns it in canonical form.
 * `null`/`undefined` mean "no value" and are returned as null.
 */
export function normalizeValue(def: FeatureDefinition, raw: unknown, field = def.featureName): FeatureValue {
  if (raw === null || raw === undefined) return null;
  if (!def.collectionType) {
    if (Array.isArray(raw)) throw new ValidationError(`${field}: expected a single ${def.featureType}, got a list`, { field });
    return normalizeScalar(def, raw, field);
  }
  if (!Array.isArray(raw)) {
    throw new ValidationError(`${field}: expected a ${def.collectionType} of ${def.featureType}, got ${describe(raw)}`, { field });
  }
  const values = raw.map((item, i) => {
    if (item === null || item === undefined) {
      throw new ValidationError(`${field}[${i}]: a ${def.collectionType} may not hold null`, { field });
    }
    return normalizeScalar(def, item, `${field}[${i}]`);
  });
  if (def.collectionType === 'Vector') {
    const dimension = def.collectionConfig?.vectorConfig.dimension;
    if (values.length !== dimension) {
      throw new ValidationError(`${field}: a Vector of dimension ${dimension} needs ${dimension} values, got ${values.length}`, { field });
    }
  }
  if (def.collectionType === 'Set') {
    const seen = new Set<string>();
    for (const v of values) {
      const key = `${typeof v}:${String(v)}`;
      if (seen.has(key)) throw new ValidationError(`${field}: a Set may not hold '${String(v)}' twice`, { field });
      seen.add(key);
    }
  }
  return values;
}

function describe(raw: unknown): string {
  if (typeof raw === 'string') return `'${raw.length > 40 ? `${raw.slice(0, 40)}...` : raw}'`;
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return raw === null ? 'null' : 'an object';
  return `${typeof raw} ${String(raw)}`;
}
