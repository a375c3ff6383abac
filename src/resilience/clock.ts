/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time and timers, injected so tests advance simulated time instead of sleeping (STYLE habit 6).
 * `now()` is in milliseconds and must never go backwards.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const limiter = new MemoryRateLimiter({ bucket, clock });
 * await clock.advance(1_000);
 * ```
 */
export interface Clock {
  /** Current time in ms (monotonic). */
  now(): number;
  /** Runs `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a no-op for fired or unknown handles. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock. `now()` is `performance.timeOrigin + performance.now()`: epoch-like milliseconds
 * that, unlike `Date.now()`, never jump when the wall clock is adjusted.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
