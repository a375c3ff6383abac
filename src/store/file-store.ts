import { BackedStore } from './backed-store.js';
import { FileBackend } from './file-backend.js';
import type { StoreOptions } from './store-options.js';

/** Options of {@link FileStore}. */
export interface FileStoreOptions extends StoreOptions {
  /** The JSON file the records live in (created on the first write, with its folder). */
  path: string;
}

/**
 * A {@link Store} in one JSON file: embedded mode's records that must outlive a command, such as
 * the datasets `dspex datasets add` stores in `.dspex/store.json` for `dspex eval --dataset` to
 * read later. Same behaviour as `MemoryStore` and `RedisStore` (one conformance suite); writes
 * from several processes are serialized by a lock beside the file. For small stores: each write
 * rewrites the file, so use Redis for a cluster or for large data.
 *
 * @example
 * ```ts
 * const store = new FileStore({ path: '.dspex/store.json' });
 * await store.datasets.add({ name: 'qa', examples: [{ question: 'Why?', answer: 'Because.' }] });
 * ```
 */
export class FileStore extends BackedStore {
  constructor(options: FileStoreOptions) {
    const { path, ...storeOptions } = options;
    super(new FileBackend(path), storeOptions);
  }
}
