import { abortedError, requireNumber } from './resilience-error.js';

/** Gives a concurrency slot back. Idempotent: a second call does nothing. */
export type ReleaseSlot = () => void;

/** Options of {@link ConcurrencyLimiter}. */
export interface ConcurrencyLimiterOptions {
  /** Calls allowed in flight at once, for every key or per key. */
  readonly limit: number | ((key: string) => number);
}

/** One key's counts, as returned by {@link ConcurrencyLimiter.snapshot}. */
export interface ConcurrencySnapshot {
  readonly key: string;
  readonly limit: number;
  readonly inFlight: number;
  readonly queued: number;
}

interface SlotWaiter {
  readonly grant: (release: ReleaseSlot) => void;
  readonly cleanup: () => void;
}

interface Slots {
  readonly limit: number;
  inFlight: number;
  readonly waiters: SlotWaiter[];
}

/**
 * A semaphore per key: at most `limit` holders at once, the rest wait first-in first-out. A waiter
 * whose signal aborts leaves the queue and rejects with code `aborted`.
 *
 * @example
 * ```ts
 * const pool = new ConcurrencyLimiter({ limit: 8 });
 * const answer = await pool.run('openai:gpt-4o-mini', () => lm.complete(request), { signal });
 * ```
 */
export class ConcurrencyLimiter {
  private readonly slots = new Map<string, Slots>();

  constructor(private readonly options: ConcurrencyLimiterOptions) {
    if (typeof options.limit === 'number') requireNumber('limit', options.limit, 1);
  }

  /** Waits for a slot of `key`; resolves with its release function. */
  acquire(key: string, options: { signal?: AbortSignal } = {}): Promise<ReleaseSlot> {
    const { signal } = options;
    let slots: Slots;
    try {
      slots = this.slotsOf(key);
      if (signal?.aborted) throw abortedError(key, signal);
    } catch (e) {
      return Promise.reject(e);
    }
    if (slots.inFlight < slots.limit && slots.waiters.length === 0) {
      slots.inFlight += 1;
      return Promise.resolve(this.releaser(key, slots));
    }
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const onAbort = (): void => {
        const i = slots.waiters.indexOf(waiter);
        if (i >= 0) slots.waiters.splice(i, 1);
        this.forgetIfIdle(key, slots);
        if (signal !== undefined) reject(abortedError(key, signal));
      };
      const waiter: SlotWaiter = {
        grant: resolve,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      slots.waiters.push(waiter);
    });
  }

  /**
   * A slot of `key` at once, or `undefined` when it would have to wait (then use
   * {@link ConcurrencyLimiter.acquire}): the same grant as `acquire` without a promise.
   */
  tryAcquire(key: string): ReleaseSlot | undefined {
    const slots = this.slotsOf(key);
    if (slots.inFlight >= slots.limit || slots.waiters.length > 0) return undefined;
    slots.inFlight += 1;
    return this.releaser(key, slots);
  }

  /** Runs `fn` holding a slot of `key`; the slot is released however `fn` ends. */
  async run<T>(
    key: string,
    fn: () => Promise<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const release = await this.acquire(key, options);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Calls of `key` holding a slot now. */
  inFlight(key: string): number {
    return this.slots.get(key)?.inFlight ?? 0;
  }

  /** Calls of `key` waiting for a slot. */
  queued(key: string): number {
    return this.slots.get(key)?.waiters.length ?? 0;
  }

  /** Counts of every key with calls in flight or queued, sorted by key. */
  snapshot(): ConcurrencySnapshot[] {
    return [...this.slots.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, s]) => ({ key, limit: s.limit, inFlight: s.inFlight, queued: s.waiters.length }));
  }

  private releaser(key: string, slots: Slots): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slots.waiters.shift();
      if (next === undefined) {
        slots.inFlight -= 1;
        this.forgetIfIdle(key, slots);
        return;
      }
      // Hand the slot straight to the next waiter: inFlight stays the same, nobody can barge in.
      next.cleanup();
      next.grant(this.releaser(key, slots));
    };
  }

  private slotsOf(key: string): Slots {
    let slots = this.slots.get(key);
    if (slots === undefined) {
      const limit =
        typeof this.options.limit === 'function' ? this.options.limit(key) : this.options.limit;
      requireNumber('limit', limit, 1);
      slots = { limit, inFlight: 0, waiters: [] };
      this.slots.set(key, slots);
    }
    return slots;
  }

  private forgetIfIdle(key: string, slots: Slots): void {
    if (slots.inFlight === 0 && slots.waiters.length === 0 && this.slots.get(key) === slots) {
      this.slots.delete(key);
    }
  }
}
