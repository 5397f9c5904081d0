import { Redis } from 'ioredis';
import type { RedisLike, ScriptName } from './redis-like.js';
import { SCRIPTS } from './scripts.js';

type ScriptedRedis = Redis & Record<ScriptName, (numberOfKeys: number, ...keysAndArgs: string[]) => Promise<unknown>>;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * RedisLike over ioredis. Scripts go through defineCommand (EVALSHA, EVAL on a cache miss).
 * A connection opened here auto-pipelines: every command issued in one tick of the event loop
 * shares one write, which is what makes many concurrent gets cheap. A client passed in is used
 * as configured and left open by quit().
 */
export function ioredisClient(urlOrClient: string | Redis = DEFAULT_REDIS_URL): RedisLike {
  const owned = typeof urlOrClient === 'string';
  const redis = (owned ? new Redis(urlOrClient, { maxRetriesPerRequest: 3, enableAutoPipelining: true }) : urlOrClient) as ScriptedRedis;
  for (const [name, script] of Object.entries(SCRIPTS)) {
    if (typeof (redis as unknown as Record<string, unknown>)[name] !== 'function') redis.defineCommand(name, { lua: script.lua });
  }
  return {
    runScript: (name, keys, args) => redis[name](keys.length, ...keys, ...args),
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
