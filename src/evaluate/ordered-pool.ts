/** The outcome of one task: its value or the error it threw. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Options of {@link OrderedPool}. */
export interface OrderedPoolOptions<R> {
  /** Tasks running at once (≥ 1). */
  concurrency: number;
  /**
   * How far ahead of the consumer tasks may start: task `i` starts only once results before
   * `i - window` were consumed. `Infinity` (default) runs everything; a window of `concurrency`
   * bounds the speculative work wasted when the consumer stops early (bootstrapping).
   */
  window?: number;
  /** Called as each task settles, in completion order (progress bars, error budgets). */
  onSettled?: (index: number, outcome: Outcome<R>) => void;
}

/**
 * A small bounded async pool whose results are consumed in input order. The consumer iterates
 * {@link OrderedPool.results} and may stop at any point (`break` or {@link OrderedPool.stop}); no
 * task starts after that, and {@link OrderedPool.drain} waits for the ones still running so no work
 * outlives the caller. Running N at once therefore gives exactly the sequential results, at the
 * cost of at most `window` tasks computed speculatively past the stopping point.
 *
 * Shared by Evaluate and the optimizers; deliberately not exported from the folder's index.
 */
export class OrderedPool<R> {
  private readonly outcomes = new Map<number, Outcome<R>>();
  private readonly running = new Set<Promise<void>>();
  private nextToStart = 0;
  private consumed = 0;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly count: number,
    private readonly task: (index: number) => Promise<R>,
    private readonly options: OrderedPoolOptions<R>,
  ) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1, got ${options.concurrency}`);
    }
  }

  /** No task starts after this; results already settled can still be consumed. */
  stop(): void {
    this.stopped = true;
    this.notify();
  }

  /** Whether {@link OrderedPool.stop} was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Waits until every started task has settled. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Results in input order; ends after the last task, or at the first never-started one once stopped. */
  async *results(): AsyncGenerator<[number, Outcome<R>]> {
    try {
      while (this.consumed < this.count) {
        this.fill();
        const index = this.consumed;
        const outcome = this.outcomes.get(index);
        if (outcome !== undefined) {
          this.outcomes.delete(index);
          this.consumed++;
          yield [index, outcome];
          continue;
        }
        if (index >= this.nextToStart && (this.stopped || this.running.size === 0)) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      // `break` in the consumer lands here: start nothing more.
      this.stopped = true;
    }
  }

  private fill(): void {
    const window = this.options.window ?? Infinity;
    while (
      !this.stopped &&
      this.nextToStart < this.count &&
      this.running.size < this.options.concurrency &&
      this.nextToStart < this.consumed + window
    ) {
      this.start(this.nextToStart++);
    }
  }

  private start(index: number): void {
    const settle = async (): Promise<void> => {
      let outcome: Outcome<R>;
      try {
        // Deferred a microtask so a synchronous throw is still an outcome, never a crash of the pool.
        outcome = { ok: true, value: await Promise.resolve().then(() => this.task(index)) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      this.outcomes.set(index, outcome);
      this.running.delete(running);
      this.options.onSettled?.(index, outcome);
      this.fill();
      this.notify();
    };
    const running = settle();
    this.running.add(running);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
