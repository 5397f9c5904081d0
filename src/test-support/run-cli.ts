import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI, as users run it (`npm run build` first; `npm test` does). */
export const builtCli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `floe --data-dir <dataDir> ...args` in a child process; never throws for a non-zero exit. */
export function runCli(dataDir: string, args: string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; cwd?: string } = {}): Promise<CliResult> {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run npm run build first`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), builtCli, '--data-dir', dataDir, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...options.env }, maxBuffer: 64 * 1024 * 1024, ...(options.cwd ? { cwd: options.cwd } : {}) },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A stack trace line, which a user must never see for bad input. */
export const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;
