/**
 * The online store: the latest record per identifier. LMDB embedded (the default), Redis shared.
 *
 * @example
 *   const store = await openOnlineStore({ kind: 'lmdb', path: '.floe/online' });
 *   const shared = await openOnlineStore({ kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: 'floe:' });
 */
import type { Redis } from 'ioredis';
import { LmdbOnlineStore } from './lmdb/lmdb-online-store.js';
import type { OnlineStore } from './online-store.js';
import { ioredisClient } from './redis/ioredis-client.js';
import { RedisOnlineStore } from './redis/redis-online-store.js';

export type * from './online-store.js';
export { LmdbOnlineStore } from './lmdb/lmdb-online-store.js';
export { RedisOnlineStore } from './redis/redis-online-store.js';
export { ioredisClient, DEFAULT_REDIS_URL } from './redis/ioredis-client.js';
export type { RedisLike, ScriptName } from './redis/redis-like.js';

export type OnlineStoreOptions =
  /** `readOnly`: another process owns and writes the store (see LmdbOnlineStore.open). */
  | { kind: 'lmdb'; path: string; readOnly?: boolean }
  /** `client`: an ioredis connection to use (left open on close); else one is opened on `url`. */
  | { kind: 'redis'; url?: string; client?: Redis; prefix?: string };

export async function openOnlineStore(options: OnlineStoreOptions): Promise<OnlineStore> {
  if (options.kind === 'lmdb') return LmdbOnlineStore.open(options.path, { readOnly: options.readOnly ?? false });
  return new RedisOnlineStore(ioredisClient(options.client ?? options.url), options.prefix);
}
