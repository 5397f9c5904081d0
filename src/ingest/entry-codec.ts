import { parseTagged, stringifyTagged } from '../domain/index.js';
import type { WriteEntry } from '../records/write-entry.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Log payloads are tagged JSON, so Integral values beyond 2^53 survive the log exactly. */
export function encodeEntry(entry: WriteEntry): Uint8Array {
  return encoder.encode(stringifyTagged(entry));
}

export function decodeEntry(bytes: Uint8Array): WriteEntry {
  return parseTagged<WriteEntry>(decoder.decode(bytes));
}
