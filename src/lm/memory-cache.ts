import type { CachedCompletion, ResponseCache } from './response-cache.js';

/** Options of {@link MemoryCache}. */
export interface MemoryCacheOptions {
  /** Maximum number of entries before the least recently used is evicted (default 10 000). */
  maxEntries?: number;
}

/**
 * In-process LRU layer. A `Map` keeps insertion order, so re-inserting on every hit makes the first
 * key the least recently used: O(1) get, set and eviction.
 *
 * @example
 * ```ts
 * const lm = openai({ model: 'gpt-4o-mini', cache: new MemoryCache({ maxEntries: 1000 }) });
 * ```
 */
export class MemoryCache implements ResponseCache {
  private readonly entries = new Map<string, CachedCompletion>();
  readonly maxEntries: number;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }

  getSync(key: string): CachedCompletion | undefined {
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, v);
    return v;
  }

  setSync(key: string, value: CachedCompletion): void {
    if (this.entries.has(key)) this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  get(key: string): Promise<CachedCompletion | undefined> {
    return Promise.resolve(this.getSync(key));
  }

  set(key: string, value: CachedCompletion): Promise<void> {
    this.setSync(key, value);
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }
}
