import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli, STACK_LINE } from '../../test-support/run-cli.js';

describe('floe demo and floe keys', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-cli-demo-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the seed walkthrough in an empty data directory and prints each step', async () => {
    const dataDir = join(dir, 'fresh');
    const r = await runCli(dataDir, ['demo']);
    expect(r.code).toBe(0);
    const steps = r.stdout.split(/\n(?=== \d+\. )/);
    expect(steps.slice(1).map((s) => s.slice(0, s.indexOf(' ', 5)))).toEqual(['== 1.', '== 2.', '== 3.', '== 4.', '== 5.', '== 6.', '== 7.']);
    expect(steps[1]).toMatch(/create feature group user-feature-group/);
    const rows = (step: string) => step.trim().split('\n\n')[1]!.split('\n').slice(2); // the table under the title, without its header
    expect(rows(steps[2]!)).toHaveLength(9); // the nine records, offline
    expect(rows(steps[3]!).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'u1 2025-01-03T00:00:00Z 31',
      'u2 2025-02-02T00:00:00Z 41',
      'u3 2025-03-01T12:00:00+02:00 51',
    ]);
    expect(steps[3]).toContain('-9223372036854775808'); // int64 exact
    // Training: features as of each interaction, never later.
    expect(rows(steps[4]!).map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual([
      'u1 2025-01-02T12:00:00.000Z 1 99',
      'u2 2025-02-01T12:00:00.000Z 0 40',
      'u3 2025-03-01T11:00:00.000Z 1 51',
    ]);
    // Batch inference at 2025-01-04: only u1 has a record by then.
    expect(rows(steps[5]!).map((l) => l.trim().split(/\s+/).length)).toEqual([7, 2, 2]) // u1: id, time, age, score, clicks, "[a," "b]";
    expect(rows(steps[6]!).map((l) => l.split(/\s+/).at(-1))).toEqual(['false', 'false', 'false', 'true']);
    expect(steps[6]).toMatch(/online now lists u1, u3/);
    // Nine puts and a delete: ten small files, compacted into one; vacuum removes what only older snapshots used.
    expect(steps[7]).toMatch(/the same 10 rows in fewer files/);
    const [optimize, vacuum] = rows(steps[7]!).map((l) => l.split(/\s{2,}/));
    expect(optimize).toEqual(['optimize', 'live data files', '10', '1']);
    expect(vacuum![0]).toBe('vacuum');
    expect(Number(vacuum![3])).toBeLessThan(Number(vacuum![2]));
    expect(r.stdout).toMatch(/Explore it: floe --data-dir .*fresh query/);
    expect(await readdir(dataDir)).not.toHaveLength(0);

    const again = await runCli(dataDir, ['demo']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: --data-dir: '.*fresh' is not empty; the demo needs a fresh data directory/);
    expect(again.stderr).not.toMatch(STACK_LINE);
  });

  it('uses a temporary directory by default, removes it, and prints every step as JSON', async () => {
    const r = spawnSync(process.execPath, [builtCli, '--json', 'demo'], { encoding: 'utf8', env: { ...process.env, TMPDIR: dir } });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { dataDir: string; kept: boolean; steps: Array<{ step: string; rows: Array<Record<string, unknown>> }> };
    expect(out.kept).toBe(false);
    expect(out.dataDir.startsWith(join(dir, 'floe-demo-'))).toBe(true);
    expect((await readdir(dir)).filter((n) => n.startsWith('floe-demo-'))).toEqual([]);
    expect(out.steps).toHaveLength(7);
    expect(r.stdout).toContain('"clicks": -9223372036854775808'); // int64 exact in JSON too
  });

  it('creates, lists and deletes access keys', async () => {
    const dataDir = join(dir, 'keys');
    const created = JSON.parse((await runCli(dataDir, ['--json', 'keys', 'create', '--role', 'reader', '--feature-groups', 'users'])).stdout) as { accessKeyId: string; secretAccessKey: string };
    expect(created.secretAccessKey.length).toBeGreaterThan(20);
    const list = await runCli(dataDir, ['keys', 'list']);
    expect(list.stdout).toContain(created.accessKeyId);
    expect(list.stdout).not.toContain(created.secretAccessKey);
    expect((await runCli(dataDir, ['keys', 'delete', created.accessKeyId])).stdout).toBe(`deleted access key ${created.accessKeyId}\n`);
    const again = await runCli(dataDir, ['keys', 'delete', created.accessKeyId]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: access-key-id: no key/);
    const bad = await runCli(dataDir, ['keys', 'create', '--role', 'owner']);
    expect(bad.code).toBeGreaterThan(0);
    expect(bad.stderr).not.toMatch(STACK_LINE);
  });

  it('writes nothing but the help for an unknown command or option', async () => {
    const r = await runCli(join(dir, 'none'), ['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    expect((await runCli(join(dir, 'none'), ['query', '--bogus'])).stderr).toMatch(/unknown option '--bogus'/);
  });
});
