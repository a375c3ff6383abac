/**
 * The kernel's only source of time. Injected everywhere (supervisor intensity windows, shutdown
 * timeouts, call timeouts, xstate delayed events) so tests can run on a {@link FakeClock}.
 * The shape of `setTimeout`/`clearTimeout` matches xstate's `Clock`, so the same object is
 * passed to `createActor(logic, { clock })`.
 */
export interface Clock {
  /** Wall-ish time in milliseconds (used for `startedAt`). */
  now(): number;
  /** Whole seconds of monotonic time, like `erlang:monotonic_time(1)` (floor). */
  monotonicSeconds(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The production clock: `Date.now`, `performance.now` and Node timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  monotonicSeconds: () => Math.floor(performance.now() / 1000),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface FakeTimer {
  readonly seq: number;
  readonly due: number;
  readonly fn: () => void;
}

/** Lets every pending promise continuation run (one macrotask turn). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A manual clock for tests: time moves only through {@link FakeClock.advance} or
 * {@link FakeClock.settle}. Timers due at the same instant run in creation order.
 *
 * @example
 * ```ts
 * const clock = new FakeClock(1_000_000); // start at a whole second
 * const kernel = createKernel({ clock });
 * ...
 * await clock.settle(); // run until nothing is left but future timers nobody waits for
 * ```
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(startMs = 1_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  monotonicSeconds(): number {
    return Math.floor(this.current / 1000);
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: FakeTimer = { seq: this.seq++, due: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  /** Number of timers not yet run. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Runs the earliest pending timer (moving time to its due instant). False if none. */
  runNext(): boolean {
    const next = this.timers.shift();
    if (next === undefined) return false;
    if (next.due > this.current) this.current = next.due;
    next.fn();
    return true;
  }

  /**
   * Advances time by `ms`, running every timer that falls due on the way (each at its own
   * instant) and letting the work it triggers finish before the next one.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.timers[0];
      if (next === undefined || next.due > target) break;
      this.runNext();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /**
   * Runs the system until it is quiet: flushes pending continuations, and while timers are
   * pending (a supervisor waiting for a shutdown timeout, a call timeout…) jumps to the next one.
   * Stops after `maxTimers` timers to guard against self-rescheduling loops.
   */
  async settle(maxTimers = 10_000): Promise<void> {
    await flushMicrotasks();
    for (let i = 0; i < maxTimers; i++) {
      if (!this.runNext()) return;
      await flushMicrotasks();
    }
  }
}
