import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openSqliteRegistry } from './sqlite-registry.js';

it('keeps the SQLite registry (which holds API secrets) readable by its owner only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-registry-mode-'));
  try {
    const registry = await openSqliteRegistry(join(dir, 'registry.sqlite'));
    await registry.close();
    expect((await stat(join(dir, 'registry.sqlite'))).mode & 0o777).toBe(0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
