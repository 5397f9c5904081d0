import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { registryBehaviour } from '../registry.suite.js';
import { openPostgresRegistry } from './postgres-registry.js';

const url = 'postgresql://postgres@127.0.0.1:5432/test';
const schema = `registry_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

registryBehaviour(
  'PostgreSQL',
  () => openPostgresRegistry(url, schema),
  async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  },
);
