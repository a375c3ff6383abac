import { Redis, type RedisOptions } from 'ioredis';
import { BackedStore } from './backed-store.js';
import { RedisBackend } from './redis-backend.js';
import type { StoreOptions } from './store-options.js';

/** Default key prefix of {@link RedisStore}. */
export const DEFAULT_REDIS_STORE_PREFIX = 'dspex:store';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions extends StoreOptions {
  /**
   * The connection: an ioredis client (shared; `close()` leaves it open), or a URL / ioredis options
   * for a client the store creates and `close()` quits. Default: `redis://127.0.0.1:6379`.
   */
  redis?: Redis | string | RedisOptions;
  /** Namespace of every key the store writes. Default `dspex:store`; use one per deployment (or test). */
  prefix?: string;
}

/**
 * The {@link Store} shared by every node of a cluster, on Redis. Each record is a hash
 * `<prefix>:<kind>:<id>` holding its JSON and revision; list indexes (all, by status, by program, by
 * program and status; for executions only the last two, the others read as their union) are sorted
 * sets under `<prefix>:idx:`. Creates, `recordOnce` and updates are
 * single Lua scripts, so check-and-write is atomic across nodes; updates are compare-and-set on the
 * revision (see `WriteOptions`).
 *
 * @example
 * ```ts
 * const store = new RedisStore({ redis: process.env.DSPEX_REDIS_URL, prefix: 'dspex:store' });
 * await store.optimizationRuns.saveCheckpoint(runId, state);
 * await store.close();
 * ```
 */
export class RedisStore extends BackedStore {
  constructor(options: RedisStoreOptions = {}) {
    const { redis, prefix = DEFAULT_REDIS_STORE_PREFIX, ...storeOptions } = options;
    const owned = !(redis instanceof Redis);
    // A client of its own auto-pipelines: the commands concurrent executions issue in the same
    // tick leave in one socket write (a write syscall per command was the store's main cost).
    const client =
      redis instanceof Redis
        ? redis
        : typeof redis === 'string'
          ? new Redis(redis, { enableAutoPipelining: true })
          : new Redis({ host: '127.0.0.1', port: 6379, enableAutoPipelining: true, ...redis });
    // ioredis prints unhandled 'error' events; failed commands already surface as `unavailable`.
    if (owned) client.on('error', () => {});
    super(new RedisBackend(client, prefix, owned), storeOptions);
  }
}
