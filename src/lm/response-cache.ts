import type { LMChoice } from './types.js';

/**
 * What a cache stores: the choices and the model that answered. Usage and latency are not stored
 * because a hit costs nothing (DESIGN §3: hits carry `usage: null`), and `raw` is dropped to keep
 * entries small and JSON-safe.
 */
export interface CachedCompletion {
  choices: LMChoice[];
  model: string;
}

/**
 * A response cache layer. Implementations: {@link MemoryCache} (LRU), {@link RedisCache},
 * {@link TieredCache} (memory then Redis). A cache never fails a call: implementations swallow
 * their own backend errors and report a miss.
 */
export interface ResponseCache {
  get(key: string): Promise<CachedCompletion | undefined>;
  set(key: string, value: CachedCompletion): Promise<void>;
  /** Removes every entry this cache owns (Redis: only keys under its prefix). */
  clear(): Promise<void>;
}
