import { chmodSync, existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { ValidationError } from '../../domain/index.js';
import { KyselyRegistry, type RegistryDialect } from '../kysely-registry.js';
import { migrateRegistry } from '../migrations/index.js';
import type { RegistryDatabase } from '../schema.js';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';

const sqliteDialect: RegistryDialect = {
  kind: 'sqlite',
  lockRowsForUpdate: false,
  isUniqueViolation: (error) => {
    const code = (error as { code?: string }).code ?? '';
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  },
};

interface OpenFile {
  db: Kysely<RegistryDatabase>;
  migrated: Promise<void>;
  registries: number;
}

/**
 * One connection per file and process, shared by every registry opened on it. better-sqlite3
 * waits for a lock synchronously, so two connections of one process would block the event loop
 * of the very holder they wait for; one connection queues them instead (kysely's mutex), and
 * BEGIN IMMEDIATE with busy_timeout serialises other processes.
 */
const openFiles = new Map<string, OpenFile>();

/** The embedded registry: one SQLite file (or ':memory:', private to the registry). */
export async function openSqliteRegistry(path: string): Promise<KyselyRegistry> {
  const key = path === ':memory:' || path === '' ? undefined : fileKey(path);
  let file = key === undefined ? undefined : openFiles.get(key);
  if (!file) {
    const db = connect(path);
    file = { db, migrated: migrateRegistry(db), registries: 0 };
    if (key !== undefined) openFiles.set(key, file);
  }
  const opened = file;
  opened.registries++;
  const registry = new KyselyRegistry(opened.db, sqliteDialect, async () => {
    if (--opened.registries > 0) return;
    if (key !== undefined && openFiles.get(key) === opened) openFiles.delete(key);
    await opened.db.destroy();
  });
  try {
    await opened.migrated;
  } catch (error) {
    await registry.close();
    throw error;
  }
  return registry;
}

function connect(path: string): Kysely<RegistryDatabase> {
  let database: Database.Database;
  try {
    database = new Database(path);
  } catch (error) {
    throw new ValidationError(`path: cannot open the SQLite registry: ${(error as Error).message}`, { field: 'path', cause: error });
  }
  // The registry holds API secrets: readable by its owner only.
  if (path !== ':memory:' && path !== '') chmodSync(path, 0o600);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new Kysely<RegistryDatabase>({ dialect: new ImmediateSqliteDialect({ database }) });
}

function fileKey(path: string): string {
  return existsSync(path) ? realpathSync(path) : resolve(path);
}
