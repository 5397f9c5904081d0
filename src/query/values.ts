import { toIntegral } from '../domain/index.js';

/** DuckDB's JS values in Floe's forms: 64-bit integers as number when safe, bigint beyond. */
export function toFloeValue(value: unknown): unknown {
  if (typeof value === 'bigint') return toIntegral(value);
  if (Array.isArray(value)) return value.map(toFloeValue);
  return value;
}
