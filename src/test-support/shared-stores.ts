import { Redis } from 'ioredis';
import pg from 'pg';

/** The PostgreSQL and Redis that run beside the tests (`.ci/run` starts them). */
export const TEST_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** Removes what a test left in the shared services: its registry schema and its Redis keys. */
export async function dropSharedStores({ schema, redisPrefix }: { schema: string; redisPrefix: string }): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}
