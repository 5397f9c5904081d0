import type { PrimitiveType } from './iceberg/schema.js';

/**
 * Column bounds in Iceberg's single-value serialisation (spec Appendix D), from the min/max text
 * DuckDB reports. Types whose text form may be inexact or truncated (timestamps, strings) get no bounds: bounds are
 * optional, and a wrong bound would make readers skip files they need.
 */
export function bounds(type: PrimitiveType, min: string | undefined, max: string | undefined): { lower: Buffer; upper: Buffer } | undefined {
  if (min === undefined || max === undefined) return undefined;
  const encode = (text: string): Buffer | undefined => {
    switch (type) {
      case 'long': {
        const b = Buffer.alloc(8);
        b.writeBigInt64LE(BigInt(text));
        return b;
      }
      case 'double': {
        const n = Number(text);
        if (Number.isNaN(n)) return undefined;
        const b = Buffer.alloc(8);
        b.writeDoubleLE(n);
        return b;
      }
      case 'boolean':
        return Buffer.from([text === '1' || text === 'true' ? 1 : 0]);
      default:
        return undefined;
    }
  };
  const lower = encode(min);
  const upper = encode(max);
  return lower && upper ? { lower, upper } : undefined;
}
