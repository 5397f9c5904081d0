import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryBehaviour } from '../registry.suite.js';
import { openSqliteRegistry } from './sqlite-registry.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-registry-'));
registryBehaviour(
  'SQLite',
  () => openSqliteRegistry(join(dir, 'registry.sqlite')),
  async () => rmSync(dir, { recursive: true, force: true }),
);
