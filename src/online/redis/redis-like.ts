/**
 * The Redis commands the online store uses. The store sees only this; ioredis is wired in
 * ioredis-client.ts, so another client slots in without touching the store. (Redis Cluster would
 * need the record and index keys of a script in one slot; the store does not arrange that yet.)
 */
export interface RedisLike {
  /** Runs one of the store's Lua scripts (EVALSHA, loading it on first use). */
  runScript(name: ScriptName, keys: string[], args: string[]): Promise<unknown>;
  /** Many runs of one script in one round trip (a pipeline); results in order. */
  runScriptMany(name: ScriptName, calls: ReadonlyArray<{ keys: string[]; args: string[] }>): Promise<unknown[]>;
  /** GET: one record. */
  get(key: string): Promise<string | null>;
  /** MGET: many records in one command. */
  mget(keys: string[]): Promise<Array<string | null>>;
  /** ZRANGEBYLEX key min max LIMIT 0 count. */
  zrangeByLex(key: string, min: string, max: string, count: number): Promise<string[]>;
  zrem(key: string, members: string[]): Promise<void>;
  del(keys: string[]): Promise<void>;
  /** Closes the connection if this client opened it; an injected connection stays open. */
  quit(): Promise<void>;
}

export type ScriptName = 'floePut' | 'floeDelete' | 'floeUpdate' | 'floeUnindex';
