import { LosslessNumber, parse, stringify } from 'lossless-json';

/**
 * The JSON of the native API, the same in both directions: an integer written without a fraction
 * or an exponent is an int64 (a number when it is safe, a bigint beyond 2^53), any other number a
 * double. So `9007199254740993` travels as those digits, not as a string or a tagged object, and
 * a double that happens to be a large whole number (1e20) is written with its exponent so it does
 * not come back as an integer. Dates travel as ISO-8601 text.
 */
export const JSON_TYPE = 'application/json';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) return new LosslessNumber(value.toExponential());
  if (typeof value === 'bigint') return new LosslessNumber(value.toString());
  return value;
}

export function stringifyWire(value: unknown): string {
  // The common case costs one JSON.stringify and one scan: it throws on a bigint, and a run of 16
  // digits may be a double beyond 2^53 written as an integer; only then the lossless writer runs.
  try {
    const text = JSON.stringify(value) ?? 'null';
    if (!/\d{16}/.test(text)) return text;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  return stringify(value, (key, v) => replacer(key, v instanceof Date ? v.toISOString() : v)) ?? 'null';
}

function parseNumber(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

/** Throws SyntaxError on malformed JSON. */
export function parseWire(text: string): unknown {
  // Numbers of at most 15 digits are exact as doubles: JSON.parse is enough unless a longer run appears.
  return /\d{16}/.test(text) ? parse(text, null, parseNumber) : JSON.parse(text);
}
