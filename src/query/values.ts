import { toIntegral } from '../domain/index.js';

/**
 * DuckDB's JS values in Floe's forms: 64-bit (and 128-bit) integers as number when safe, bigint
 * beyond; lists as arrays and structs as objects, converted inside; TIMESTAMP and TIMESTAMPTZ stay
 * the JavaScript Date DuckDB gives (millisecond precision), DOUBLE and DECIMAL numbers.
 */
export function toFloeValue(value: unknown): unknown {
  if (typeof value === 'bigint') return toIntegral(value);
  if (Array.isArray(value)) return value.map(toFloeValue);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toFloeValue(v)]));
  }
  return value;
}
