import type { PrimitiveType } from './iceberg/schema.js';

/**
 * Column bounds in Iceberg's single-value serialisation (spec Appendix D), from the min/max text
 * DuckDB reports with RETURN_STATS. A wrong bound would make readers skip files they need, so a
 * bound is written only when it is certain; otherwise the column gets none (bounds are optional).
 */
export function bounds(type: PrimitiveType, min: string | undefined, max: string | undefined): { lower: Buffer; upper: Buffer } | undefined {
  if (min === undefined || max === undefined) return undefined;
  if (type === 'string') return stringBounds(min, max);
  const lower = encode(type, min);
  const upper = encode(type, max);
  return lower && upper ? { lower, upper } : undefined;
}

function encode(type: PrimitiveType, text: string): Buffer | undefined {
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
    case 'timestamptz': {
      const micros = timestampMicros(text);
      if (micros === undefined) return undefined;
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(micros);
      return b;
    }
    default:
      return undefined;
  }
}

/**
 * DuckDB keeps string statistics up to 256 bytes: a longer min is cut (still a lower bound, but it
 * may end inside a character), a longer max cut and rounded up. Shorter values are exact and
 * used as they are. Longer ones become what Iceberg writers do with `truncate(16)`: the first 16
 * code points of the min, and of the max with its last code point incremented (an upper bound of
 * every string that starts with them); no upper bound when none can be made.
 */
const EXACT_BELOW_BYTES = 256;
const TRUNCATE_TO = 16;

function stringBounds(min: string, max: string): { lower: Buffer; upper: Buffer } | undefined {
  const lower = Buffer.byteLength(min) < EXACT_BELOW_BYTES ? min : [...min].slice(0, TRUNCATE_TO).join('');
  const upper = Buffer.byteLength(max) < EXACT_BELOW_BYTES ? max : incrementedPrefix(max);
  if (upper === undefined || lower.includes('\uFFFD') || upper.includes('\uFFFD')) return undefined;
  return { lower: Buffer.from(lower), upper: Buffer.from(upper) };
}

/** The first 16 code points with the last one incremented (skipping surrogates), dropping maxed-out ones. */
export function incrementedPrefix(text: string): string | undefined {
  const points = [...text].slice(0, TRUNCATE_TO).map((c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      points.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}

const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?$/;

/** Epoch microseconds of DuckDB's TIMESTAMPTZ text (`2025-01-01 00:00:00.123456+00`); undefined for anything else (BC, infinity). */
export function timestampMicros(text: string): bigint | undefined {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', sign, oh, om = '0', os = '0'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || Number(y) < 100) return undefined; // Date.UTC maps years 0-99 to 1900-1999
  const offsetSeconds = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os));
  return BigInt(ms - offsetSeconds * 1000) * 1000n + BigInt(fraction.padEnd(6, '0'));
}
