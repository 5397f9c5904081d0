import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';

const examples = fileURLToPath(new URL('../../examples/users.yaml', import.meta.url));

describe('floe CLI', { timeout: 120_000 }, () => {
  let dataDir: string;
  const floe = (...args: string[]) => runCli(dataDir, args);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'floe-cli-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates a group from YAML, writes, reads and queries, for people and for machines', async () => {
    expect((await floe('feature-group', 'create', examples)).stdout).toMatch(/created feature group users/);
    const list = JSON.parse((await floe('--json', 'feature-group', 'list')).stdout) as { featureGroups: Array<{ featureGroupName: string }> };
    expect(list.featureGroups.map((g) => g.featureGroupName)).toEqual(['users']);
    expect((await floe('put', 'users', '{"user_id":"u1","event_time":"2025-01-01T00:00:00Z","age":9007199254740993}')).code).toBe(0);
    const got = await floe('--json', 'get', 'users', 'u1');
    expect(got.stdout).toContain('"age": 9007199254740993'); // int64 exact in JSON output
    expect((await floe('feature-group', 'describe', 'users')).stdout).toMatch(/identifier:\s+user_id/);
    const rows = JSON.parse((await floe('--json', 'query', 'SELECT user_id, is_deleted FROM users')).stdout) as unknown[];
    expect(rows).toEqual([{ user_id: 'u1', is_deleted: false }]);
    const base = join(dataDir, 'base.csv');
    await writeFile(base, 'uid,at,label\nu1,2024-12-31T00:00:00Z,0\nu1,2025-06-01T00:00:00Z,1\n');
    const out = join(dataDir, 'training.csv');
    const built = await floe('dataset', '--base', base, '--id', 'uid', '--event-time', 'at', '--feature-group', 'users:uid', '--out', out);
    expect(built.stdout).toMatch(/wrote 2 rows/);
    // Before the record: no age; after it: the record's age, int64 exact.
    expect((await readFile(out, 'utf8')).trim().split('\n').map((l) => { const c = l.split(','); return `${c[2]},${c[3]}`; })).toEqual([
      'label,age',
      '0,',
      '1,9007199254740993',
    ]);
    // The same dataset as a Trino statement for a cluster, printed.
    const trino = await floe('dataset', '--base', base, '--id', 'uid', '--event-time', 'at', '--feature-group', 'users:uid', '--sql-dialect', 'trino', '--base-relation', 'lake.training_rows', '--table', 'users=iceberg.floe.users');
    expect(trino.code).toBe(0);
    expect(trino.stdout).toContain('FROM lake.training_rows');
    expect(trino.stdout).toContain('FROM iceberg.floe.users');
    expect(trino.stdout).toContain('from_iso8601_timestamp_nanos("event_time")');
    const noBase = await floe('dataset', '--base', base, '--id', 'uid', '--event-time', 'at', '--feature-group', 'users:uid', '--sql-dialect', 'spark');
    expect(noBase.code).toBe(2);
    expect(noBase.stderr).toMatch(/^error: baseRelation: a spark statement reads its base from a table on the cluster/);
  });

  it('reports bad input with the field and the reason, and a non-zero exit code', async () => {
    const bad = await floe('put', 'users', '{"user_id":"u1","event_time":"soon"}');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: event_time: 'soon' is not an ISO-8601/);
    const missing = await floe('get', 'nobody', 'u1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/feature group 'nobody' does not exist/);
    const definition = join(dataDir, 'bad.json');
    await writeFile(definition, '{"featureGroupName": "x"');
    expect((await floe('feature-group', 'create', definition)).stderr).toMatch(/not valid json/);
  });

  it('optimizes, vacuums and lists and runs jobs, for people and for machines', async () => {
    await floe('put', 'users', '{"user_id":"u2","event_time":"2025-01-02T00:00:00Z","age":5}');
    const optimized = JSON.parse((await floe('--json', 'optimize', 'users')).stdout) as { rewrittenDataFilesCount: number; addedDataFilesCount: number };
    expect(optimized).toMatchObject({ rewrittenDataFilesCount: 2, addedDataFilesCount: 1 });
    const vacuumed = JSON.parse((await floe('--json', 'vacuum', 'users', '--min-snapshots-to-keep', '1', '--max-snapshot-age-seconds', '0')).stdout) as { expiredSnapshotsCount: number };
    expect(vacuumed.expiredSnapshotsCount).toBe(2);
    const run = JSON.parse((await floe('--json', 'jobs', '--run', 'optimize', '--group', 'users')).stdout) as { kind: string; status: string; trigger: string };
    expect(run).toMatchObject({ kind: 'optimize', status: 'succeeded', trigger: 'manual' });
    const jobs = JSON.parse((await floe('--json', 'jobs', '--group', 'users')).stdout) as Array<{ kind: string }>;
    expect(jobs.map((j) => j.kind)).toEqual(['optimize', 'vacuum', 'optimize']);
    expect((await floe('jobs', '--kind', 'vacuum')).stdout).toMatch(/vacuum\s+users\s+manual\s+succeeded/);
    const bad = await floe('query', 'OPTIMIZE users REWRITE DATA USING SORT');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected BIN_PACK, got 'SORT'/);
  }, 120_000);
});
