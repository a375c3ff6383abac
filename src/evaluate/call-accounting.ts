import {
  UsageTracker,
  currentContext,
  runWithContext,
  type Callback,
  type UsageTotals,
} from '../context/index.js';

/** LM calls and usage observed in one scope (an evaluation, an optimizer run). */
export interface CallStats {
  /** Every LM call started in the scope, cache hits included (counted from `onLmStart`). */
  lmCalls: number;
  /** Calls answered from the response cache (no usage, no provider request). */
  cachedCalls: number;
  /** Calls that ended with an error. */
  failedCalls: number;
  /** Token and cost totals per model, from a UsageTracker scope (cache hits add nothing). */
  usage: Record<string, UsageTotals>;
}

/**
 * Counts LM calls (via a callback) and usage (via a UsageTracker) for everything `fn` does, in
 * its own AsyncLocalStorage scope: concurrent scopes never count each other's calls. The caller's
 * callbacks stay active.
 */
export class CallAccounting {
  private calls = 0;
  private cached = 0;
  private failed = 0;
  private readonly tracker = new UsageTracker();
  private readonly counter: Callback = {
    onLmStart: () => {
      this.calls++;
    },
    onLmEnd: (_id, outputs, error) => {
      if (error !== undefined && error !== null) this.failed++;
      else if ((outputs as { cached?: unknown } | null)?.cached === true) this.cached++;
    },
  };

  /** Runs `fn` inside the counting scope. */
  run<T>(fn: () => T): T {
    return runWithContext(
      { callbacks: [...currentContext().callbacks, this.counter], usageTrackers: [this.tracker] },
      fn,
    );
  }

  /** A snapshot of the counts so far. */
  stats(): CallStats {
    return {
      lmCalls: this.calls,
      cachedCalls: this.cached,
      failedCalls: this.failed,
      usage: this.tracker.perModel(),
    };
  }
}
