/**
 * JSON that keeps 64-bit integers exact: a bigint travels as `{"$int64":"..."}` and comes back as
 * a bigint. Used where Floe stores values as text of its own (log entries, Redis fields).
 */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { $int64: value.toString() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && '$int64' in value) return BigInt((value as { $int64: string }).$int64);
  return value;
}

export function stringifyTagged(value: unknown): string {
  // JSON.stringify refuses a bigint with a TypeError: try the fast path (no replacer call per
  // value) first, and tag only when there is an int64 beyond 2^53 to keep.
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, replacer);
  }
}

export function parseTagged<T = unknown>(text: string): T {
  // The reviver costs a call per value: skip it when no int64 is tagged (the common case).
  return (text.includes('"$int64"') ? JSON.parse(text, reviver) : JSON.parse(text)) as T;
}
