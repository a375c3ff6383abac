import { BackedStore } from './backed-store.js';
import { MemoryBackend } from './memory-backend.js';
import type { StoreOptions } from './store-options.js';

/**
 * The in-process {@link Store} of embedded mode (no Redis configured). Same behaviour as
 * `RedisStore` (one conformance suite): records are kept as JSON, so returned values are copies and
 * anything that is not JSON is rejected. Data lives as long as the instance.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * const { execution } = await store.executions.recordOnce('job-1', { program: 'qa', inputs: { question: 'Why?' } });
 * ```
 */
export class MemoryStore extends BackedStore {
  constructor(options: StoreOptions = {}) {
    super(new MemoryBackend(), options);
  }
}
