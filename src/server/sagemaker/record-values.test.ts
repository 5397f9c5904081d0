import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeatureRecord } from '../../domain/index.js';
import { toWireRecord, wireRecordJson } from './record-values.js';

describe('wire records as JSON text', () => {
  it('are exactly JSON.stringify of the wire shape, whatever the names and values', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 }); // quotes, controls, lone surrogates, emoji
    const scalar = fc.oneof(text, fc.double(), fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constant(null));
    const value = fc.oneof(scalar, fc.array(fc.oneof(text, fc.double(), fc.bigInt()), { maxLength: 4 }));
    fc.assert(
      fc.property(fc.dictionary(text, value, { maxKeys: 8 }), (record) => {
        const r = record as FeatureRecord;
        expect(wireRecordJson(r)).toBe(JSON.stringify(toWireRecord(r)));
        expect(JSON.parse(wireRecordJson(r))).toEqual(JSON.parse(JSON.stringify(toWireRecord(r))));
      }),
      { numRuns: 500 },
    );
  });

  it('writes int64 beyond 2^53 exactly and leaves absent features out', () => {
    expect(wireRecordJson({ id: 'a"b', big: 9007199254740993n, gone: null, tags: ['x', 'y\n'] } as FeatureRecord)).toBe(
      '[{"FeatureName":"id","ValueAsString":"a\\"b"},{"FeatureName":"big","ValueAsString":"9007199254740993"},{"FeatureName":"tags","ValueAsStringList":["x","y\\n"]}]',
    );
  });
});
