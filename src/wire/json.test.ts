import { describe, expect, it } from 'vitest';
import { parseWire, stringifyWire } from './json.js';

describe('the native API JSON', () => {
  it('writes int64 as plain integers and reads them back exactly, doubles staying doubles', () => {
    const value = {
      small: 42,
      safe: 9007199254740991,
      big: 9007199254740993n,
      min: -9223372036854775808n,
      list: [1, 2n ** 62n, 0.1 + 0.2],
      wholeDouble: 1e20,
      tiny: 3e-300,
      text: 'order 12345678901234567890',
      when: new Date('2025-01-01T00:00:00.123Z'),
    };
    const text = stringifyWire(value);
    expect(text).toContain('"big":9007199254740993');
    expect(text).toContain('"min":-9223372036854775808');
    expect(text).toContain('"wholeDouble":1e+20');
    expect(parseWire(text)).toEqual({ ...value, list: [1, 2n ** 62n, 0.30000000000000004], when: '2025-01-01T00:00:00.123Z' });
    // Without any long digit run, the fast path gives the same text as JSON.stringify.
    expect(stringifyWire({ a: [1, 'x', null], b: 2.5 })).toBe(JSON.stringify({ a: [1, 'x', null], b: 2.5 }));
    expect(parseWire('{"n":123456789012345678}')).toEqual({ n: 123456789012345678n });
    expect(parseWire('{"n":1234567890123456.5}')).toEqual({ n: 1234567890123456.5 });
    expect(() => parseWire('{"n":')).toThrow(SyntaxError);
  });
});
