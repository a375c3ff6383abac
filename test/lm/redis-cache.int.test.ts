import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  configureCache,
  getDefaultCache,
  MemoryCache,
  openai,
  RedisCache,
  TieredCache,
} from '../../src/lm/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { startRedisServer } from '../helpers/redis-server.js';

const messages = [{ role: 'user' as const, content: 'shared prompt' }];
const entry = { choices: [{ text: 'v', finishReason: 'stop' as const }], model: 'm' };

describe('Redis response cache', () => {
  const url = inject('redisUrl');
  let fx: LMFixture;
  let admin: Redis;
  let prefix: string;
  const opened: RedisCache[] = [];
  const redisCache = (o: { ttlSeconds?: number; prefix?: string } = {}) => {
    const c = new RedisCache({
      url,
      prefix: o.prefix ?? prefix,
      ...(o.ttlSeconds === undefined ? {} : { ttlSeconds: o.ttlSeconds }),
    });
    opened.push(c);
    return c;
  };

  beforeAll(async () => {
    fx = await startOpenAIFixture();
    admin = new Redis(url);
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    admin.disconnect();
    await fx.close();
  });
  beforeEach(() => {
    fx.reset();
    prefix = `test:lmcache:${Math.random().toString(36).slice(2)}:`;
  });

  it('a_second_process_hits_what_the_first_stored_and_backfills_its_memory', async () => {
    fx.enqueue({ text: 'from the network' });
    const lmA = openai({
      model: 'gpt-4o-mini',
      apiKey: 'a',
      baseURL: fx.url,
      cache: new TieredCache(new MemoryCache(), redisCache()),
    });
    await lmA.complete({ messages });
    // Another process: its own memory layer and Redis connection, same prefix.
    const memoryB = new MemoryCache();
    const lmB = openai({
      model: 'gpt-4o-mini',
      apiKey: 'b',
      baseURL: fx.url,
      cache: new TieredCache(memoryB, redisCache()),
    });
    const res = await lmB.complete({ messages });
    expect(res).toMatchObject({
      cached: true,
      usage: null,
      choices: [{ text: 'from the network' }],
    });
    expect(fx.requests).toHaveLength(1);
    expect(memoryB.size).toBe(1);
    expect(await admin.keys(`${prefix}*`)).toHaveLength(1);
  });

  it('entries_get_the_configured_ttl', async () => {
    await redisCache({ ttlSeconds: 120 }).set('k', entry);
    const ttl = await admin.ttl(`${prefix}k`);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('clear_removes_only_keys_under_its_prefix', async () => {
    const mine = redisCache();
    const other = redisCache({ prefix: prefix.replace('test:lmcache:', 'test:lmcache-other:') });
    await mine.set('a', entry);
    await other.set('b', entry);
    await mine.clear();
    expect(await mine.get('a')).toBeUndefined();
    expect(await other.get('b')).toBeDefined();
  });

  it('foreign_or_corrupt_values_are_misses', async () => {
    await admin.set(`${prefix}bad`, 'not json');
    await admin.set(`${prefix}odd`, '{"hello":1}');
    const c = redisCache();
    expect(await c.get('bad')).toBeUndefined();
    expect(await c.get('odd')).toBeUndefined();
  });

  it('configure_cache_installs_a_tiered_default_cache', async () => {
    await configureCache({ redis: { url, prefix } });
    try {
      expect(getDefaultCache()).toBeInstanceOf(TieredCache);
      fx.enqueue({ text: 'default cache' });
      const lm = openai({ model: 'gpt-4o-mini', apiKey: 'k', baseURL: fx.url });
      await lm.complete({ messages });
      expect((await lm.complete({ messages })).cached).toBe(true);
      expect(await admin.keys(`${prefix}*`)).toHaveLength(1);
    } finally {
      await configureCache();
    }
    expect(getDefaultCache()).toBeInstanceOf(MemoryCache);
  });

  it('a_dead_redis_is_a_miss_and_never_fails_the_call', async () => {
    const server = await startRedisServer();
    const cache = new RedisCache({ url: server.url, prefix, operationTimeoutMs: 200 });
    try {
      await cache.set('k', entry);
      expect(await cache.get('k')).toBeDefined();
      await server.kill();
      const started = Date.now();
      expect(await cache.get('k')).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(1000);
      fx.enqueue({ text: 'still works' });
      const lm = openai({
        model: 'gpt-4o-mini',
        apiKey: 'k',
        baseURL: fx.url,
        cache: new TieredCache(new MemoryCache(), cache),
      });
      expect((await lm.complete({ messages })).choices[0]?.text).toBe('still works');
    } finally {
      await cache.close();
      await server.stop();
    }
  });
});
