import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternalError, ValidationError } from '../domain/index.js';
import { QueryEngine, type QueryResult } from './query-engine.js';
import type { QueryTable } from './query-table.js';
import { openSandbox } from './sandbox.js';
import { makeTestWarehouse, type TestWarehouse } from './test-warehouse.js';

const PERMISSION = /^sql: Permission Error: Cannot access (file|directory) .* file system operations are disabled by configuration/;
const refused = (kind: string) => new RegExp(`^sql: only SELECT statements are allowed \\(got ${kind}\\)$`);

describe('query sandbox', () => {
  let wh: TestWarehouse;
  let engine: QueryEngine;
  let table: QueryTable;
  let outsideParquet: string;
  let secretCsv: string;

  beforeAll(async () => {
    wh = await makeTestWarehouse();
    table = { name: 'user-features', columns: [{ name: 'id', type: 'BIGINT' }], files: [await wh.parquet('user-features/a.parquet', 'SELECT 1::BIGINT AS id')] };
    // Files beside the warehouse, that user SQL must never read.
    secretCsv = join(wh.dir, 'secret.csv');
    await writeFile(secretCsv, 'password\nhunter2\n');
    outsideParquet = await wh.parquet('../outside.parquet', "SELECT 'hunter2' AS password");
    await mkdir(join(wh.warehouse, 'links'));
    await symlink(secretCsv, join(wh.warehouse, 'links', 'secret.csv'));
    await symlink(outsideParquet, join(wh.warehouse, 'links', 'outside.parquet'));
    await symlink(wh.dir, join(wh.warehouse, 'links', 'up'));
    engine = await QueryEngine.create({ warehouseDir: wh.warehouse, timeoutMs: 120_000 });
  });

  afterAll(async () => {
    engine?.close();
    await wh?.remove();
  });

  const attempt = (sql: string, tables: QueryTable[] = [table]): Promise<{ result?: QueryResult; error?: Error }> =>
    engine.query(sql, tables).then(
      (result) => ({ result }),
      (error: unknown) => ({ error: error as Error }),
    );

  it('reads the warehouse, through the bound tables and directly', async () => {
    // The control for the refusals below: the sandbox lets warehouse reads through.
    expect((await engine.query('SELECT id FROM "user-features"', [table])).rows).toEqual([{ id: 1 }]);
    expect((await engine.query(`SELECT id FROM read_parquet('${wh.warehouse}/user-features/*.parquet')`, [])).rows).toEqual([{ id: 1 }]);
    expect((await engine.query(`SELECT count(*) AS n FROM glob('${wh.warehouse}/user-features/*')`, [])).rows).toEqual([{ n: 1 }]);
  });

  it('refuses every attempt to read outside the warehouse or change anything, with a clear error', async () => {
    const attempts: Array<[string, RegExp]> = [
      ["SELECT * FROM read_csv('/etc/passwd')", PERMISSION],
      ["SELECT * FROM read_csv_auto('/proc/self/environ')", PERMISSION],
      ["SELECT * FROM read_text('/etc/hostname')", PERMISSION],
      ["SELECT * FROM read_blob('/etc/hostname')", PERMISSION],
      ["SELECT * FROM read_json_auto('/etc/os-release')", PERMISSION],
      ["SELECT * FROM glob('/etc/*')", PERMISSION],
      [`SELECT * FROM read_parquet('${outsideParquet}')`, PERMISSION],
      [`SELECT * FROM '${outsideParquet}'`, PERMISSION],
      [`SELECT * FROM parquet_metadata('${outsideParquet}')`, PERMISSION],
      [`SELECT * FROM read_csv('${secretCsv}')`, PERMISSION],
      // A path through the warehouse root that climbs out of it.
      [`SELECT * FROM read_csv('${wh.warehouse}/../secret.csv')`, PERMISSION],
      [`SELECT * FROM read_parquet('${wh.warehouse}/user-features/../../outside.parquet')`, PERMISSION],
      // Symbolic links inside the warehouse pointing out of it: DuckDB resolves them and refuses.
      [`SELECT * FROM read_csv('${wh.warehouse}/links/secret.csv')`, PERMISSION],
      [`SELECT * FROM read_parquet('${wh.warehouse}/links/outside.parquet')`, PERMISSION],
      [`SELECT * FROM '${wh.warehouse}/links/outside.parquet'`, PERMISSION],
      [`SELECT * FROM read_csv('${wh.warehouse}/links/up/secret.csv')`, PERMISSION],
      [`SELECT * FROM read_parquet('${wh.warehouse}/links/*.parquet')`, PERMISSION],
      [`SELECT * FROM query('SELECT * FROM read_csv(''${secretCsv}'')')`, PERMISSION],
      // Writing, even into the warehouse, and every kind of statement but SELECT.
      [`COPY (SELECT 1) TO '${wh.warehouse}/x.csv'`, refused('COPY')],
      [`COPY "user-features" TO '${wh.warehouse}/x.parquet' (FORMAT parquet)`, refused('COPY')],
      ['CREATE TABLE t AS SELECT 1', refused('CREATE')],
      ['CREATE MACRO m(a) AS a', refused('CREATE')],
      ['INSERT INTO t VALUES (1)', refused('INSERT')],
      ['UPDATE t SET a = 1', refused('UPDATE')],
      ['DELETE FROM t', refused('DELETE')],
      ['DROP VIEW "user-features"', refused('DROP')],
      [`ATTACH '${wh.warehouse}/x.db' AS x`, refused('ATTACH')],
      ['DETACH memory', refused('DETACH')],
      ['INSTALL httpfs', refused('LOAD')],
      ['LOAD httpfs', refused('LOAD')],
      ['SET enable_external_access = true', refused('SET')],
      ["SET allowed_directories = ['/']", refused('SET')],
      ['SET lock_configuration = false', refused('SET')],
      ['RESET lock_configuration', refused('SET')],
      ['RESET threads', refused('SET')],
      ["PRAGMA memory_limit = '100GB'", refused('SET')],
      ['PRAGMA enable_profiling', refused('PRAGMA')],
      ['CALL pragma_version()', refused('CALL')],
      ['CHECKPOINT', refused('CALL')],
      [`EXPORT DATABASE '${wh.warehouse}/export'`, refused('EXPORT')],
      ['BEGIN TRANSACTION', refused('TRANSACTION')],
      ["SELECT * FROM query('CREATE TABLE t AS SELECT 1')", /^sql: Parser Error: Expected a single SELECT statement/],
      ['SELECT 1; DROP VIEW "user-features"', /^sql: exactly one statement is allowed \(got 2\)$/],
      ['SELECT 1; SELECT 2', /^sql: exactly one statement is allowed \(got 2\)$/],
    ];
    for (const [sql, message] of attempts) {
      const outcome = await attempt(sql);
      expect(outcome.error, `${sql} was not refused: ${JSON.stringify(outcome.result?.rows)}`).toBeInstanceOf(ValidationError);
      expect(outcome.error!.message, sql).toMatch(message);
    }
    // Nothing above left a trace: the bound table still reads, and no file was written.
    expect((await engine.query('SELECT id FROM "user-features"', [table])).rows).toEqual([{ id: 1 }]);
    expect((await engine.query(`SELECT count(*) AS n FROM glob('${wh.warehouse}/x*')`, [])).rows).toEqual([{ n: 0 }]);
  });

  it('refuses a bound table whose file is a symbolic link out of the warehouse', async () => {
    const linked: QueryTable = { ...table, files: [join(wh.warehouse, 'links', 'outside.parquet')] };
    const outcome = await attempt('SELECT * FROM "user-features"', [linked]);
    expect(outcome.error).toBeInstanceOf(InternalError);
    expect(outcome.error!.message).toMatch(/^tables\[0\]: table 'user-features' cannot be read: Permission Error: Cannot access file/);
  });

  it('reads nothing but the warehouse and its own spill directory, whatever the working directory', async () => {
    const { rows } = await engine.query("SELECT current_setting('allowed_directories') AS dirs, current_setting('temp_directory') AS spill", []);
    const { dirs, spill } = rows[0] as { dirs: string[]; spill: string };
    expect(spill.startsWith(await realpath(tmpdir()))).toBe(true);
    expect(spill).toMatch(/floe-query-spill-/);
    expect([...dirs].sort()).toEqual([`${await realpath(wh.warehouse)}/`, `${spill}/`].sort());
  });
});

