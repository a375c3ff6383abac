/**
 * The one source of time of the runtime (kernel, resilience, transport, store, job handlers):
 * injected everywhere so tests run on a {@link FakeClock} instead of sleeping (STYLE habit 6).
 * The shape of `setTimeout`/`clearTimeout` matches xstate's `Clock`, so the same object is passed
 * to `createActor(logic, { clock })`.
 */
export interface Clock {
  /** Epoch-like milliseconds that never go backwards. */
  now(): number;
  /** Whole seconds of monotonic time, like `erlang:monotonic_time(1)` (floor). */
  monotonicSeconds(): number;
  /** Runs `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a no-op for fired or unknown handles. */
  clearTimeout(handle: TimerHandle): void;
}

/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** What a component that only reads the time and sets timers needs of a {@link Clock}. */
export type TimerClock = Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;

let lastNow = 0;

/**
 * The production clock. `now()` is `Date.now()` (timestamps shared with other nodes and Redis
 * stay comparable) but never goes backwards when the wall clock is stepped back: it holds the
 * last value until the wall clock catches up, so rate buckets and backoffs never see negative time.
 */
export const systemClock: Clock = {
  now: () => (lastNow = Math.max(lastNow, Date.now())),
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

  constructor(startMs = 0) {
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
