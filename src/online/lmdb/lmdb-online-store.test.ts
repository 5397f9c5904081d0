import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onlineStoreBehaviour } from '../online-store.suite.js';
import { LmdbOnlineStore } from './lmdb-online-store.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-lmdb-'));
onlineStoreBehaviour(
  'LMDB',
  async () => LmdbOnlineStore.open(dir),
  async () => rmSync(dir, { recursive: true, force: true }),
);
