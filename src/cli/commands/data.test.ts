import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_LINE } from '../../test-support/run-cli.js';

const DEFINITIONS = `
featureGroups:
  - name: users
    recordIdentifier: user_id
    eventTime: event_time
    features: { user_id: String, event_time: String, age: Integral, score: Fractional, tags: { type: String, collection: List } }
  - name: users-copy
    recordIdentifier: user_id
    eventTime: event_time
    features: { user_id: String, event_time: String, age: Integral, score: Fractional, tags: { type: String, collection: List } }
`;

describe('floe ingest, query, put, get, delete', { timeout: 120_000 }, () => {
  let dir: string;
  let dataDir: string;
  const floe = (...args: string[]) => runCli(dataDir, args);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-cli-data-'));
    dataDir = join(dir, 'data');
    await writeFile(join(dir, 'features.yaml'), DEFINITIONS);
    expect((await floe('apply', '-f', join(dir, 'features.yaml'))).code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ingests a CSV file, reporting progress on stderr and the refused rows with their reasons', async () => {
    const csv = join(dir, 'users.csv');
    await writeFile(
      csv,
      'user_id,event_time,age,score\nu1,2025-01-01T00:00:00Z,30,0.5\nu2,2025-01-02T00:00:00Z,forty,1.5\nu3,2025-01-03T00:00:00Z,50,2.5\nu4,yesterday,60,3\n',
    );
    const r = await floe('ingest', 'users', csv);
    expect(r.code).toBe(2); // some rows were refused
    expect(r.stdout).toMatch(/^ingested 2 of 4 rows into users in \d+\.\d s \(snapshot \d+\)\n2 rows refused/);
    expect(r.stdout).toMatch(/^ {2}row 1: age: expected an Integral/m);
    expect(r.stdout).toMatch(/^ {2}row 3: event_time: is not an ISO-8601/m);
    // Not a terminal: plain progress lines, one per stage at least.
    expect(r.stderr).toMatch(/^ingest: (checking rows|writing Parquet): [\d,]+( of ~[\d,]+)? rows read, [\d,]+ rows\/s$/m);
    expect(r.stderr).toMatch(/^ingest: updating online store: 4 rows read/m);
    const got = JSON.parse((await floe('--json', 'get', 'users', 'u3')).stdout) as { record: Record<string, unknown> };
    expect(got.record).toMatchObject({ user_id: 'u3', age: 50, score: 2.5 });
  });

  it('ingests JSON Lines, and all or nothing with --fail-on-error; --json gives every failed row', async () => {
    const jsonl = join(dir, 'users.jsonl');
    await writeFile(jsonl, ['{"user_id":"u5","event_time":"2025-01-05T00:00:00Z","age":5,"tags":["a","b"]}', '{"user_id":"u6","event_time":"2025-01-06T00:00:00Z","age":"six"}'].join('\n'));
    const strict = await floe('ingest', 'users', jsonl, '--fail-on-error');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^error: row 1: age: .* \(1 bad rows; nothing was written\)$/m);
    expect((await floe('get', 'users', 'u5')).code).toBe(1);
    const r = JSON.parse((await floe('--json', 'ingest', 'users', jsonl)).stdout) as { rowsWritten: number; failedRows: Array<{ row: number; field: string }> };
    expect(r.rowsWritten).toBe(1);
    expect(r.failedRows).toMatchObject([{ row: 1, field: 'age' }]);
  });

  it('prints query results as an aligned table, CSV or JSON, and writes Parquet that ingests back', async () => {
    const sql = 'SELECT user_id, age, score, tags FROM users ORDER BY user_id';
    const table = await floe('query', sql);
    expect(table.stdout.split('\n').slice(0, 4)).toEqual(['user_id  age  score  tags', '-------  ---  -----  ------', 'u1       30   0.5', 'u3       50   2.5']);
    const csv = await floe('query', sql, '--format', 'csv');
    expect(csv.stdout).toBe('user_id,age,score,tags\nu1,30,0.5,\nu3,50,2.5,\nu5,5,,"[""a"",""b""]"\n');
    const json = JSON.parse((await floe('query', sql, '--format', 'json')).stdout) as unknown[];
    expect(json).toEqual([
      { user_id: 'u1', age: 30, score: 0.5, tags: null },
      { user_id: 'u3', age: 50, score: 2.5, tags: null },
      { user_id: 'u5', age: 5, score: null, tags: ['a', 'b'] },
    ]);
    const out = join(dir, 'users.parquet');
    const written = await floe('query', 'SELECT user_id, event_time, age, score, tags FROM users', '--format', 'parquet', '--out', out);
    expect(written).toMatchObject({ code: 0, stdout: `wrote 3 rows to ${out}\n` });
    const duckdb = await (await DuckDBInstance.create(':memory:')).connect();
    const parquet = await duckdb.runAndReadAll(`SELECT * FROM read_parquet('${out}') ORDER BY user_id`);
    expect(Object.fromEntries(parquet.columnNames().map((n, i) => [n, String(parquet.columnTypes()[i])]))).toEqual({
      user_id: 'VARCHAR', event_time: 'VARCHAR', age: 'BIGINT', score: 'DOUBLE', tags: 'VARCHAR[]',
    });
    expect(parquet.getRowObjectsJS().map((r) => [r.user_id, r.age, r.tags])).toEqual([['u1', 30n, null], ['u3', 50n, null], ['u5', 5n, ['a', 'b']]]);
    duckdb.closeSync();
    const back = await floe('ingest', 'users-copy', out);
    expect(back.stdout).toMatch(/^ingested 3 of 3 rows into users-copy/);
    const limited = await floe('--json', 'query', 'SELECT user_id FROM "users-copy" ORDER BY user_id', '--max-rows', '2');
    expect(JSON.parse(limited.stdout)).toEqual([{ user_id: 'u1' }, { user_id: 'u3' }]);
  });

  it('puts, gets and deletes (soft and hard) a record', async () => {
    expect((await floe('put', 'users', '{"user_id":"u9","event_time":"2025-02-01T00:00:00Z","age":9007199254740993}')).stdout).toBe('record written\n');
    const got = await floe('get', 'users', 'u9');
    expect(got.stdout).toMatch(/^feature +value\n-+ +-+\nuser_id +u9\nevent_time +2025-02-01T00:00:00Z\nage +9007199254740993\n/);
    const older = await floe('delete', 'users', 'u9', '--event-time', '2025-01-01T00:00:00Z');
    expect(older.code).toBe(0);
    expect((await floe('get', 'users', 'u9')).code).toBe(0); // a delete older than the record leaves it
    const soft = await floe('--json', 'delete', 'users', 'u9', '--event-time', '2025-03-01T00:00:00Z');
    expect(JSON.parse(soft.stdout)).toEqual({ deleted: 'u9', eventTime: '2025-03-01T00:00:00Z', mode: 'SoftDelete' });
    expect(await floe('get', 'users', 'u9')).toMatchObject({ code: 1, stdout: "no record 'u9' in users\n" });
    const markers = JSON.parse((await floe('--json', 'query', "SELECT is_deleted FROM users WHERE user_id = 'u9' ORDER BY write_time")).stdout);
    expect(markers).toEqual([{ is_deleted: false }, { is_deleted: true }, { is_deleted: true }]);
    expect((await floe('delete', 'users', 'u1', '--hard')).stdout).toMatch(/^hard-deleted u1 from users at \d{4}-/);
    expect((await floe('get', 'users', 'u1')).code).toBe(1);
  });

  it('refuses bad input with a clear message and a non-zero exit, never a stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['ingest', 'users', join(dir, 'missing.parquet')], /^error: source: cannot read '.*missing\.parquet'/],
      [['ingest', 'users', join(dir, 'features.yaml')], /is not a \.parquet, \.csv or \.jsonl file/],
      [['ingest', 'nobody', join(dir, 'users.csv')], /feature group 'nobody' does not exist/],
      [['query', 'SELECT * FROM nowhere'], /^error: .*nowhere/],
      [['query', 'DROP TABLE users'], /^error: .*SELECT/],
      [['query', 'SELECT 1', '--format', 'xml'], /^error: --format: 'xml' is not one of table, csv, json, parquet/],
      [['query', 'SELECT 1', '--format', 'parquet'], /^error: --out: Parquet goes to a file/],
      [['query', 'SELECT 1', '--max-rows', 'lots'], /^error: --max-rows: must be a whole number/],
      [['put', 'users', '{"user_id":'], /^error: record: not valid JSON/],
      [['put', 'users', '{"user_id":"u1","event_time":"2025-01-01T00:00:00Z"}', '--target-stores', 'Disk'], /^error: --target-stores: 'Disk' is not OnlineStore or OfflineStore/],
      [['delete', 'users', 'u1', '--event-time', 'later'], /^error: .*later/],
    ];
    for (const [args, message] of cases) {
      const r = await floe(...args);
      expect(r.code, args.join(' ')).toBeGreaterThan(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
  });

  it('shows examples in every command\'s help', async () => {
    for (const command of ['plan', 'apply', 'ingest', 'query', 'get', 'put', 'delete', 'keys', 'demo', 'dataset', 'feature-group', 'snapshots', 'serve']) {
      const help = await floe(command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`\\nExamples:\\n {2}\\$ floe .*${command === 'feature-group' ? 'feature-group' : command}`));
    }
  });
});
