import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFloeError, LimitExceededError } from '../../src/domain/index.js';
import { QueryEngine, type QueryTable } from '../../src/query/index.js';
import { makeTestWarehouse, type TestWarehouse } from '../../src/query/test-warehouse.js';

// Escape attempts beyond those of src/query/sandbox.test.ts (file functions, COPY, ATTACH,
// INSTALL/LOAD, SET/PRAGMA, macros are there): more readers and metadata functions, path tricks,
// secrets, statements hidden in other forms, and bombs that must hit the time and memory limits.
describe('SQL sandbox against a catalogue of escape attempts', () => {
  let wh: TestWarehouse;
  let engine: QueryEngine;
  let table: QueryTable;
  let secret: string;

  beforeAll(async () => {
    wh = await makeTestWarehouse();
    table = { name: 'users', columns: [{ name: 'id', type: 'BIGINT' }], files: [await wh.parquet('users/a.parquet', 'SELECT 1::BIGINT AS id')] };
    secret = join(wh.dir, 'secret.csv');
    await writeFile(secret, 'password\nhunter2\n');
    engine = await QueryEngine.create({ warehouseDir: wh.warehouse, timeoutMs: 1500, memoryLimit: '128MB', threads: 1 });
  });
  afterAll(async () => {
    engine?.close();
    await wh?.remove();
  });

  const outcome = (sql: string) =>
    engine.query(sql, [table]).then(
      (r) => ({ rows: r.rows, error: undefined as Error | undefined }),
      (error: unknown) => ({ rows: undefined, error: error as Error }),
    );

  it('refuses each with a typed error that names the SQL, and leaks nothing', async () => {
    const attempts = [
      `SELECT * FROM read_csv(['${secret}'])`,
      `SELECT * FROM read_csv('${wh.dir}/secret*')`,
      `SELECT * FROM read_csv('file://${secret}')`,
      `SELECT * FROM read_csv('${wh.warehouse}/%2e%2e/secret.csv')`,
      `SELECT * FROM read_csv('${wh.warehouse}/./../secret.csv')`,
      `SELECT * FROM read_csv('${secret}\u0000.parquet')`,
      `SELECT * FROM sniff_csv('${secret}')`,
      `SELECT * FROM read_ndjson_objects('/etc/hosts')`,
      `SELECT * FROM read_json_objects('/etc/hosts')`,
      `SELECT * FROM parquet_schema('/etc/hosts')`,
      `SELECT * FROM parquet_kv_metadata('/etc/hosts')`,
      `SELECT * FROM parquet_file_metadata('/etc/hosts')`,
      `SELECT * FROM read_csv('/dev/stdin')`,
      `SELECT * FROM read_csv('/proc/self/cmdline')`,
      `SELECT * FROM glob('/**')`,
      `SELECT * FROM read_parquet('s3://bucket/x.parquet')`,
      `SELECT * FROM read_parquet('https://example.com/x.parquet')`,
      `SELECT getenv('HOME')`,
      `SELECT * FROM duckdb_secrets()`,
      `CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')`,
      `CREATE TEMP MACRO m() AS TABLE SELECT * FROM read_csv('${secret}')`,
      `CREATE OR REPLACE VIEW users AS SELECT 2 AS id`,
      `USE memory`,
      `VACUUM`,
      `ANALYZE`,
      `SET GLOBAL enable_external_access = true`,
      `SET SESSION allowed_paths = ['/']`,
      `PRAGMA threads = 64`,
      `SELECT set_config('enable_external_access', 'true')`,
      `FORCE INSTALL httpfs FROM 'http://example.com'`,
      `SELECT * FROM query_table('users'), read_csv('${secret}')`,
      `WITH x AS (SELECT * FROM read_text('${secret}')) SELECT * FROM x`,
      `SELECT (SELECT content FROM read_text('${secret}'))`,
      `SELECT * FROM users UNION ALL SELECT * FROM read_csv('${secret}')`,
      `EXPLAIN ANALYZE SELECT * FROM read_csv('${secret}')`,
      `DESCRIBE SELECT * FROM read_csv('${secret}')`,
      `SUMMARIZE SELECT * FROM read_csv('${secret}')`,
      `/* comment */ ATTACH '${wh.dir}/x.db'`,
      `SELECT 1 /* ; */ ; COPY users TO '${wh.dir}/out.csv'`,
    ];
    for (const sql of attempts) {
      const { rows, error } = await outcome(sql);
      expect(error, `${sql} must be refused, got ${JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`).toBeDefined();
      expect(isFloeError(error), `${sql}: ${error}`).toBe(true);
      expect(error!.message, sql).toMatch(/^sql: /);
      expect(error!.message, sql).not.toMatch(/hunter2/);
    }
    // The engine is untouched: the bound table still reads as it was.
    expect((await engine.query('SELECT id FROM users', [table])).rows).toEqual([{ id: 1 }]);
  });

  it('stops a recursive CTE bomb at the time limit, and a memory bomb at the memory limit, then serves on', async () => {
    const started = Date.now();
    const recursive = await outcome('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r');
    expect(recursive.error).toBeInstanceOf(LimitExceededError);
    expect(recursive.error!.message).toMatch(/^sql: the query ran longer than 1500 ms/);
    expect(Date.now() - started).toBeLessThan(15_000);

    const cross = await outcome('SELECT count(*) FROM range(1000000000) a, range(1000000000) b');
    expect(cross.error).toBeInstanceOf(LimitExceededError);

    const memory = await outcome("SELECT string_agg(repeat('x', 1000000), '') FROM range(100000)");
    expect(isFloeError(memory.error), String(memory.error)).toBe(true);
    expect(memory.error!.message).toMatch(/^sql: .*(memory|ran longer)/i);

    const wide = await outcome("WITH RECURSIVE r(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM r WHERE length(s) < 1e12) SELECT max(length(s)) FROM r");
    expect(isFloeError(wide.error), String(wide.error)).toBe(true);

    expect((await engine.query('SELECT id FROM users', [table])).rows).toEqual([{ id: 1 }]);
  }, 60_000);
});
