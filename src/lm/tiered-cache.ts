import type { MemoryCache } from './memory-cache.js';
import type { CachedCompletion, ResponseCache } from './response-cache.js';

/**
 * Two-level cache (DSPy's memory + disk, with Redis as the shared level): lookups try memory, then
 * the remote layer, back-filling memory on a remote hit; writes go to both.
 */
export class TieredCache implements ResponseCache {
  constructor(
    readonly memory: MemoryCache,
    readonly remote: ResponseCache,
  ) {}

  async get(key: string): Promise<CachedCompletion | undefined> {
    const local = this.memory.getSync(key);
    if (local !== undefined) return local;
    const remote = await this.remote.get(key);
    if (remote !== undefined) this.memory.setSync(key, remote);
    return remote;
  }

  async set(key: string, value: CachedCompletion): Promise<void> {
    this.memory.setSync(key, value);
    await this.remote.set(key, value);
  }

  async clear(): Promise<void> {
    await this.memory.clear();
    await this.remote.clear();
  }
}
