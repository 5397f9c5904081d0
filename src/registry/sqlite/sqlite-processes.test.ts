import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureGroupFixture } from '../registry.suite.js';
import { openSqliteRegistry } from './sqlite-registry.js';

const WORKER = fileURLToPath(new URL('./fixtures/registry-worker.mjs', import.meta.url));

/** Processes do not share a connection: they meet at SQLite's file locks (BEGIN IMMEDIATE, busy_timeout). */
describe('SQLite registry shared by several processes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-registry-processes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loses no update and no pointer swap when processes write at once', async () => {
    const file = join(dir, 'registry.sqlite');
    const workers = 3;
    const rounds = 8;
    const registry = await openSqliteRegistry(file);
    try {
      await registry.createFeatureGroup(featureGroupFixture('shared'));
      await registry.swapTablePointer('shared', undefined, 'count-1');

      const children = Array.from({ length: workers }, (_, i) =>
        spawn(process.execPath, ['--import', 'tsx', WORKER, file, 'shared', 'shared', String(i), String(rounds)], { stdio: ['pipe', 'pipe', 'pipe'] }),
      );
      const outputs = children.map(collect);
      await Promise.all(outputs.map((o) => o.line('ready')));
      for (const child of children) child.stdin.write('go\n');
      const exits = await Promise.all(outputs.map((o) => o.exit));
      expect(exits.map((e) => e.code), exits.map((e) => e.stderr).join('\n')).toEqual(Array(workers).fill(0));
      expect(exits.every((e) => /^done \d+$/m.test(e.stdout))).toBe(true);

      const features = (await registry.getFeatureGroup('shared'))!.features.map((f) => f.featureName);
      const expected = Array.from({ length: workers * rounds }, (_, k) => `w${Math.floor(k / rounds)}r${k % rounds}`);
      expect(features.filter((f) => /^w\d+r\d+$/.test(f)).sort()).toEqual(expected.sort());
      // Every successful swap moved the pointer by exactly one: none was lost or doubled.
      const pointer = (await registry.getTablePointer('shared'))!;
      expect(pointer).toEqual({ metadataLocation: `count-${1 + workers * rounds}`, version: 1 + workers * rounds });
    } finally {
      await registry.close();
    }
  });
});

function collect(child: ChildProcessWithoutNullStreams) {
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const line = async (text: string): Promise<void> => {
    while (!stdout.split('\n').includes(text)) {
      const closed = await Promise.race([new Promise<false>((resolve) => waiters.push(() => resolve(false))), exit.then(() => true)]);
      if (closed && !stdout.split('\n').includes(text)) throw new Error(`worker exited before '${text}': ${stderr}`);
    }
  };
  return { exit, line };
}
