import { createHash } from 'node:crypto';

/**
 * The Lua script behind {@link RedisRateLimiter}: refill and take (or refund, or debit) in one
 * atomic step, timed by the Redis server's own `TIME` so the nodes' clocks never matter.
 *
 * KEYS[1] = the bucket hash (`tokens`, `ts` in ms). ARGV = capacity, refill per second, cost, op
 * (`take` | `refund` | `debit` | `peek`). Returns `{ admitted (0|1), retryInMs, tokens (string) }`;
 * tokens go back as a string because Redis truncates Lua numbers to integers.
 *
 * Nothing is written on a refusal: refill is computed from `ts`, so an unchanged bucket needs no
 * write. The key expires once it would have refilled completely (plus a second), when it is
 * indistinguishable from a new one.
 *
 * Since Redis 5 scripts replicate their effects, not their code, so reading `TIME` before writing
 * is allowed (Redis 7 always does this).
 * @internal
 */
export const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local op = ARGV[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tokens = capacity
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
if stored[1] then
  tokens = tonumber(stored[1])
  local ts = tonumber(stored[2])
  if now > ts then
    tokens = tokens + (now - ts) * rate / 1000
  end
  if tokens > capacity then
    tokens = capacity
  end
end
local admitted = 1
local retry = 0
if op == 'take' then
  if tokens + 1e-9 >= cost then
    tokens = tokens - cost
  else
    admitted = 0
    retry = math.ceil((cost - tokens) * 1000 / rate)
  end
elseif op == 'refund' then
  tokens = math.min(capacity, tokens + cost)
elseif op == 'debit' then
  tokens = tokens - cost
end
if admitted == 1 and op ~= 'peek' then
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', now))
  redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * 1000 / rate) + 1000)
end
return { admitted, retry, string.format('%.17g', tokens) }
`;

/** SHA-1 of {@link TOKEN_BUCKET_LUA}, for `EVALSHA`. @internal */
export const TOKEN_BUCKET_SHA = createHash('sha1').update(TOKEN_BUCKET_LUA).digest('hex');
