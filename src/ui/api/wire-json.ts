/**
 * The native API writes 64-bit integers (snapshot ids, counts) as plain JSON numbers, exactly.
 * JSON.parse would round those beyond 2^53; its reviver sees each number's source text, so such
 * a number is kept as that text instead: shown exactly, never used in arithmetic.
 */
type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

const keepLargeIntegers: Reviver = (_key, value, context) =>
  typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source) ? context.source : value;

export function parseWireJson(text: string): unknown {
  return JSON.parse(text, keepLargeIntegers as Parameters<typeof JSON.parse>[1]);
}
