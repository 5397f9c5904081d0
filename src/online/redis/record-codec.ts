import { parseTagged, stringifyTagged, type FeatureRecord } from '../../domain/index.js';
import type { OnlineRecord } from '../online-store.js';

/**
 * One Redis string per record, so a get is one GET (the cheapest read Redis has) and a batch is
 * one MGET:
 *
 *   `<eventTimeMicros>|<expiresAtMicros or empty>|<body>`
 *
 * The body is `-` for a soft-delete marker, else the values as tagged JSON (int64 beyond 2^53
 * as `{"$int64":"..."}`) with every member after the first preceded by a newline:
 * `{"a":1\n,"b":[2,3]}`. JSON.stringify never writes a raw newline (it escapes them in strings),
 * and JSON allows one as whitespace, so the body parses as is while the update script in Lua
 * splits it into members on `\n,` without parsing values (Lua would round them to doubles).
 */
export const MEMBER_SEPARATOR = '\n,';
export const MARKER_BODY = '-';

/** `"name":value` for each feature, the unit the update script merges. */
export function encodeMembers(values: FeatureRecord): string[] {
  const members: string[] = [];
  for (const name in values) {
    const value = values[name];
    if (value !== undefined) members.push(`${JSON.stringify(name)}:${stringifyTagged(value)}`); // as JSON.stringify skips undefined
  }
  return members;
}

export function encodeRecord(record: OnlineRecord): string {
  const header = `${record.eventTimeMicros}|${record.expiresAtMicros ?? ''}|`;
  return `${header}{${encodeMembers(record.values).join(MEMBER_SEPARATOR)}}`;
}

export function encodeMarker(eventTimeMicros: number): string {
  return `${eventTimeMicros}||${MARKER_BODY}`;
}

export interface StoredState {
  deleted: boolean;
  expiresAtMicros: number | undefined;
}

/** The header only: what listIds needs, without parsing values. */
export function decodeState(text: string): StoredState {
  const a = text.indexOf('|');
  const b = text.indexOf('|', a + 1);
  return { deleted: text.charCodeAt(b + 1) === 45 /* '-' */, expiresAtMicros: b > a + 1 ? Number(text.slice(a + 1, b)) : undefined };
}

/** The live record in `text`, or undefined (missing, soft-deleted, or expired at `now`). */
export function decodeRecord(text: string | null | undefined, now: number): OnlineRecord | undefined {
  if (text === null || text === undefined) return undefined;
  const a = text.indexOf('|');
  const b = text.indexOf('|', a + 1);
  if (text.charCodeAt(b + 1) === 45 /* '-' */) return undefined;
  if (b > a + 1) {
    const expiresAtMicros = Number(text.slice(a + 1, b));
    if (expiresAtMicros <= now) return undefined;
    return { values: parseTagged<FeatureRecord>(text.slice(b + 1)), eventTimeMicros: Number(text.slice(0, a)), expiresAtMicros };
  }
  return { values: parseTagged<FeatureRecord>(text.slice(b + 1)), eventTimeMicros: Number(text.slice(0, a)) };
}
