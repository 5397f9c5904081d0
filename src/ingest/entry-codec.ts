import { parseTagged, stringifyTagged } from '../domain/index.js';
import type { WriteEntry } from '../records/write-entry.js';

const decoder = new TextDecoder();

/**
 * Log payloads are tagged JSON, so Integral values beyond 2^53 survive the log exactly. The text
 * is made once per entry: the log frames it, and the offline buffer hands the same lines to DuckDB.
 */
export function encodeEntry(entry: WriteEntry): string {
  return stringifyTagged(entry);
}

export function decodeEntry(bytes: Uint8Array): { entry: WriteEntry; text: string } {
  const text = decoder.decode(bytes);
  return { entry: parseTagged<WriteEntry>(text), text };
}
