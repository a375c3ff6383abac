import { Redis } from 'ioredis';
import type { CachedCompletion, ResponseCache } from './response-cache.js';

/** Options of {@link RedisCache}. Give either `client` (shared, not closed by us) or `url`. */
export interface RedisCacheOptions {
  /** An ioredis client to use; the cache never closes it. */
  client?: Redis;
  /** Connection URL; the cache creates and owns its client (closed by {@link RedisCache.close}). */
  url?: string;
  /** Key prefix (default `dspex:lmcache:`); use one per deployment or test. */
  prefix?: string;
  /** Entry lifetime in seconds (default: none, entries live until evicted by Redis). */
  ttlSeconds?: number;
  /** A Redis command slower than this (default 500 ms) counts as a miss, so a sick Redis never stalls calls. */
  operationTimeoutMs?: number;
}

function isCachedCompletion(v: unknown): v is CachedCompletion {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return Array.isArray(o['choices']) && typeof o['model'] === 'string';
}

/**
 * Redis layer of the response cache, shared by every process pointing at the same Redis and
 * prefix. Values are JSON; failures and timeouts are misses (a cache never fails a call).
 *
 * @example
 * ```ts
 * configureCache({ redis: { url: 'redis://127.0.0.1:6379', prefix: 'myapp:lm:', ttlSeconds: 86400 } });
 * ```
 */
export class RedisCache implements ResponseCache {
  readonly prefix: string;
  private readonly client: Redis;
  private readonly owned: boolean;
  private readonly ttlSeconds: number | undefined;
  private readonly opTimeoutMs: number;

  constructor(options: RedisCacheOptions) {
    if (options.client !== undefined) {
      this.client = options.client;
      this.owned = false;
    } else if (options.url !== undefined) {
      // Commands queue while (re)connecting, but fail after one reconnection attempt, so a dead
      // Redis cannot grow the queue; `bounded` caps how long any call waits for them.
      this.client = new Redis(options.url, { maxRetriesPerRequest: 1 });
      this.client.on('error', () => {
        // Connection errors surface as failed commands (misses); the client reconnects by itself.
      });
      this.owned = true;
    } else {
      throw new TypeError('RedisCache needs `client` or `url`');
    }
    this.prefix = options.prefix ?? 'dspex:lmcache:';
    this.ttlSeconds = options.ttlSeconds;
    this.opTimeoutMs = options.operationTimeoutMs ?? 500;
  }

  private bounded<T>(p: Promise<T>): Promise<T | undefined> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(undefined), this.opTimeoutMs);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        () => {
          clearTimeout(t);
          resolve(undefined);
        },
      );
    });
  }

  async get(key: string): Promise<CachedCompletion | undefined> {
    const raw = await this.bounded(this.client.get(this.prefix + key));
    if (raw === undefined || raw === null) return undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      return isCachedCompletion(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: CachedCompletion): Promise<void> {
    const body = JSON.stringify({ choices: value.choices, model: value.model });
    const k = this.prefix + key;
    await this.bounded(
      this.ttlSeconds !== undefined
        ? this.client.set(k, body, 'EX', this.ttlSeconds)
        : this.client.set(k, body),
    );
  }

  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const res = await this.bounded(
        this.client.scan(cursor, 'MATCH', this.prefix + '*', 'COUNT', 500),
      );
      if (res === undefined) return;
      cursor = res[0];
      if (res[1].length > 0) await this.bounded(this.client.del(...res[1]));
    } while (cursor !== '0');
  }

  /** Closes the client if this cache created it. */
  async close(): Promise<void> {
    if (this.owned) await this.client.quit().catch(() => this.client.disconnect());
  }
}
