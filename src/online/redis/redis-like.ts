/**
 * The Redis commands the online store uses. The store sees only this; ioredis is wired in
 * ioredis-client.ts, so another client (or Redis Cluster) slots in without touching the store.
 */
export interface RedisLike {
  /** Runs one of the store's Lua scripts (EVALSHA, loading it on first use). */
  runScript(name: ScriptName, keys: string[], args: string[]): Promise<unknown>;
  /** HGETALL (fields undefined) or HMGET for many keys in one round trip. */
  readHashes(keys: string[], fields?: string[]): Promise<Array<Record<string, string> | Array<string | null>>>;
  zrangeByLex(key: string, min: string, max: string, count: number): Promise<string[]>;
  zrem(key: string, members: string[]): Promise<void>;
  del(keys: string[]): Promise<void>;
  quit(): Promise<void>;
}

export type ScriptName = 'floePut' | 'floeDelete' | 'floeUpdate';
