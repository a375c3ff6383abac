import { nanoid } from 'nanoid';
import { systemClock, type Clock } from '../time/index.js';

/**
 * Source of "now" for record timestamps (milliseconds since the Unix epoch): the runtime's one
 * {@link Clock} (src/time), of which the store reads only `now`.
 */
export type StoreClock = Pick<Clock, 'now'>;

/**
 * Options shared by every {@link Store} implementation.
 *
 * @example
 * ```ts
 * let t = Date.UTC(2026, 0, 1);
 * let n = 0;
 * const store = new MemoryStore({ clock: { now: () => t }, generateId: () => `id-${++n}` });
 * ```
 */
export interface StoreOptions {
  /** Clock for `createdAt`, `updatedAt`, `startedAt`, … Default: `Date.now`. */
  clock?: StoreClock;
  /** Id of new executions and runs created without one. Default: `nanoid()` (21 URL-safe chars). */
  generateId?: () => string;
  /**
   * How many times a write without `ifRevision` is re-read and retried when another writer got in
   * first, before failing with `stale_revision`. Default 100 (each retry means another writer landed).
   */
  maxWriteAttempts?: number;
  /**
   * Seconds an execution record (and its job-id alias) lives after it reaches a final status
   * (`succeeded` / `failed`); 0 or absent keeps it for ever. Applied by backends that can expire
   * keys (Redis); list indexes drop the member lazily (an expired record is skipped when listed).
   */
  executionTtlSeconds?: number;
}

/** {@link StoreOptions} with defaults applied. @internal */
export interface ResolvedStoreOptions {
  clock: StoreClock;
  generateId: () => string;
  maxWriteAttempts: number;
  executionTtlSeconds: number;
}

/** Defaults of {@link StoreOptions}, declared once. */
export const STORE_DEFAULTS = {
  maxWriteAttempts: 100,
  pageLimit: 50,
  maxPageLimit: 1000,
} as const;

/** @internal */
export function resolveStoreOptions(options: StoreOptions = {}): ResolvedStoreOptions {
  return {
    clock: options.clock ?? systemClock,
    generateId: options.generateId ?? (() => nanoid()),
    maxWriteAttempts: options.maxWriteAttempts ?? STORE_DEFAULTS.maxWriteAttempts,
    executionTtlSeconds: options.executionTtlSeconds ?? 0,
  };
}
