import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One async-context store for the whole process (issue 8). Each AsyncLocalStorage instance makes
 * Node copy its value onto every promise and callback created while it is enabled, so two stores
 * (the kernel's fault scope and the framework's invocation context) cost every promise of a job
 * twice. Both keep their value in a slot of this one store instead: a slot behaves as its own
 * AsyncLocalStorage (its value is inherited by everything started inside {@link ScopeSlot.run},
 * and other slots keep theirs), but the store's value is one small array per scope.
 */
const storage = new AsyncLocalStorage<readonly unknown[]>();
let slotCount = 0;

/** One value carried through async scopes, as an AsyncLocalStorage of its own would carry it. */
export interface ScopeSlot<T> {
  /** The value of the innermost {@link ScopeSlot.run} around this code, or `undefined`. */
  get(): T | undefined;
  /**
   * Runs `fn` with this slot set to `value` for its whole async extent (other slots unchanged);
   * returns what `fn` returns.
   */
  run<R>(value: T, fn: () => R): R;
}

/**
 * A new slot of the process's one async-context store. Call once per kind of value, at module
 * load (each call takes a slot for the life of the process).
 *
 * @example
 * ```ts
 * const requestId = scopeSlot<string>();
 * await requestId.run('r-1', async () => {
 *   await somethingAsync();
 *   requestId.get(); // 'r-1'
 * });
 * ```
 */
export function scopeSlot<T>(): ScopeSlot<T> {
  const index = slotCount++;
  return {
    get: () => storage.getStore()?.[index] as T | undefined,
    run: (value, fn) => {
      const current = storage.getStore();
      const next = current === undefined ? [] : current.slice();
      next[index] = value;
      return storage.run(next, fn);
    },
  };
}
