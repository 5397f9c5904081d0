import type { Kysely, Migration } from 'kysely';

/**
 * Maintenance: job runs gain their trigger, duration and the table's files and bytes before and
 * after; leases let one process at a time work on a resource across every process sharing the
 * registry (two servers over one PostgreSQL never compact the same table at once).
 */
export const maintenance: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('job_runs').addColumn('trigger', 'text').execute();
    await db.schema.alterTable('job_runs').addColumn('duration_ms', 'bigint').execute();
    await db.schema.alterTable('job_runs').addColumn('files_before', 'bigint').execute();
    await db.schema.alterTable('job_runs').addColumn('files_after', 'bigint').execute();
    await db.schema.alterTable('job_runs').addColumn('bytes_before', 'bigint').execute();
    await db.schema.alterTable('job_runs').addColumn('bytes_after', 'bigint').execute();
    await db.schema.createIndex('job_runs_started').on('job_runs').column('started_at').execute();

    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('acquired_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
  },
};
