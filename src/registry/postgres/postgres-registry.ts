import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ValidationError } from '../../domain/index.js';
import { KyselyRegistry, type RegistryDialect } from '../kysely-registry.js';
import { migrations } from '../migrations/index.js';
import type { RegistryDatabase } from '../schema.js';
import { withUnavailableErrors } from './unavailable-errors.js';

const postgresDialect: RegistryDialect = {
  kind: 'postgres',
  lockRowsForUpdate: true,
  isUniqueViolation: (error) => (error as { code?: string }).code === '23505',
};

const SCHEMA_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/;

/**
 * The shared registry on PostgreSQL. `schema` puts its tables in a schema of their own (created if
 * missing), so several deployments or test runs can share one database.
 */
export async function openPostgresRegistry(url: string, schema?: string): Promise<KyselyRegistry> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new ValidationError(`registrySchema: '${schema}' is not a plain SQL identifier`, { field: 'registrySchema' });
  }
  // Processes starting together on a fresh database race to create the schema and migrate it, and
  // CREATE SCHEMA IF NOT EXISTS is not safe against that race (two creators meet PostgreSQL's unique
  // index on namespaces). A session advisory lock, held until the migration is done, makes the
  // second process wait and then find everything in place.
  const setup = new pg.Client({ connectionString: url });
  setup.on('error', () => undefined); // a drop mid-query rejects the query; the event needs a listener
  await setup.connect();
  try {
    await setup.query('SELECT pg_advisory_lock(hashtext($1))', [`floe-registry:${schema ?? 'public'}`]);
    if (schema) await setup.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    return await openMigrated(url, schema);
  } finally {
    await setup.end(); // ending the session releases its advisory lock
  }
}

async function openMigrated(url: string, schema: string | undefined): Promise<KyselyRegistry> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A hung server fails calls after this long instead of holding them forever.
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
  });
  // A connection dropped by the server (a restart) is an 'error' event: unhandled, it would kill the
  // process. The pool hears it for idle connections and discards them; a connection checked out at
  // that moment (mid-query or mid-transaction) emits it on the client itself, whose pending queries
  // already reject with it, so the client-side event only needs a listener. Either way the next call
  // opens a fresh connection.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<RegistryDatabase>({ dialect: new PostgresDialect({ pool }) });
  // kysely's migrator takes a lock, so racing processes migrate once. Its bookkeeping tables are
  // looked up in the registry's own schema: found in another schema of the same database, they
  // would be taken as ours (and missing from our search path).
  const { error } = await new Migrator({ db, provider: migrations, migrationTableSchema: schema ?? 'public' }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw error;
  }
  return withUnavailableErrors(new KyselyRegistry(db, postgresDialect));
}
