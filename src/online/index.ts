/** The online store: the latest record per identifier. LMDB embedded, Redis shared. */
import type { Redis } from 'ioredis';
import { LmdbOnlineStore } from './lmdb/lmdb-online-store.js';
import type { OnlineStore } from './online-store.js';
import { ioredisClient } from './redis/ioredis-client.js';
import { RedisOnlineStore } from './redis/redis-online-store.js';

export type * from './online-store.js';
export { LmdbOnlineStore } from './lmdb/lmdb-online-store.js';
export { RedisOnlineStore } from './redis/redis-online-store.js';
export { ioredisClient } from './redis/ioredis-client.js';
export type { RedisLike } from './redis/redis-like.js';

export type OnlineStoreOptions =
  | { kind: 'lmdb'; path: string }
  | { kind: 'redis'; url?: string; client?: Redis; prefix?: string };

export async function openOnlineStore(options: OnlineStoreOptions): Promise<OnlineStore> {
  if (options.kind === 'lmdb') return LmdbOnlineStore.open(options.path);
  return new RedisOnlineStore(ioredisClient(options.client ?? options.url), options.prefix);
}
