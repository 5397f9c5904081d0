import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { onlineStoreBehaviour } from '../online-store.suite.js';
import { ioredisClient } from './ioredis-client.js';
import { RedisOnlineStore } from './redis-online-store.js';

const URL = 'redis://127.0.0.1:6379';
// Other test runs share this Redis: every key of this file lives under its own prefix.
const prefix = `floe-test:${randomUUID()}:`;
const admin = new Redis(URL);

afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await admin.quit();
});

onlineStoreBehaviour('Redis', async () => new RedisOnlineStore(ioredisClient(URL), `${prefix}suite:`));

describe('RedisOnlineStore on Redis', () => {
  it('sets PXAT on records with an expiry so Redis reclaims them, and none otherwise', async () => {
    const store = new RedisOnlineStore(ioredisClient(URL), `${prefix}ttl:`);
    const expiresAtMicros = Date.now() * 1000 + 3_600_000_000;
    await store.put('g', 'a', { values: { v: 1 }, eventTimeMicros: 1, expiresAtMicros });
    await store.put('g', 'b', { values: { v: 1 }, eventTimeMicros: 1 });
    expect(await admin.pexpiretime(`${prefix}ttl:r:g:a`)).toBe(Math.ceil(expiresAtMicros / 1000));
    expect(await admin.pexpiretime(`${prefix}ttl:r:g:b`)).toBe(-1);
    // A soft-delete marker never expires; an update without an expiry keeps the record's.
    await store.update('g', 'a', { values: { v: 2 } });
    expect(await admin.pexpiretime(`${prefix}ttl:r:g:a`)).toBe(Math.ceil(expiresAtMicros / 1000));
    await store.delete('g', 'a', 2, 'SoftDelete');
    expect(await admin.pexpiretime(`${prefix}ttl:r:g:a`)).toBe(-1);
    await store.dropGroup('g');
    expect(await admin.exists(`${prefix}ttl:r:g:b`, `${prefix}ttl:i:g`)).toBe(0);
    await store.close();
  });

  it('drops reclaimed ids from the group index while listing', async () => {
    const store = new RedisOnlineStore(ioredisClient(URL), `${prefix}unindex:`);
    await store.put('g', 'a', { values: {}, eventTimeMicros: 1 });
    await store.put('g', 'b', { values: {}, eventTimeMicros: 1 });
    await admin.del(`${prefix}unindex:r:g:a`); // as Redis does when a record expires
    expect((await store.listIds('g', { includeSoftDeleted: true })).recordIds).toEqual(['b']);
    expect(await admin.zrange(`${prefix}unindex:i:g`, '0', '-1')).toEqual(['b']);
    await store.dropGroup('g');
    await store.close();
  });

  it('uses a client passed in and leaves it open on close', async () => {
    const client = new Redis(URL);
    const store = new RedisOnlineStore(ioredisClient(client), `${prefix}injected:`);
    await store.put('g', 'a', { values: { v: 1 }, eventTimeMicros: 1 });
    await store.close();
    expect(await client.get(`${prefix}injected:r:g:a`)).toBe('1||{"v":1}');
    await client.quit();
  });

  it('reports a lost connection as a typed error naming the operation', async () => {
    const store = new RedisOnlineStore(ioredisClient('redis://127.0.0.1:1'), `${prefix}down:`);
    await expect(store.get('g', 'a')).rejects.toMatchObject({ name: 'UnavailableError', message: expect.stringContaining('online store (redis) get') });
    await store.close().catch(() => undefined);
  });
});
