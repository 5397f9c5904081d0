import { Redis } from 'ioredis';
import type { RedisLike, ScriptName } from './redis-like.js';
import { SCRIPTS } from './scripts.js';

type ScriptedRedis = Redis & Record<ScriptName, (...args: string[]) => Promise<unknown>>;

/** RedisLike over ioredis: scripts through defineCommand (EVALSHA), reads pipelined. */
export function ioredisClient(urlOrClient: string | Redis = 'redis://127.0.0.1:6379'): RedisLike {
  const redis = (typeof urlOrClient === 'string' ? new Redis(urlOrClient, { maxRetriesPerRequest: 3, enableAutoPipelining: true }) : urlOrClient) as ScriptedRedis;
  for (const [name, script] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  return {
    runScript: (name, keys, args) => redis[name](...keys, ...args),
    async readHashes(keys, fields) {
      // One key: a plain command (auto-pipelined with whatever else this tick sends).
      if (keys.length === 1) return [fields ? await redis.hmget(keys[0]!, ...fields) : await redis.hgetall(keys[0]!)];
      const pipeline = redis.pipeline();
      for (const key of keys) {
        if (fields) pipeline.hmget(key, ...fields);
        else pipeline.hgetall(key);
      }
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, value]) => {
        if (error) throw error;
        return value as Record<string, string> | Array<string | null>;
      });
    },
    zrangeByLex: (key, min, max, count) => redis.zrangebylex(key, min, max, 'LIMIT', 0, count),
    async zrem(key, members) {
      if (members.length > 0) await redis.zrem(key, ...members);
    },
    async del(keys) {
      if (keys.length > 0) await redis.del(...keys);
    },
    async quit() {
      await redis.quit();
    },
  };
}
