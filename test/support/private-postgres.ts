import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './free-port.js';

/**
 * A PostgreSQL cluster of the test's own (initdb into a temp dir, a free port), run as the
 * `postgres` OS user because PostgreSQL refuses to run as root. Never the shared one.
 */
export interface PrivatePostgres {
  url: string;
  /** An immediate shutdown (no checkpoint), as close to a crash as PostgreSQL allows without corrupting itself. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const asPostgres = (args: string[]) => (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0]!, args.slice(1)]) as [string, string[]];

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(dir, uid, gid);
  }
  const [cmd, args] = asPostgres(['initdb', '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  try {
    execFileSync(cmd, args, { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`initdb failed (the PostgreSQL binaries must be on PATH and a 'postgres' OS user exist): ${(error as { stderr?: Buffer }).stderr?.toString() ?? error}`);
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const [c, a] = asPostgres(['postgres', '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']);
    child = spawn(c, a, { stdio: 'ignore' });
    await waitFor(`PostgreSQL on port ${port}`, async () => {
      try {
        execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    // Immediate shutdown: every backend killed without a checkpoint, crash recovery on the next start.
    const [cmd, args] = asPostgres(['pg_ctl', 'stop', '-D', data, '-m', 'immediate']);
    execFileSync(cmd, args, { stdio: 'ignore' });
    await exited;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kill,
    start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
