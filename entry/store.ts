/**
 * `dspex/store`: the runtime's records (programs and their versions, executions, datasets,
 * evaluations, optimization runs) over Redis or memory.
 *
 * @example
 * ```ts
 * import { MemoryStore } from 'dspex/store';
 * const store = new MemoryStore();
 * ```
 */
export * from '../src/store/index.js';
