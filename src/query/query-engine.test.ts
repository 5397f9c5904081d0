import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternalError, LimitExceededError, ValidationError } from '../domain/index.js';
import { QueryEngine } from './query-engine.js';
import type { QueryTable } from './query-table.js';
import { makeTestWarehouse, type TestWarehouse } from './test-warehouse.js';

const BIG = 9007199254740993n; // 2^53 + 1: not a safe JavaScript number

describe('QueryEngine', () => {
  let wh: TestWarehouse;
  let engine: QueryEngine;
  let users: QueryTable;
  let orders: QueryTable;
  let plain: QueryTable;
  let empty: QueryTable;

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as Error,
    );

  beforeAll(async () => {
    wh = await makeTestWarehouse();
    const userColumns = [
      { name: 'id', type: 'BIGINT' },
      { name: 'tags', type: 'VARCHAR[]' },
      { name: 'embedding', type: 'DOUBLE[]' },
      { name: 'score', type: 'DOUBLE' },
      { name: 'active', type: 'BOOLEAN' },
      { name: 'event_time', type: 'TIMESTAMPTZ' },
      { name: 'country', type: 'VARCHAR' }, // added later: the first file lacks it
    ];
    users = {
      name: 'user-features',
      columns: userColumns,
      files: [
        // Under a key=value directory that must not become a column (the file lacks country: NULL).
        await wh.parquet(
          'user-features/data/country=XX/00-old.parquet',
          `SELECT ${BIG}::BIGINT AS id, ['a', 'b'] AS tags, [0.5, 1.5]::DOUBLE[] AS embedding, 0.25::DOUBLE AS score, true AS active,
             TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS event_time`,
        ),
        // Written with INTEGER for the BIGINT id.
        await wh.parquet(
          'user-features/data/country=YY/01-new.parquet',
          `SELECT 2::INTEGER AS id, ['c'] AS tags, []::DOUBLE[] AS embedding, NULL::DOUBLE AS score, false AS active,
             TIMESTAMPTZ '2024-01-03 00:00:00+00' AS event_time, 'PT' AS country`,
        ),
      ],
    };
    orders = {
      name: 'order-stats',
      columns: [
        { name: 'user_id', type: 'BIGINT' },
        { name: 'orders', type: 'BIGINT' },
      ],
      files: [await wh.parquet('order-stats/data/a.parquet', `SELECT * FROM (VALUES (${BIG}::BIGINT, 7::BIGINT), (2, 3)) t(user_id, orders)`)],
    };
    plain = { name: 'plain_table', columns: [{ name: 'k', type: 'BIGINT' }], files: [await wh.parquet('plain/a.parquet', 'SELECT range AS k FROM range(5000)')] };
    empty = {
      name: 'nothing-yet',
      files: [],
      columns: [
        { name: 'id', type: 'BIGINT' },
        { name: 'score', type: 'DOUBLE' },
        { name: 'tags', type: 'VARCHAR[]' },
      ],
    };
    engine = await QueryEngine.create({ warehouseDir: wh.warehouse, memoryLimit: '512MB', timeoutMs: 120_000 });
  });

  afterAll(async () => {
    engine?.close();
    await wh?.remove();
  });

  it('joins tables with hyphenated names; older files read NULL for later columns; values in Floe forms', async () => {
    const result = await engine.query(
      `SELECT u.id, u.tags, u.embedding, u.score, u.active, u.event_time, u.country, o.orders
       FROM "user-features" u JOIN "order-stats" o ON o.user_id = u.id ORDER BY u.id`,
      [users, orders, plain, empty],
    );
    expect(result.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'tags', type: 'VARCHAR[]' },
      { name: 'embedding', type: 'DOUBLE[]' },
      { name: 'score', type: 'DOUBLE' },
      { name: 'active', type: 'BOOLEAN' },
      { name: 'event_time', type: 'TIMESTAMP WITH TIME ZONE' },
      { name: 'country', type: 'VARCHAR' },
      { name: 'orders', type: 'BIGINT' },
    ]);
    expect(result.rows).toEqual([
      { id: 2, tags: ['c'], embedding: [], score: null, active: false, event_time: new Date('2024-01-03T00:00:00Z'), country: 'PT', orders: 3 },
      {
        id: BIG,
        tags: ['a', 'b'],
        embedding: [0.5, 1.5],
        score: 0.25,
        active: true,
        event_time: new Date('2024-01-02T03:04:05.123Z'),
        country: null,
        orders: 7,
      },
    ]);
    expect(result.truncated).toBe(false);
  });

  it('queries unquoted names, and an empty table with its typed columns', async () => {
    const counted = await engine.query('SELECT count(*) AS n, sum(k) AS s FROM plain_table', [plain]);
    expect(counted.rows).toEqual([{ n: 5000, s: 12497500 }]);
    const nothing = await engine.query('SELECT * FROM "nothing-yet"', [empty]);
    expect(nothing.rows).toEqual([]);
    expect(nothing.columns).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'score', type: 'DOUBLE' },
      { name: 'tags', type: 'VARCHAR[]' },
    ]);
    expect((await engine.query('SELECT count(*) AS n, max(score) AS s FROM "nothing-yet"', [empty])).rows).toEqual([{ n: 0, s: null }]);
  });

  it('keeps int64 beyond 2^53 exact, in rows and in Arrow', async () => {
    const sql = `SELECT id, id + 1 AS next FROM "user-features" WHERE id > 1000`;
    expect((await engine.query(sql, [users])).rows).toEqual([{ id: BIG, next: BIG + 1n }]);
    const table = await engine.queryArrow(`SELECT id FROM "user-features" ORDER BY id`, [users]);
    expect(String(table.schema.fields[0]!.type)).toBe('Int64');
    expect(table.getChild('id')!.toArray()).toEqual(new BigInt64Array([2n, BIG]));
    const extremes = await engine.queryArrow('SELECT * FROM (VALUES (9223372036854775807::BIGINT), ((-9223372036854775808)::BIGINT), (NULL)) t(v)', []);
    expect(extremes.getChild('v')!.toJSON()).toEqual([2n ** 63n - 1n, -(2n ** 63n), null]);
  });

  it('returns Arrow with lists, microsecond timestamps, NULLs and Floe types', async () => {
    const table = await engine.queryArrow(
      `SELECT id, tags, embedding, score, active, event_time, country FROM "user-features" ORDER BY id`,
      [users],
    );
    expect(table.numRows).toBe(2);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'id:Int64',
      'tags:List<Utf8>',
      'embedding:List<Float64>',
      'score:Float64',
      'active:Bool',
      'event_time:Timestamp<MICROSECOND, UTC>',
      'country:Utf8',
    ]);
    expect([...table.getChild('tags')!.get(1)!]).toEqual(['a', 'b']);
    expect([...table.getChild('embedding')!.get(1)!]).toEqual([0.5, 1.5]);
    expect([...table.getChild('embedding')!.get(0)!]).toEqual([]);
    expect(table.getChild('score')!.toJSON()).toEqual([null, 0.25]);
    expect(table.getChild('active')!.toJSON()).toEqual([false, true]);
    expect(table.getChild('country')!.toJSON()).toEqual(['PT', null]);
    // The raw buffer holds DuckDB's microseconds exactly, not a Date's milliseconds.
    expect(table.getChild('event_time')!.data[0]!.values[1]).toBe(1704164645123456n);
  });

  it('returns Arrow text exactly: multi-byte characters, NULL apart from empty, long values', async () => {
    const long = 'ü'.repeat(5000);
    const table = await engine.queryArrow(
      `SELECT * FROM (VALUES (1, 'é'), (2, NULL), (3, ''), (4, '日本語'), (5, '🙂 ok'), (6, '${long}')) t(i, s) ORDER BY i`,
      [],
    );
    expect(table.getChild('s')!.toJSON()).toEqual(['é', null, '', '日本語', '🙂 ok', long]);
    const unsigned = await engine.queryArrow('SELECT 18446744073709551615::UBIGINT AS u', []);
    expect(unsigned.getChild('u')!.toArray()).toEqual(new BigUint64Array([2n ** 64n - 1n]));
  });

  it('returns Arrow for aggregates: HUGEINT sums as Int64, refused with a clear error beyond it', async () => {
    const sums = await engine.queryArrow('SELECT sum(orders) AS total, avg(orders) AS mean, DATE \'2024-02-29\' AS d FROM "order-stats"', [orders]);
    expect(sums.getChild('total')!.toArray()).toEqual(new BigInt64Array([10n]));
    expect(sums.getChild('mean')!.toJSON()).toEqual([5]);
    expect(String(sums.schema.fields[2]!.type)).toBe('Date32<DAY>');
    const error = await failure(engine.queryArrow('SELECT sum(id) * 10000 AS huge FROM "user-features"', [users]));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toMatch(/column 'huge' holds \d+, beyond a 64-bit integer/);
    const empty = await engine.queryArrow('SELECT id FROM "nothing-yet"', [{ name: 'nothing-yet', files: [], columns: [{ name: 'id', type: 'BIGINT' }] }]);
    expect(empty.numRows).toBe(0);
    expect(String(empty.schema.fields[0]!.type)).toBe('Int64');
  });

  it('stops at maxRows and says the result was cut short', async () => {
    const cut = await engine.query('SELECT k FROM plain_table ORDER BY k', [plain], { maxRows: 3 });
    expect(cut.rows).toEqual([{ k: 0 }, { k: 1 }, { k: 2 }]);
    expect(cut.truncated).toBe(true);
    const whole = await engine.query('SELECT k FROM plain_table WHERE k < 3', [plain], { maxRows: 3 });
    expect(whole.rows).toHaveLength(3);
    expect(whole.truncated).toBe(false);
    // Streamed: a billion-row result is not materialized to return two rows.
    expect((await engine.query('SELECT range AS r FROM range(1000000000)', [], { maxRows: 2 })).rows).toEqual([{ r: 0 }, { r: 1 }]);
    const arrow = await engine.queryArrow('SELECT k FROM plain_table ORDER BY k', [plain], { maxRows: 4 });
    expect(arrow.getChild('k')!.toArray()).toEqual(new BigInt64Array([0n, 1n, 2n, 3n]));
    const bad = await failure(engine.query('SELECT 1', [], { maxRows: -1 }));
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad!.message).toBe('maxRows: must be a non-negative integer (got -1)');
  });

  it('reports errors in user SQL as ValidationErrors carrying DuckDB message', async () => {
    const cases: Array<[string, RegExp]> = [
      ['SELEC 1', /^sql: .*Parser Error: syntax error at or near "SELEC"/],
      ['SELECT nope FROM "user-features"', /^sql: Binder Error: Referenced column "nope" not found/],
      ['SELECT * FROM "no-such-group"', /^sql: Catalog Error: Table with name no-such-group does not exist/],
      ["SELECT CAST('x' AS INTEGER)", /^sql: Conversion Error/],
      ['   ', /^sql: must be a non-empty SQL string$/],
    ];
    for (const [sql, message] of cases) {
      const error = await failure(engine.query(sql, [users]));
      expect(error, sql).toBeInstanceOf(ValidationError);
      expect(error!.message, sql).toMatch(message);
      expect((error as ValidationError).field, sql).toBe('sql');
    }
  });

  it('checks the tables it binds: names, types, files inside the warehouse', async () => {
    const cases: Array<[QueryTable[], RegExp]> = [
      [[users, { ...orders, name: 'USER-features' }], /^tables\[1\]\.name: table 'USER-features' is bound twice$/],
      [[{ ...plain, columns: [{ name: 'k', type: 'BIGINT); DROP VIEW x; --' }] }], /^tables\[0\]\.columns\[0\]\.type: .* is not a plain DuckDB type/],
      [[{ ...plain, files: [`${wh.warehouse}/../outside.parquet`] }], /^tables\[0\]\.files\[0\]: .* is not an absolute path inside the warehouse$/],
      [[{ ...plain, files: ['plain/a.parquet'] }], /^tables\[0\]\.files\[0\]: /],
      [[{ ...plain, columns: [] }], /^tables\[0\]\.columns: table 'plain_table' has no columns$/],
    ];
    for (const [tables, message] of cases) {
      const error = await failure(engine.query('SELECT 1', tables));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error!.message).toMatch(message);
    }
    const missing = await failure(engine.query('SELECT 1', [{ ...plain, files: [`${wh.warehouse}/plain/gone.parquet`] }]));
    expect(missing).toBeInstanceOf(InternalError);
    expect(missing!.message).toMatch(/^tables\[0\]: table 'plain_table' cannot be read: /);
  });

  it('runs concurrent queries without mixing their tables', async () => {
    const other: QueryTable = { ...empty, name: 'user-features' };
    const runs = Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0
        ? engine.query('SELECT count(*) AS n FROM "user-features"', [users])
        : engine.query('SELECT count(*) AS n FROM "user-features"', [other]),
    );
    const results = await Promise.all(runs);
    expect(results.map((r) => r.rows[0]!.n)).toEqual([2, 0, 2, 0, 2, 0, 2, 0]);
    // A view of one query is gone for the next: nothing is left on the instance.
    const error = await failure(engine.query('SELECT * FROM "user-features"', []));
    expect(error!.message).toMatch(/Table with name user-features does not exist/);
  });
});

