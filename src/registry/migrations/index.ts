import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { RegistryDatabase } from '../schema.js';
import { initial } from './0001-initial.js';
import { maintenance } from './0002-maintenance.js';

/** Migrations live in code (no files to find at run time), applied in name order on open. */
export const migrations: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '0001-initial': initial, '0002-maintenance': maintenance };
  },
};

/**
 * Brings the schema up to date; safe on every open. Concurrent openers migrate once: kysely
 * locks on PostgreSQL, and on SQLite its migration transaction takes the write lock first.
 */
export async function migrateRegistry(db: Kysely<RegistryDatabase>): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrations }).migrateToLatest();
  if (error) throw error;
}