describe('openSandbox', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-sandbox-'));
    await mkdir(join(dir, 'warehouse'));
    await mkdir(join(dir, 'spill'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('locks the settings for the whole instance: a fresh connection cannot undo them', async () => {
    const instance = await openSandbox({ warehouseDir: join(dir, 'warehouse'), spillDir: join(dir, 'spill'), memoryLimit: '256MB', threads: 1 });
    try {
      const connection = await instance.connect();
      for (const sql of ['SET enable_external_access = true', "SET allowed_directories = ['/']", 'SET lock_configuration = false', 'RESET lock_configuration', "SET memory_limit = '100GB'"]) {
        await expect(connection.run(sql), sql).rejects.toThrow(/the configuration has been locked/);
      }
      // Without the engine's statement guard, DuckDB alone still refuses to read outside.
      await expect(connection.run("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(/Permission Error/);
      await expect(connection.run(`COPY (SELECT 1) TO '${dir}/escaped.csv'`)).rejects.toThrow(/Permission Error/);
      const settings = await connection.runAndReadAll("SELECT current_setting('TimeZone') AS tz, current_setting('threads') AS threads");
      expect(settings.getRowObjectsJS()).toEqual([{ tz: 'UTC', threads: 1n }]);
      connection.closeSync();
    } finally {
      instance.closeSync();
    }
  });
});
