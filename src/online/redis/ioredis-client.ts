import { Redis } from 'ioredis';
import type { RedisLike, ScriptName } from './redis-like.js';
import { SCRIPTS } from './scripts.js';

type ScriptedRedis = Redis & Record<ScriptName, (numberOfKeys: number, ...keysAndArgs: string[]) => Promise<unknown>>;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * While Redis is down, a command waits in the offline queue through one reconnection attempt and
 * then fails (an UnavailableError, 503), instead of holding the caller for seconds; reconnection
 * keeps trying every 50..500 ms, so service resumes within half a second of Redis coming back.
 */
const CONNECTION_OPTIONS = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  retryStrategy: (attempt: number) => Math.min(50 * attempt, 500),
};

/**
 * RedisLike over ioredis. Scripts go through defineCommand (EVALSHA, EVAL on a cache miss).
 * A connection opened here does not auto-pipeline: that defers every command by a tick, which
 * halves what one caller gets done (measured), while concurrent callers' commands share socket
 * writes anyway. Bulk writes pipeline explicitly (runScriptMany). A client passed in is used as
 * configured and left open by quit().
 */
export function ioredisClient(urlOrClient: string | Redis = DEFAULT_REDIS_URL): RedisLike {
  const owned = typeof urlOrClient === 'string';
  const redis = (owned ? new Redis(urlOrClient, CONNECTION_OPTIONS) : urlOrClient) as ScriptedRedis;
  // Without a listener, a dropped connection's 'error' events are printed for every retry; the
  // commands that fail carry the reason to their callers instead.
  if (owned) redis.on('error', () => undefined);
  for (const [name, script] of Object.entries(SCRIPTS)) {
    if (typeof (redis as unknown as Record<string, unknown>)[name] !== 'function') redis.defineCommand(name, { lua: script.lua });
  }
  return {
    runScript: (name, keys, args) => redis[name](keys.length, ...keys, ...args),
    async runScriptMany(name, calls) {
      if (calls.length === 0) return [];
      const pipeline = redis.pipeline() as unknown as Record<ScriptName, (numberOfKeys: number, ...keysAndArgs: string[]) => unknown> & {
        exec(): Promise<Array<[Error | null, unknown]> | null>;
      };
      for (const { keys, args } of calls) pipeline[name](keys.length, ...keys, ...args);
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, result]) => {
        if (error) throw error;
        return result;
      });
    },
    get: (key) => redis.get(key),
    mget: (keys) => redis.mget(keys),
    zrangeByLex: (key, min, max, count) => redis.zrangebylex(key, min, max, 'LIMIT', 0, count),
    async zrem(key, members) {
      if (members.length > 0) await redis.zrem(key, ...members);
    },
    async del(keys) {
      if (keys.length > 0) await redis.del(...keys);
    },
    async quit() {
      if (owned) await redis.quit();
    },
  };
}
