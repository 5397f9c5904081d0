import type { ScriptName } from './redis-like.js';

/**
 * Lua scripts: each runs atomically in Redis, so put-if-newer, delete and update cannot race.
 * A record is a hash: `t` event time (epoch µs), `x` expiry (epoch µs), `d` = 1 for a soft-delete
 * marker, and one `f:<feature>` field per feature holding tagged JSON. KEYS[1] is the record,
 * KEYS[2] the group's index (a sorted set of record ids, all scored 0, paged by lex order).
 */
export const SCRIPTS: Record<ScriptName, { numberOfKeys: number; lua: string }> = {
  // ARGV: event time, expiry or '', record id, then field/value pairs. Returns 1 written, 0 stale.
  floePut: {
    numberOfKeys: 2,
    lua: `
local cur = redis.call('HGET', KEYS[1], 't')
if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 't', ARGV[1], unpack(ARGV, 4))
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'x', ARGV[2])
  redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(ARGV[2]) / 1000) + 1)
end
redis.call('ZADD', KEYS[2], 0, ARGV[3])
return 1`,
  },
  // ARGV: event time, mode, record id. Returns 'deleted', 'stale' or 'absent'.
  floeDelete: {
    numberOfKeys: 2,
    lua: `
local cur = redis.call('HGET', KEYS[1], 't')
if not cur then return 'absent' end
if tonumber(cur) >= tonumber(ARGV[1]) then return 'stale' end
redis.call('DEL', KEYS[1])
if ARGV[2] == 'HardDelete' then
  redis.call('ZREM', KEYS[2], ARGV[3])
else
  redis.call('HSET', KEYS[1], 't', ARGV[1], 'd', '1')
end
return 'deleted'`,
  },
  // ARGV: now, event time or '', expiry ('' keep, 'null' remove, or µs), then field/value pairs.
  floeUpdate: {
    numberOfKeys: 1,
    lua: `
local h = redis.call('HMGET', KEYS[1], 't', 'x', 'd')
if not h[1] or h[3] == '1' then return 'absent' end
if h[2] and tonumber(h[2]) <= tonumber(ARGV[1]) then return 'absent' end
if ARGV[2] ~= '' and tonumber(ARGV[2]) < tonumber(h[1]) then return 'stale' end
if #ARGV >= 4 then redis.call('HSET', KEYS[1], unpack(ARGV, 4)) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 't', ARGV[2]) end
if ARGV[3] == 'null' then
  redis.call('HDEL', KEYS[1], 'x')
  redis.call('PERSIST', KEYS[1])
elseif ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'x', ARGV[3])
  redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(ARGV[3]) / 1000) + 1)
end
return 'updated'`,
  },
};
