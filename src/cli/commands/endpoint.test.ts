import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/testing/test-server.js';
import { runCli, STACK_LINE } from '../../test-support/run-cli.js';

describe('the CLI against a server (--endpoint)', { timeout: 120_000 }, () => {
  let dir: string;
  let server: TestServer;
  let env: NodeJS.ProcessEnv;
  // The data directory is never used with --endpoint: the test checks it stays empty.
  const floe = (...args: string[]) => runCli(join(dir, 'unused'), ['--endpoint', server.server.url, ...args], { env });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-cli-endpoint-'));
    server = await startTestServer();
    env = { FLOE_ACCESS_KEY_ID: server.admin.accessKeyId, FLOE_SECRET_ACCESS_KEY: server.admin.secretAccessKey };
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies definitions, writes, reads, ingests and queries through the native API', async () => {
    const definitions = join(dir, 'features.yaml');
    await writeFile(
      definitions,
      'featureGroups:\n  - name: users\n    recordIdentifier: user_id\n    eventTime: event_time\n    features: { user_id: String, event_time: String, age: Integral }\n    tags: { team: ml }\n',
    );
    expect((await floe('apply', '-f', definitions)).stdout).toMatch(/Applied\.\n$/);
    expect((await floe('apply', '-f', definitions)).stdout).toMatch(/^No changes/);
    expect((await server.server.store.describeFeatureGroup('users')).tags).toEqual([{ key: 'team', value: 'ml' }]);

    expect((await floe('put', 'users', '{"user_id":"u1","event_time":"2025-01-01T00:00:00Z","age":9007199254740993}')).code).toBe(0);
    expect((await floe('--json', 'get', 'users', 'u1')).stdout).toContain('"age": 9007199254740993');
    const csv = join(dir, 'users.csv');
    await writeFile(csv, 'user_id,event_time,age\nu2,2025-01-02T00:00:00Z,20\nu3,2025-01-03T00:00:00Z,old\n');
    const ingested = await floe('ingest', 'users', csv);
    expect(ingested.code).toBe(2);
    expect(ingested.stdout).toMatch(/^ingested 1 of 2 rows into users/);
    expect(ingested.stdout).toMatch(/row 1: age: /);
    expect((await floe('delete', 'users', 'u1', '--event-time', '2025-02-01T00:00:00Z')).code).toBe(0);
    await server.server.store.featureGroup('users').flush();
    const rows = JSON.parse((await floe('--json', 'query', 'SELECT user_id, is_deleted FROM users ORDER BY write_time')).stdout) as unknown[];
    expect(rows).toEqual([
      { user_id: 'u1', is_deleted: false },
      { user_id: 'u2', is_deleted: false },
      { user_id: 'u1', is_deleted: true },
    ]);
    expect(await readdir(dir)).not.toContain('unused');
  });

  it('says what is not available through the server, and why a connection fails', async () => {
    const maintained = join(dir, 'maintained.yaml');
    await writeFile(
      maintained,
      'featureGroups:\n  - { name: users, recordIdentifier: user_id, eventTime: event_time, features: { user_id: String, event_time: String, age: Integral }, maintenance: { retention: 30d } }\n',
    );
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [['keys', 'list'], env, /^error: --endpoint: floe keys works on a data directory/],
      [['demo'], env, /^error: --endpoint: floe demo works on a data directory/],
      [['fg', 'list'], { FLOE_ACCESS_KEY_ID: '', FLOE_SECRET_ACCESS_KEY: '', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' }, /^error: --endpoint: set FLOE_ACCESS_KEY_ID and FLOE_SECRET_ACCESS_KEY/],
      [['fg', 'list'], { FLOE_ACCESS_KEY_ID: server.admin.accessKeyId, FLOE_SECRET_ACCESS_KEY: 'wrong' }, /^error: /],
    ];
    // Maintenance runs and their history travel over the native API like the rest.
    const optimized = await runCli(join(dir, 'unused'), ['--endpoint', server.server.url, '--json', 'optimize', 'users'], { env });
    expect(optimized.code, optimized.stderr).toBe(0);
    expect(JSON.parse(optimized.stdout)).toMatchObject({ rewrittenDataFilesCount: expect.any(Number) });
    const vacuumed = await runCli(join(dir, 'unused'), ['--endpoint', server.server.url, '--json', 'vacuum', 'users', '--keep-every-snapshot'], { env });
    expect(vacuumed.code, vacuumed.stderr).toBe(0);
    expect(JSON.parse(vacuumed.stdout)).toMatchObject({ expiredSnapshotsCount: 0 });
    const ran = await runCli(join(dir, 'unused'), ['--endpoint', server.server.url, '--json', 'jobs', '--group', 'users', '--run', 'optimize'], { env });
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ featureGroupName: 'users', kind: 'optimize', status: 'succeeded' });
    const history = await runCli(join(dir, 'unused'), ['--endpoint', server.server.url, '--json', 'jobs', '--group', 'users'], { env });
    expect(history.code, history.stderr).toBe(0);
    expect((JSON.parse(history.stdout) as Array<{ kind: string }>).map((j) => j.kind)).toEqual(['optimize', 'vacuum', 'optimize']);
    // Table properties travel over the native API, so maintenance settings plan through the server too.
    const planned = await runCli(join(dir, 'unused'), ['--endpoint', server.server.url, 'plan', '-f', maintained], { env });
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/retention/i);
    for (const [args, e, message] of cases) {
      const r = await runCli(join(dir, 'unused'), ['--endpoint', server.server.url, ...args], { env: e });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
    const unreachable = await runCli(join(dir, 'unused'), ['--endpoint', 'http://127.0.0.1:1', 'fg', 'list'], { env });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: cannot reach the Floe server at http:\/\/127\.0\.0\.1:1/);
  });
});
