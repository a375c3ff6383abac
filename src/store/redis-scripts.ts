import { createHash } from 'node:crypto';

/**
 * The Lua scripts that make the Redis store's check-then-write steps atomic across every client and
 * node (WATCH/MULTI would need a connection per transaction; a script runs on the shared one).
 * A record is a hash `{ json, rev }`; indexes are sorted sets of equal score ordered by member.
 *
 * @internal
 */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * KEYS: record, alias (the record key again when there is none), indexes…
 * ARGV: json, member, has-alias ('1' | '0'), alias target, expire seconds ('0': none; a record
 * inserted final expires with its alias, in the same step).
 * Returns { 'created' } | { 'conflict' } | { 'aliased', target }.
 * The alias is claimed with one `SET NX [EX]` (check, write and expiry in one command; given back
 * on a conflict, which callers never cause in practice: ids are fresh): every command a script
 * runs costs Redis CPU on the job path.
 */
export const INSERT_SCRIPT = script(`
local ttl = tonumber(ARGV[5])
if ARGV[3] == '1' then
  local claimed
  if ttl > 0 then
    claimed = redis.call('SET', KEYS[2], ARGV[4], 'NX', 'EX', ttl)
  else
    claimed = redis.call('SET', KEYS[2], ARGV[4], 'NX')
  end
  if not claimed then return { 'aliased', redis.call('GET', KEYS[2]) } end
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('DEL', KEYS[2])
    return { 'conflict' }
  end
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  return { 'conflict' }
end
redis.call('HSET', KEYS[1], 'json', ARGV[1], 'rev', 1)
for i = 3, #KEYS do redis.call('ZADD', KEYS[i], 0, ARGV[2]) end
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
return { 'created' }
`);

/**
 * KEYS: record, indexes to leave (ARGV[4] of them), indexes to join (ARGV[5] of them), [blob]
 * (when ARGV[6] is '1'), keys to expire (the rest).
 * ARGV: expected revision, json, member, #leave, #join, has-blob ('1' | '0'), blob value, expire
 * seconds ('0': none). Expiring in the same script saves a round trip per final write.
 * Returns 'ok' | 'stale' | 'not_found'.
 */
export const COMPARE_AND_SET_SCRIPT = script(`
local rev = redis.call('HGET', KEYS[1], 'rev')
if not rev then return 'not_found' end
if rev ~= ARGV[1] then return 'stale' end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'rev', tonumber(ARGV[1]) + 1)
local leave = tonumber(ARGV[4])
local join = tonumber(ARGV[5])
local blob = tonumber(ARGV[6])
for i = 2, 1 + leave do redis.call('ZREM', KEYS[i], ARGV[3]) end
for i = 2 + leave, 1 + leave + join do redis.call('ZADD', KEYS[i], 0, ARGV[3]) end
if blob == 1 then redis.call('SET', KEYS[2 + leave + join], ARGV[7]) end
local ttl = tonumber(ARGV[8])
if ttl > 0 then
  for i = 2 + leave + join + blob, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
end
return 'ok'
`);
