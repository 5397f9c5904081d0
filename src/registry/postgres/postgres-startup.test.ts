import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresRegistry } from './postgres-registry.js';

const url = 'postgresql://postgres@127.0.0.1:5432/test';
const schema = `registry_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

afterAll(async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe('PostgreSQL registry start-up', () => {
  // Servers of a shared deployment start together on a fresh database: each creates the schema and
  // migrates it. Without a lock the creators collide on PostgreSQL's unique index of namespaces.
  it('opens from several starters at once on a fresh schema, which is created and migrated once', async () => {
    const registries = await Promise.all(Array.from({ length: 6 }, () => openPostgresRegistry(url, schema)));
    try {
      await registries[0]!.putAccessKey({ accessKeyId: 'AKIASTARTUP', secretAccessKey: 's'.repeat(40), role: 'reader', createdAt: new Date() });
      for (const registry of registries) {
        expect((await registry.getAccessKey('AKIASTARTUP'))?.role).toBe('reader');
      }
    } finally {
      await Promise.all(registries.map((registry) => registry.close()));
    }
  });
});
