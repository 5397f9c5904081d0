import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

export interface ServedProcess {
  child: ChildProcess;
  /** Where it says it listens (`http://` or `https://`). */
  url: string;
  /** Everything it wrote so far: the JSON log lines (stdout) and the lines for people (stderr). */
  stdout(): string;
  stderr(): string;
}

/**
 * `floe <args>` (a `serve` command among them) as a process of its own, with `env` over this
 * process's environment; resolves once it has said where it listens and where the credentials are.
 */
export function serveProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServedProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err += String(d);
      const m = /floe listening on (https?:\/\/\S+)/.exec(err);
      if (m && /credentials: .*\n/.test(err)) resolve({ child, url: m[1]!, stdout: () => out, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`floe serve exited with ${code}: ${err}`)));
  });
}
