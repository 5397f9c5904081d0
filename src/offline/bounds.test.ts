import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incrementedPrefix, timestampMicros } from './bounds.js';
import type { IcebergSchema } from './iceberg/schema.js';
import { writeParquetFromSelect } from './parquet-writer.js';

const schema: IcebergSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 's', required: false, type: 'string' },
    { id: 2, name: 'ts', required: false, type: 'timestamptz' },
  ],
};

describe('column bounds in manifests', () => {
  let dir: string;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-bounds-'));
    connection = await (await DuckDBInstance.create(':memory:')).connect();
  });
  afterAll(async () => {
    connection.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads DuckDB timestamp text as exact microseconds, in any offset', () => {
    expect(timestampMicros('2025-01-01 00:00:00.123456+00')).toBe(1735689600123456n);
    expect(timestampMicros('1969-12-31 23:59:59.5+00')).toBe(-500000n);
    expect(timestampMicros('2025-01-01 02:30:00+02:30')).toBe(1735689600000000n);
    expect(timestampMicros('2024-12-31 19:00:00-05')).toBe(1735689600000000n);
    expect(timestampMicros('infinity')).toBeUndefined();
    expect(timestampMicros('0044-03-15 00:00:00+00 (BC)')).toBeUndefined();
  });

  it('rounds a truncated upper bound up by its last code point', () => {
    expect(incrementedPrefix('abc')).toBe('abd');
    expect(incrementedPrefix('x'.repeat(40))).toBe(`${'x'.repeat(15)}y`);
    expect(incrementedPrefix('a\u{10FFFF}')).toBe('b');
    expect(incrementedPrefix('\u{10FFFF}')).toBeUndefined();
    expect(incrementedPrefix('a\uD7FF')).toBe('a\uE000');
  });

  it('bounds every value of a file by UTF-8 byte order, long and multi-byte strings included', async () => {
    // Well-formed text without NUL (a SQL literal cannot hold one), short and past DuckDB's 256-byte statistics.
    const text = fc
      .oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', minLength: 250, maxLength: 400 }), fc.string({ maxLength: 5 }))
      .filter((s) => !s.includes('\u0000') && !/\p{Surrogate}/u.test(s));
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: -2e15, max: 4e15 }), { minLength: 1, maxLength: 5 }), async (strings, times) => {
        const path = join(dir, `${Math.random()}.parquet`);
        const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
        const rows = strings.map((s, i) => `(${literal(s)}, make_timestamptz(${times[i % times.length]}::BIGINT))`).join(', ');
        const file = await writeParquetFromSelect(connection, `SELECT * FROM (VALUES ${rows}) t(s, ts)`, schema, path, `file://${path}`);
        const lower = file!.lowerBounds!;
        const upper = file!.upperBounds!;
        for (const s of strings) {
          const bytes = Buffer.from(s);
          if (lower.has(1)) expect(Buffer.compare(lower.get(1)!, bytes)).toBeLessThanOrEqual(0);
          if (upper.has(1)) expect(Buffer.compare(bytes, upper.get(1)!)).toBeLessThanOrEqual(0);
          expect(lower.has(1)).toBe(upper.has(1));
        }
        if (strings.every((s) => Buffer.byteLength(s) < 200)) expect(lower.has(1)).toBe(true);
        expect(lower.get(2)!.readBigInt64LE()).toBe(BigInt(Math.min(...times.slice(0, strings.length))));
        expect(upper.get(2)!.readBigInt64LE()).toBe(BigInt(Math.max(...times.slice(0, strings.length))));
        await rm(path, { force: true });
      }),
      { numRuns: 40 },
    );
  });
});
