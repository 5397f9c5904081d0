import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001-initial.js';

/** Migrations live in code (no files to find at run time), applied in name order on open. */
export const migrations: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '0001-initial': initial };
  },
};
