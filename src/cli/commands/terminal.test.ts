import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli } from '../../test-support/run-cli.js';

const run = promisify(execFile);
const SCRIPT = '/usr/bin/script';
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs the CLI on a pseudo-terminal (util-linux `script`), as a person at a terminal sees it. */
async function onTerminal(args: string[]): Promise<string> {
  const env = { ...process.env };
  delete env.NO_COLOR;
  const command = [process.execPath, builtCli, ...args].map(quote).join(' ');
  const { stdout } = await run(SCRIPT, ['-qec', command, '/dev/null'], { env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

describe.skipIf(!existsSync(SCRIPT))('on a terminal', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-cli-tty-'));
    await writeFile(
      join(dir, 'features.yaml'),
      'featureGroups:\n  - { name: users, recordIdentifier: user_id, eventTime: event_time, features: { user_id: String, event_time: String, age: Integral } }\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('colours the plan', async () => {
    const out = await onTerminal(['--data-dir', join(dir, 'data'), 'plan', '-f', join(dir, 'features.yaml')]);
    expect(out).toContain('\x1b[32m+ feature group \x1b[1musers\x1b[22m\x1b[39m');
  });

  it('draws a progress bar with rows, rows/s and ETA while ingesting', async () => {
    const dataDir = join(dir, 'data');
    expect((await runCli(dataDir, ['apply', '-f', join(dir, 'features.yaml')])).code).toBe(0);
    const rows = Array.from({ length: 50_000 }, (_, i) => `u${i},2025-01-01T00:00:00Z,${i}`);
    await writeFile(join(dir, 'users.csv'), `user_id,event_time,age\n${rows.join('\n')}\n`);
    const out = await onTerminal(['--data-dir', dataDir, 'ingest', 'users', join(dir, 'users.csv')]);
    expect(out).toMatch(/\|[\u2588\u2591]{40}\| \d+% \| [\d,]+\/[\d,]+ rows \| [\d,]+ rows\/s \| ETA \S+/);
    expect(out).toMatch(/ingested 50000 of 50000 rows into users/);
  });
});
