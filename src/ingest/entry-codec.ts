import type { WriteEntry } from '../records/write-entry.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON keeps bigint as `{"$int64":"..."}`, so Integral values beyond 2^53 survive the log exactly. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { $int64: value.toString() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && '$int64' in value) return BigInt((value as { $int64: string }).$int64);
  return value;
}

export function encodeEntry(entry: WriteEntry): Uint8Array {
  return encoder.encode(JSON.stringify(entry, replacer));
}

export function decodeEntry(bytes: Uint8Array): WriteEntry {
  return JSON.parse(decoder.decode(bytes), reviver) as WriteEntry;
}
