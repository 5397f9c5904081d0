import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyRegistry, type RegistryDialect } from '../kysely-registry.js';
import type { RegistryDatabase } from '../schema.js';

const sqliteDialect: RegistryDialect = {
  kind: 'sqlite',
  lockRowsForUpdate: false,
  isUniqueViolation: (error) => {
    const code = (error as { code?: string }).code ?? '';
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  },
};

/** The embedded registry: one SQLite file (or ':memory:'). */
export async function openSqliteRegistry(path: string): Promise<KyselyRegistry> {
  const database = new Database(path);
  // The registry holds API secrets: readable by its owner only.
  if (path !== ':memory:') chmodSync(path, 0o600);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const registry = new KyselyRegistry(new Kysely<RegistryDatabase>({ dialect: new SqliteDialect({ database }) }), sqliteDialect);
  await registry.migrate();
  return registry;
}
