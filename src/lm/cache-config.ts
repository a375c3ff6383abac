import { MemoryCache } from './memory-cache.js';
import { RedisCache, type RedisCacheOptions } from './redis-cache.js';
import type { ResponseCache } from './response-cache.js';
import { TieredCache } from './tiered-cache.js';

/** Options of {@link configureCache} (DSPy's `dspy.configure_cache`). */
export interface CacheConfig {
  /** Turn the process-wide cache off entirely (default on). */
  enabled?: boolean;
  /** Memory LRU size in entries (default 10 000). */
  memoryMaxEntries?: number;
  /** Adds a Redis layer shared across processes. */
  redis?: RedisCacheOptions;
}

let defaultCache: ResponseCache | null = new MemoryCache();
let ownedRedis: RedisCache | null = null;

/**
 * The process-wide response cache that LMs use unless given their own `cache` option; `null` when
 * disabled. Looked up per call, so `configureCache` applies to LMs created before it.
 */
export function getDefaultCache(): ResponseCache | null {
  return defaultCache;
}

/**
 * Replaces the process-wide response cache. Closes a Redis client a previous call created.
 *
 * @example
 * ```ts
 * configureCache({ memoryMaxEntries: 50_000, redis: { url: process.env.REDIS_URL!, ttlSeconds: 7 * 86400 } });
 * configureCache({ enabled: false }); // no caching at all
 * ```
 */
export async function configureCache(config: CacheConfig = {}): Promise<void> {
  if (ownedRedis !== null) {
    await ownedRedis.close();
    ownedRedis = null;
  }
  if (config.enabled === false) {
    defaultCache = null;
    return;
  }
  const memory = new MemoryCache(
    config.memoryMaxEntries === undefined ? {} : { maxEntries: config.memoryMaxEntries },
  );
  if (config.redis === undefined) {
    defaultCache = memory;
    return;
  }
  const redis = new RedisCache(config.redis);
  if (config.redis.client === undefined) ownedRedis = redis;
  defaultCache = new TieredCache(memory, redis);
}
