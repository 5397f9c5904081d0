import type { ScriptName } from './redis-like.js';

/**
 * Lua scripts: each runs atomically in Redis, so put-if-newer, delete and update cannot race.
 * A record is one string (see record-codec.ts): `<t>|<x>|<body>`, t the event time and x the
 * expiry in epoch µs (x empty: none), body `-` for a soft-delete marker or the values' JSON with
 * members separated by `\n,`. The group's index is a sorted set of record ids, all scored 0,
 * paged in byte order with ZRANGEBYLEX. Invariant: every record key has its id in the index
 * (put adds both at once; ids leave the index only with their key, or once their key is gone).
 *
 * A record expired by the real clock (`now`, passed by the client) counts as absent for writes,
 * as it would once Redis has reclaimed it (PXAT).
 */
const HEADER = `
local function header(v)
  local a = string.find(v, '|', 1, true)
  local b = string.find(v, '|', a + 1, true)
  return tonumber(string.sub(v, 1, a - 1)), tonumber(string.sub(v, a + 1, b - 1)), a, b
end
`;

export const SCRIPTS: Record<ScriptName, { lua: string }> = {
  // KEYS: record, index. ARGV: event time, PXAT ms or '', now, record id, value. Returns 1 written, 0 stale.
  floePut: {
    lua: `${HEADER}
local cur = redis.call('GET', KEYS[1])
if cur then
  local t, x = header(cur)
  if not (x and x <= tonumber(ARGV[3])) and t > tonumber(ARGV[1]) then return 0 end
end
if ARGV[2] == '' then
  redis.call('SET', KEYS[1], ARGV[5])
else
  redis.call('SET', KEYS[1], ARGV[5], 'PXAT', ARGV[2])
end
redis.call('ZADD', KEYS[2], 0, ARGV[4])
return 1`,
  },
  // KEYS: record, index. ARGV: event time, mode, now, record id, marker. Returns 'deleted', 'stale' or 'absent'.
  floeDelete: {
    lua: `${HEADER}
local cur = redis.call('GET', KEYS[1])
if not cur then return 'absent' end
local t, x = header(cur)
if x and x <= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[4])
  return 'absent'
end
if t >= tonumber(ARGV[1]) then return 'stale' end
if ARGV[2] == 'HardDelete' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[5])
end
return 'deleted'`,
  },
  // KEYS: record. ARGV: now, event time or '', expiry ('' keep, 'null' remove, or µs), its PXAT ms,
  // then pairs (member prefix '"name":', member). Returns 'updated', 'absent' or 'stale'.
  floeUpdate: {
    lua: `${HEADER}
local cur = redis.call('GET', KEYS[1])
if not cur then return 'absent' end
local t, x, a, b = header(cur)
local body = string.sub(cur, b + 1)
if body == '-' then return 'absent' end
if x and x <= tonumber(ARGV[1]) then return 'absent' end
if ARGV[2] ~= '' and tonumber(ARGV[2]) < t then return 'stale' end
local members = {}
local inner = string.sub(body, 2, -2)
if inner ~= '' then
  local pos = 1
  while true do
    local s = string.find(inner, '\\n,', pos, true)
    if not s then
      members[#members + 1] = string.sub(inner, pos)
      break
    end
    members[#members + 1] = string.sub(inner, pos, s - 1)
    pos = s + 2
  end
end
for i = 5, #ARGV, 2 do
  local prefix = ARGV[i]
  local found = false
  for j = 1, #members do
    if string.sub(members[j], 1, #prefix) == prefix then
      members[j] = ARGV[i + 1]
      found = true
      break
    end
  end
  if not found then members[#members + 1] = ARGV[i + 1] end
end
local eventTime = ARGV[2] ~= '' and ARGV[2] or string.sub(cur, 1, a - 1)
local rest = '|{' .. table.concat(members, '\\n,') .. '}'
if ARGV[3] == '' then
  redis.call('SET', KEYS[1], eventTime .. '|' .. string.sub(cur, a + 1, b - 1) .. rest, 'KEEPTTL')
elseif ARGV[3] == 'null' then
  redis.call('SET', KEYS[1], eventTime .. '|' .. rest)
else
  redis.call('SET', KEYS[1], eventTime .. '|' .. ARGV[3] .. rest, 'PXAT', ARGV[4])
end
return 'updated'`,
  },
  // KEYS: index, then record keys. ARGV: their ids. Drops from the index the ids whose key is gone
  // (reclaimed by expiry), checked inside the script so that a concurrent put keeps its id.
  floeUnindex: {
    lua: `
local removed = 0
for i = 1, #ARGV do
  if redis.call('EXISTS', KEYS[i + 1]) == 0 then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed`,
  },
};