describe('QueryEngine time limit', () => {
  let wh: TestWarehouse;
  let engine: QueryEngine;
  beforeAll(async () => {
    wh = await makeTestWarehouse();
    engine = await QueryEngine.create({ warehouseDir: wh.warehouse, timeoutMs: 300 });
  });
  afterAll(async () => {
    engine?.close();
    await wh?.remove();
  });

  it('interrupts a query that runs past timeoutMs, for rows and Arrow, and keeps serving', async () => {
    for (const run of [
      () => engine.query('SELECT count(*) FROM range(10000000000)', []),
      () => engine.queryArrow('SELECT count(*) FROM range(10000000000)', []),
      () => engine.query('SELECT range FROM range(10000000000) ORDER BY range DESC', [], { maxRows: 1 }),
    ]) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(LimitExceededError);
      expect(error!.message).toBe('sql: the query ran longer than 300 ms and was stopped');
    }
    expect((await engine.query('SELECT 42 AS answer', [])).rows).toEqual([{ answer: 42 }]);
  });

  it('refuses to run once closed, and rejects bad options', async () => {
    const closing = await QueryEngine.create({ warehouseDir: wh.warehouse });
    closing.close();
    await expect(closing.query('SELECT 1', [])).rejects.toBeInstanceOf(InternalError);
    await expect(QueryEngine.create({ warehouseDir: `${wh.dir}/missing` })).rejects.toThrow(/^warehouseDir: /);
    await expect(QueryEngine.create({ warehouseDir: wh.warehouse, timeoutMs: 0 })).rejects.toThrow(/^timeoutMs: /);
    await expect(QueryEngine.create({ warehouseDir: wh.warehouse, memoryLimit: 'lots' })).rejects.toThrow(/^memoryLimit: /);
  });
});
