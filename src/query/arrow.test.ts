import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DataType, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/index.js';
import { duckdbResultToArrow } from './arrow.js';

/** Arrow values in comparable forms: lists as arrays, timestamps as their raw count (bigint). */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  // A list's value is an Arrow vector; iterating it (unlike toArray) yields its NULLs.
  if (typeof value === 'object' && Symbol.iterator in value) return Array.from(value as Iterable<unknown>, plain);
  return value;
}

const column = (table: Table, name: string) => Array.from(table.getChild(name)!, plain);

describe('duckdbResultToArrow', () => {
  let instance: DuckDBInstance;
  let duck: DuckDBConnection;
  const arrow = async (sql: string, maxRows?: number) => duckdbResultToArrow(await duck.stream(sql), { maxRows });
  /** DuckDB's own reading of the same query, the reference. */
  const reference = async (sql: string) => (await duck.runAndReadAll(sql)).getColumnsObjectJS() as Record<string, unknown[]>;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    duck = await instance.connect();
    await duck.run('LOAD icu');
    await duck.run("SET TimeZone = 'UTC'");
  });
  afterAll(() => {
    duck.closeSync();
    instance.closeSync();
  });

  // 5,000 rows: three chunks, the last partial; NULLs at rows that straddle bytes and chunks.
  const many = `
    SELECT
      CASE WHEN i % 7 = 3 THEN NULL ELSE (i * 1000003)::BIGINT * 1000000007 END AS big,
      CASE WHEN i % 5 = 0 THEN NULL ELSE i::INTEGER - 2500 END AS int32,
      CASE WHEN i % 11 = 0 THEN NULL ELSE i / 8.0 END::DOUBLE AS dbl,
      CASE WHEN i % 13 = 0 THEN NULL ELSE i % 3 = 0 END AS flag,
      CASE WHEN i % 9 = 0 THEN NULL WHEN i % 4 = 0 THEN '' WHEN i % 4 = 1 THEN 'é' || i::VARCHAR ELSE repeat('long text ', i % 6) || i::VARCHAR END AS text,
      CASE WHEN i % 17 = 0 THEN NULL ELSE make_timestamptz(1700000000000000 + i * 1234567) END AS ts,
      CASE WHEN i % 6 = 0 THEN NULL ELSE [i, CASE WHEN i % 4 = 2 THEN NULL ELSE i + 1 END, i + 2][1:(i % 4)]::BIGINT[] END AS ints,
      CASE WHEN i % 8 = 0 THEN NULL ELSE [CASE WHEN i % 3 = 0 THEN NULL ELSE 'x' || i::VARCHAR END, repeat('y', 20)] END AS texts,
      [i / 2.0, i / 4.0, NULL]::FLOAT[3] AS vector
    FROM range(5000) t(i)`;

  it('gives the values DuckDB gives, over several chunks: int64 beyond 2^53, NULLs, strings inline and long, lists with NULL elements', async () => {
    const { table, truncated } = await arrow(many);
    const expected = await reference(many);
    expect(truncated).toBe(false);
    expect(table.numRows).toBe(5000);
    for (const name of ['big', 'int32', 'dbl', 'flag', 'text', 'ints', 'texts']) expect(column(table, name), name).toEqual(expected[name]);
    expect(column(table, 'big').some((v) => typeof v === 'bigint' && v > 2n ** 53n)).toBe(true);
    expect(table.getChild('big')!.nullCount).toBe(expected.big!.filter((v) => v === null).length);
    // Fixed-size vectors become lists of their size; Float32 keeps DuckDB's float.
    expect(column(table, 'vector')).toEqual(expected.vector!.map((v) => (v as unknown[]).map((x) => (x === null ? null : Math.fround(x as number)))));
  });

  it('keeps TIMESTAMPTZ as exact microseconds in UTC and TIMESTAMP_NS as nanoseconds', async () => {
    const sql = `SELECT TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS tz, TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS ns, TIMESTAMP '1969-12-31 23:59:59.999999' AS before_epoch, DATE '2024-02-29' AS d`;
    const { table } = await arrow(sql);
    const tz = table.schema.fields[0]!.type as DataType & { unit: number; timezone: string };
    expect(tz.timezone).toBe('UTC');
    const raw = (name: string) => (table.getChild(name)!.data[0]!.values as BigInt64Array)[0];
    expect(raw('tz')).toBe(BigInt(Date.UTC(2024, 0, 2, 3, 4, 5)) * 1000n + 123456n);
    expect(raw('ns')).toBe(BigInt(Date.UTC(2024, 0, 2, 3, 4, 5)) * 1000000n + 123456789n);
    expect(raw('before_epoch')).toBe(-1n);
    expect(table.getChild('d')!.get(0)).toBe(Date.UTC(2024, 1, 29));
  });

  it('turns ENUM columns into dictionaries of their values', async () => {
    const sql = `SELECT CASE WHEN i % 4 = 3 THEN NULL ELSE (['red', 'green', 'blüe'])[i % 4 + 1] END::ENUM('red', 'green', 'blüe') AS colour FROM range(3000) t(i)`;
    const { table } = await arrow(sql);
    expect(DataType.isDictionary(table.schema.fields[0]!.type)).toBe(true);
    expect(column(table, 'colour')).toEqual((await reference(sql)).colour);
    expect(table.getChild('colour')!.nullCount).toBe(750);
  });

  it('reads HUGEINT within int64 and refuses it beyond, naming the column; DECIMAL as Float64; other types as text', async () => {
    const { table } = await arrow(`SELECT sum(i)::HUGEINT AS total, (-9223372036854775808)::HUGEINT AS lowest, 12.345::DECIMAL(5, 3) AS small, 123456789012345678.9::DECIMAL(38, 1) AS wide,
      '00000000-0000-0000-0000-000000000001'::UUID AS id, {'a': 1} AS s FROM range(10) t(i)`);
    expect(table.getChild('total')!.get(0)).toBe(45n);
    expect(table.getChild('lowest')!.get(0)).toBe(-(2n ** 63n));
    expect(table.getChild('small')!.get(0)).toBeCloseTo(12.345, 10);
    expect(table.getChild('wide')!.get(0)).toBe(Number('123456789012345678.9'));
    expect(table.getChild('id')!.get(0)).toBe('00000000-0000-0000-0000-000000000001');
    expect(table.getChild('s')!.get(0)).toBe(`{'a': 1}`);
    const error = await arrow('SELECT 9223372036854775808::HUGEINT AS too_big').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/column 'too_big' holds 9223372036854775808/);
  });

  it('stops at maxRows mid-chunk and says the result was cut short', async () => {
    const { table, truncated } = await arrow(many, 2051);
    expect(truncated).toBe(true);
    expect(table.numRows).toBe(2051);
    expect(column(table, 'text')).toEqual((await reference(many)).text!.slice(0, 2051));
    const exact = await arrow('SELECT range AS k FROM range(10)', 10);
    expect(exact.truncated).toBe(false);
  });

  it('returns the columns and no rows for an empty result', async () => {
    const { table } = await arrow('SELECT 1::BIGINT AS a, [1] AS l, \'x\' AS t WHERE false');
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['a', 'l', 't']);
  });
});
