/** The feature group registry: SQLite embedded, PostgreSQL shared. */
import { ValidationError } from '../domain/index.js';
import { openPostgresRegistry } from './postgres/postgres-registry.js';
import type { Registry } from './registry.js';
import { openSqliteRegistry } from './sqlite/sqlite-registry.js';

export type * from './registry.js';
export { KyselyRegistry } from './kysely-registry.js';

export interface RegistryOptions {
  /** A `postgres://` or `postgresql://` URL for the shared registry. */
  url?: string;
  /** The SQLite file of the embedded registry (when no URL is given). */
  path?: string;
  /** PostgreSQL schema for the registry's tables. */
  schema?: string;
}

export async function openRegistry(options: RegistryOptions): Promise<Registry> {
  if (options.url && /^postgres(ql)?:\/\//.test(options.url)) return openPostgresRegistry(options.url, options.schema);
  if (options.url) {
    throw new ValidationError(`url: a registry URL must start with postgres:// or postgresql:// (got '${options.url.split(':')[0]}:')`, { field: 'url' });
  }
  return openSqliteRegistry(options.path ?? ':memory:');
}
