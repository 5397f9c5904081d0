import type { Kysely, Migration } from 'kysely';

export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('feature_groups')
      .addColumn('name_key', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('creation_time', 'text', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('feature_groups_creation_time').on('feature_groups').column('creation_time').execute();

    await db.schema
      .createTable('table_pointers')
      .addColumn('table_name', 'text', (c) => c.primaryKey())
      .addColumn('metadata_location', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('job_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('feature_group_name', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('job_runs_group_started').on('job_runs').columns(['feature_group_name', 'started_at']).execute();

    await db.schema
      .createTable('access_keys')
      .addColumn('access_key_id', 'text', (c) => c.primaryKey())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('feature_groups', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
