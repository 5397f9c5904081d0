import { z } from 'zod';
import { parseOrThrow, ValidationError, type FeatureRecord, type FeatureValue } from '../../domain/index.js';

/** SageMaker's limit on one record's size. */
export const MAX_RECORD_BYTES = 350 * 1024;

/** A feature value on the wire: text, or a list of texts for a collection feature. */
export interface WireFeatureValue {
  FeatureName: string;
  ValueAsString?: string;
  ValueAsStringList?: string[];
}

export const wireRecordSchema = z
  .array(
    z.object({
      FeatureName: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
      ValueAsString: z.string({ error: 'must be a string' }).optional(),
      ValueAsStringList: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings' }).optional(),
    }),
    { error: 'is required and must be a list of FeatureName/ValueAsString pairs' },
  )
  .min(1, 'must hold at least one feature');

/**
 * A wire record as the SDK takes it: texts stay texts, and the feature group's definition turns
 * them into Integral (64-bit exact), Fractional or String values when the record is validated,
 * so this translation cannot disagree with the SDK's own rules.
 */
export function fromWireRecord(input: unknown, field: string): Record<string, unknown> {
  const features = parseOrThrow(wireRecordSchema, input, field);
  const record: Record<string, unknown> = {};
  let bytes = 0;
  features.forEach((f, i) => {
    const at = `${field}[${i}]`;
    if (Object.hasOwn(record, f.FeatureName)) {
      throw new ValidationError(`${at}.FeatureName: feature '${f.FeatureName}' is given twice`, { field: `${at}.FeatureName` });
    }
    if ((f.ValueAsString === undefined) === (f.ValueAsStringList === undefined)) {
      throw new ValidationError(`${at}: give exactly one of ValueAsString and ValueAsStringList for feature '${f.FeatureName}'`, { field: at });
    }
    bytes += Buffer.byteLength(f.FeatureName);
    if (f.ValueAsString !== undefined) bytes += Buffer.byteLength(f.ValueAsString);
    else for (const v of f.ValueAsStringList!) bytes += Buffer.byteLength(v);
    record[f.FeatureName] = f.ValueAsString ?? f.ValueAsStringList;
  });
  if (bytes > MAX_RECORD_BYTES) {
    throw new ValidationError(`${field}: the record is ${bytes} bytes, more than the limit of ${MAX_RECORD_BYTES}`, { field });
  }
  return record;
}

/** A stored record back to the wire: scalars as ValueAsString, collections as ValueAsStringList. */
export function toWireRecord(record: FeatureRecord): WireFeatureValue[] {
  const out: WireFeatureValue[] = [];
  for (const name in record) {
    const value: FeatureValue | undefined = record[name];
    if (value === null || value === undefined) continue;
    out.push(Array.isArray(value) ? { FeatureName: name, ValueAsStringList: value.map(String) } : { FeatureName: name, ValueAsString: String(value) });
  }
  return out;
}

/** `{"FeatureName":<name>,"ValueAs...":` per feature name: names repeat in every record of a response. */
const scalarPrefixes = new Map<string, string>();
const listPrefixes = new Map<string, string>();
const MAX_CACHED_NAMES = 10_000;

function prefix(cache: Map<string, string>, name: string, key: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = `{"FeatureName":${JSON.stringify(name)},"${key}":`;
    if (cache.size >= MAX_CACHED_NAMES) cache.clear();
    cache.set(name, text);
  }
  return text;
}

/**
 * toWireRecord already serialised: the same JSON as `JSON.stringify(toWireRecord(record))`,
 * without building the intermediate objects (a BatchGetRecord answers up to 10,000 records).
 */
export function wireRecordJson(record: FeatureRecord): string {
  let out = '[';
  for (const name in record) {
    const value: FeatureValue | undefined = record[name];
    if (value === null || value === undefined) continue;
    if (out.length > 1) out += ',';
    if (Array.isArray(value)) {
      out += prefix(listPrefixes, name, 'ValueAsStringList');
      out += '[';
      for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + jsonText(value[i]);
      out += ']}';
    } else {
      out += prefix(scalarPrefixes, name, 'ValueAsString') + jsonText(value) + '}';
    }
  }
  return `${out}]`;
}

/** Characters JSON.stringify escapes: quotes, backslashes, controls and lone surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be found
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A value as a JSON string; numbers and plain text need no escaping and skip JSON.stringify. */
function jsonText(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return `"${value}"`;
  const text = String(value);
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}
