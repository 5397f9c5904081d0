import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitExceededError, ValidationError } from '../domain/index.js';
import { QueryEngine } from './query-engine.js';
import type { QueryTable } from './query-table.js';

describe('QueryEngine', () => {
  let dir: string;
  let warehouse: string;
  let engine: QueryEngine;
  let users: QueryTable;
  let empty: QueryTable;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-query-'));
    warehouse = join(dir, 'warehouse');
    await mkdir(join(warehouse, 'user-features'), { recursive: true });
    await writeFile(join(dir, 'secret.csv'), 'password\nhunter2\n');
    const writer = await (await DuckDBInstance.create(':memory:')).connect();
    const old = join(warehouse, 'user-features', 'old.parquet');
    const recent = join(warehouse, 'user-features', 'new.parquet');
    await writer.run(`COPY (SELECT 9007199254740993::BIGINT AS id, ['a','b'] AS tags) TO '${old}' (FORMAT parquet)`);
    await writer.run(`COPY (SELECT 2::BIGINT AS id, ['c'] AS tags, 'PT' AS country) TO '${recent}' (FORMAT parquet)`);
    users = {
      name: 'user-features',
      files: [old, recent],
      columns: [
        { name: 'id', type: 'BIGINT' },
        { name: 'tags', type: 'VARCHAR[]' },
        { name: 'country', type: 'VARCHAR' },
      ],
    };
    empty = { name: 'nothing_yet', files: [], columns: [{ name: 'id', type: 'BIGINT' }, { name: 'score', type: 'DOUBLE' }] };
    engine = await QueryEngine.create({ warehouseDir: warehouse, timeoutMs: 1000 });
  });
  afterAll(async () => {
    engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('queries hyphenated tables, fills columns older files lack, keeps int64 exact', async () => {
    const result = await engine.query('SELECT id, tags, country FROM "user-features" ORDER BY id DESC', [users, empty]);
    expect(result.rows).toEqual([
      { id: 9007199254740993n, tags: ['a', 'b'], country: null },
      { id: 2, tags: ['c'], country: 'PT' },
    ]);
    expect(result.columns.map((c) => c.name)).toEqual(['id', 'tags', 'country']);
    expect((await engine.query('SELECT count(*) AS n, max(score) AS s FROM nothing_yet', [users, empty])).rows).toEqual([{ n: 0, s: null }]);
  });

  it('returns Arrow with int64 as BigInt64', async () => {
    const table = await engine.queryArrow('SELECT id, tags FROM "user-features" ORDER BY id', [users]);
    expect(table.numRows).toBe(2);
    expect(table.getChild('id')!.toArray()).toEqual(new BigInt64Array([2n, 9007199254740993n]));
    expect([...table.getChild('tags')!.get(1)!]).toEqual(['a', 'b']);
  });

  it('refuses every attempt to leave the sandbox, with a clear error', async () => {
    await symlink(join(dir, 'secret.csv'), join(warehouse, 'link.csv'));
    const attempts = [
      "SELECT * FROM read_csv('/etc/passwd')",
      `SELECT * FROM read_csv('${join(dir, 'secret.csv')}')`,
      `SELECT * FROM read_csv('${warehouse}/../secret.csv')`,
      "SELECT * FROM read_text('/etc/hostname')",
      "SELECT * FROM read_parquet('/tmp/*.parquet')",
      "SELECT * FROM glob('/etc/*')",
      `COPY (SELECT 1) TO '${warehouse}/x.csv'`,
      'CREATE TABLE t AS SELECT 1',
      'INSERT INTO t VALUES (1)',
      `ATTACH '${warehouse}/x.db' AS x`,
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET enable_external_access = true',
      'RESET lock_configuration',
      "PRAGMA memory_limit='100GB'",
      'CALL pragma_version()',
      `EXPORT DATABASE '${warehouse}/export'`,
      'SELECT 1; DROP VIEW "user-features"',
      "SELECT * FROM read_csv_auto('/proc/self/environ')",
      `SELECT * FROM read_csv('${warehouse}/link.csv')`, // a symlink inside the warehouse pointing out
    ];
    for (const sql of attempts) {
      const error = await engine.query(sql, [users]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, sql).toBeInstanceOf(ValidationError);
      expect((error as Error).message, sql).toMatch(/^sql: /);
    }
  });

  it('interrupts a query past its time limit', async () => {
    await expect(engine.query('SELECT count(*) FROM range(10000000000) a, range(10) b', [])).rejects.toBeInstanceOf(LimitExceededError);
  });

  it('runs concurrent queries without mixing their views', async () => {
    const other: QueryTable = { ...empty, name: 'user-features' };
    const [a, b] = await Promise.all([
      engine.query('SELECT count(*) AS n FROM "user-features"', [users]),
      engine.query('SELECT count(*) AS n FROM "user-features"', [other]),
    ]);
    expect(a.rows).toEqual([{ n: 2 }]);
    expect(b.rows).toEqual([{ n: 0 }]);
  });
});
