import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisRateLimiter } from '../../src/resilience/index.js';
import { isDspexError } from '../../src/errors/index.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { describeRateLimiterConformance } from './rate-limiter-conformance.js';

let prefixCounter = 0;
/** A key prefix no other test (or earlier run against the same server) uses. */
function uniquePrefix(): string {
  prefixCounter += 1;
  return `test:rl:${process.pid}:${Date.now()}:${prefixCounter}:`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeRateLimiterConformance(
  'RedisRateLimiter (real redis-server)',
  async (bucket, options = {}) => {
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    const limiter = new RedisRateLimiter({ redis, bucket, keyPrefix: uniquePrefix(), ...options });
    return { limiter, elapse: sleep, close: async () => void (await redis.quit()) };
  },
);

describe('RedisRateLimiter', () => {
  const connections: Redis[] = [];
  const connect = (): Redis => {
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    connections.push(redis);
    return redis;
  };
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit()));
  });

  it('two_nodes_sharing_one_budget_never_admit_more_than_it_in_total', async () => {
    const keyPrefix = uniquePrefix();
    const bucket = { capacity: 20, refillPerSecond: 100 };
    // Two instances on two connections, as two nodes would have.
    const nodes = [connect(), connect()].map(
      (redis) => new RedisRateLimiter({ redis, bucket, keyPrefix, maxWaitMs: 5_000 }),
    );
    const admittedAt: number[] = [];
    const started = Date.now();
    // 2 × 50 calls of cost 1 against a 20-token bucket refilling 100/s: ~0.8 s of demand.
    await Promise.all(
      nodes.flatMap((limiter) =>
        Array.from({ length: 50 }, () =>
          limiter.acquire('shared', 1).then(() => admittedAt.push(Date.now())),
        ),
      ),
    );
    const elapsedS = (Date.now() - started) / 1000;
    expect(admittedAt).toHaveLength(100);
    // Over the whole run and over every window starting at the run's start.
    expect(100).toBeLessThanOrEqual(bucket.capacity + bucket.refillPerSecond * elapsedS);
    admittedAt.sort((a, b) => a - b);
    admittedAt.forEach((t, i) => {
      const windowS = (t - started) / 1000;
      // Local timestamps trail the Redis decision by a round trip: allow 20 ms of slack.
      expect(i + 1).toBeLessThanOrEqual(
        bucket.capacity + bucket.refillPerSecond * (windowS + 0.02),
      );
    });
    // The budget was not left idle: it took no longer than the refill needs (plus polling slack).
    expect(elapsedS).toBeLessThan((100 - bucket.capacity) / bucket.refillPerSecond + 1.5);
  });

  it('two_nodes_racing_try_acquire_admit_exactly_the_capacity', async () => {
    const keyPrefix = uniquePrefix();
    const bucket = { capacity: 25, refillPerSecond: 0.001 };
    const nodes = [connect(), connect()].map(
      (redis) => new RedisRateLimiter({ redis, bucket, keyPrefix }),
    );
    const results = await Promise.all(
      nodes.flatMap((limiter) => Array.from({ length: 40 }, () => limiter.tryAcquire('race', 1))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(25);
  });

  it('a_waiter_aborted_while_its_admission_is_in_flight_gets_the_tokens_refunded', async () => {
    const limiter = new RedisRateLimiter({
      redis: connect(),
      bucket: { capacity: 4, refillPerSecond: 0.001 },
      keyPrefix: uniquePrefix(),
    });
    const ctl = new AbortController();
    const waiting = limiter.acquire('k', 3, { signal: ctl.signal });
    ctl.abort(); // the EVALSHA that admits it is already on the wire
    let error: unknown;
    await waiting.catch((e: unknown) => (error = e));
    expect(isDspexError(error, 'aborted')).toBe(true);
    // The script admitted it, then the limiter gave the 3 tokens back.
    await expect.poll(() => limiter.available('k')).toBeGreaterThan(3.9);
  });

  it('uses_redis_time_so_a_node_clock_cannot_skew_the_bucket', async () => {
    const keyPrefix = uniquePrefix();
    const redis = connect();
    // This node's clock claims an hour has passed; the bucket must not care.
    const skewed = {
      now: () => Date.now() + 3_600_000,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    const a = new RedisRateLimiter({
      redis,
      bucket: { capacity: 5, refillPerSecond: 1 },
      keyPrefix,
    });
    const b = new RedisRateLimiter({
      redis,
      bucket: { capacity: 5, refillPerSecond: 1 },
      keyPrefix,
      clock: skewed,
    });
    expect(await a.tryAcquire('k', 5)).toEqual({ ok: true });
    expect((await b.tryAcquire('k', 1)).ok).toBe(false);
  });

  it('stores_buckets_under_the_prefix_and_lets_them_expire_once_full', async () => {
    const keyPrefix = uniquePrefix();
    const redis = connect();
    const limiter = new RedisRateLimiter({
      redis,
      bucket: { capacity: 10, refillPerSecond: 10 },
      keyPrefix,
    });
    await limiter.acquire('openai:gpt-4o-mini', 4);
    expect(limiter.redisKey('openai:gpt-4o-mini')).toBe(`${keyPrefix}openai:gpt-4o-mini`);
    const ttl = await redis.pttl(`${keyPrefix}openai:gpt-4o-mini`);
    // 4 tokens at 10/s refill in 400 ms, plus one second of margin.
    expect(ttl).toBeGreaterThan(1_000);
    expect(ttl).toBeLessThanOrEqual(1_400);
  });

  it('reloads_the_script_after_a_script_flush', async () => {
    const redis = connect();
    const limiter = new RedisRateLimiter({
      redis,
      bucket: { capacity: 3, refillPerSecond: 1 },
      keyPrefix: uniquePrefix(),
    });
    expect(await limiter.tryAcquire('k', 1)).toEqual({ ok: true });
    await redis.script('FLUSH');
    expect(await limiter.tryAcquire('k', 1)).toEqual({ ok: true });
  });

  describe('when redis goes away', () => {
    let server: RedisServerHandle;
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(async () => {
      await server.stop();
    });

    it('fails_closed_with_limiter_unavailable', async () => {
      const redis = new Redis(server.url, {
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined);
      await new Promise((resolve) => redis.once('ready', resolve));
      const limiter = new RedisRateLimiter({
        redis,
        bucket: { capacity: 3, refillPerSecond: 1 },
        keyPrefix: uniquePrefix(),
      });
      expect(await limiter.tryAcquire('k', 1)).toEqual({ ok: true });
      await server.kill();
      let error: unknown;
      await limiter.acquire('k', 1).catch((e: unknown) => (error = e));
      expect(isDspexError(error, 'limiter_unavailable')).toBe(true);
      expect(isDspexError(error) && error.retryable).toBe(true);
      redis.disconnect();
      await server.restart();
    });
  });
});
