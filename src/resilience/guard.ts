import type { CircuitBreaker, CircuitPermit } from './circuit-breaker.js';
import type { ConcurrencyLimiter, ReleaseSlot } from './concurrency-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { requireNumber } from './resilience-error.js';

/** The parts a {@link Guard} composes; each is optional. One instance of each serves every key. */
export interface GuardOptions {
  /** Circuit breaker per key. */
  readonly breaker?: CircuitBreaker;
  /** Concurrency limit per key. */
  readonly concurrency?: ConcurrencyLimiter;
  /** Requests bucket (cost 1 per call), e.g. `perMinuteBucket(rpm)`. */
  readonly requests?: RateLimiter;
  /** Tokens bucket (cost = LM tokens), e.g. `perMinuteBucket(tpm)`. */
  readonly tokens?: RateLimiter;
  /**
   * Told about failures of the after-call token settlement (e.g. Redis down during a refund). They
   * never fail the call, whose result is already known. Default: ignored.
   */
  readonly onSettleError?: (error: unknown, key: string) => void;
}

/** Options of one {@link Guard.run}. */
export interface GuardRunOptions {
  /** Aborts the waits (not the call itself: pass `ctx.signal` on to it). */
  readonly signal?: AbortSignal;
  /** Tokens to reserve before the call (prompt + expected completion). Default 0. */
  readonly estimatedTokens?: number;
  /** Overrides the rate limiters' `maxWaitMs` for this call. */
  readonly maxWaitMs?: number;
}

/** What the guarded function receives. */
export interface GuardCallContext {
  /** The caller's signal, to pass on to the call. */
  readonly signal: AbortSignal | undefined;
  /**
   * Reports the tokens the call actually used (from the LM's usage), before returning or throwing.
   * The guard settles the difference with the estimate: refunds the surplus, debits the shortfall.
   * Unreported, the estimate stands.
   */
  reportTokens(actual: number): void;
}

/**
 * Guards one call per key with, in this order:
 *
 * 1. **circuit check** — during an outage a call is refused before it holds a slot, spends budget or
 *    queues behind a dead provider; and a half-open circuit's probe permit is taken before queueing,
 *    so only `halfOpenMaxProbes` calls go through as probes;
 * 2. **concurrency slot** — waited for *before* any budget is taken, so budget is spent the moment a
 *    call can really go out: taking tokens first and then waiting for a slot would let admitted calls
 *    pile up and leave in one burst when slots free, above the rate the buckets meant;
 * 3. **request bucket** (cost 1), then **token bucket** (the estimate) — the request is taken first
 *    because it is tiny and fixed, so holding it during a long token wait wastes at most one
 *    request; if the token wait is refused or aborted the request is refunded;
 * 4. **circuit re-check** — if the circuit changed state while this call was queued, the permit is
 *    renewed (and refused if it is now open), so queued calls do not pour into a fresh outage;
 * 5. **the call**;
 * 6. **token settlement** with the tokens the call reported (refund or debit the difference);
 * 7. **breaker outcome** (success, counted failure, or neutral), recorded *before* the slot is
 *    released so the next call sees the updated circuit.
 *
 * Errors of the guard itself (`circuit_open`, `rate_limit_*`, `aborted`) never count as failures of
 * the service, and they return whatever was taken before them.
 *
 * @example
 * ```ts
 * const guard = new Guard({ breaker, concurrency, requests: rpm, tokens: tpm });
 * const res = await guard.run('openai:gpt-4o-mini', async (ctx) => {
 *   const r = await lm.complete(request, { signal: ctx.signal });
 *   ctx.reportTokens(r.usage.totalTokens);
 *   return r;
 * }, { estimatedTokens: 1_200, signal });
 * ```
 */
export class Guard {
  constructor(private readonly parts: GuardOptions) {}

  run<T>(
    key: string,
    fn: (ctx: GuardCallContext) => Promise<T>,
    options: GuardRunOptions = {},
  ): Promise<T> {
    const { breaker, concurrency, requests, tokens } = this.parts;
    // No rate limits and a free slot (the common case on a node): no waits, so no async frame.
    if (requests === undefined && tokens === undefined && options.signal?.aborted !== true) {
      let permit: CircuitPermit | undefined;
      let release: ReleaseSlot | undefined;
      try {
        requireNumber('estimatedTokens', options.estimatedTokens ?? 0, 0);
        permit = breaker?.enter(key);
        release = concurrency?.tryAcquire(key);
      } catch (e) {
        permit?.release();
        return Promise.reject(e);
      }
      if (release !== undefined || concurrency === undefined)
        return this.runHolding(fn, options.signal, permit, release);
      permit?.release();
    }
    return this.runWaiting(key, fn, options);
  }

  /** {@link Guard.run} once its permit and slot are held: `fn`, then the breaker's verdict. */
  private runHolding<T>(
    fn: (ctx: GuardCallContext) => Promise<T>,
    signal: AbortSignal | undefined,
    permit: CircuitPermit | undefined,
    release: ReleaseSlot | undefined,
  ): Promise<T> {
    const ctx: GuardCallContext = {
      signal,
      // No token limiter here: the count is checked and has nothing to settle.
      reportTokens: (n) => requireNumber('actual tokens', n, 0),
    };
    let running: Promise<T>;
    try {
      running = fn(ctx);
    } catch (e) {
      running = Promise.reject(e);
    }
    return running.then(
      (result) => {
        permit?.success();
        release?.();
        return result;
      },
      (e: unknown) => {
        permit?.failure(e);
        release?.();
        throw e;
      },
    );
  }

  private async runWaiting<T>(
    key: string,
    fn: (ctx: GuardCallContext) => Promise<T>,
    options: GuardRunOptions,
  ): Promise<T> {
    const { breaker, concurrency, requests, tokens } = this.parts;
    const estimate = options.estimatedTokens ?? 0;
    requireNumber('estimatedTokens', estimate, 0);
    const wait = {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.maxWaitMs !== undefined ? { maxWaitMs: options.maxWaitMs } : {}),
    };

    let permit: CircuitPermit | undefined = breaker?.enter(key);
    let release: ReleaseSlot | undefined;
    let requestTaken = false;
    let tokensTaken = 0;
    try {
      release = await concurrency?.acquire(key, wait);
      if (requests !== undefined) {
        await requests.acquire(key, 1, wait);
        requestTaken = true;
      }
      if (tokens !== undefined && estimate > 0) {
        await tokens.acquire(key, estimate, wait);
        tokensTaken = estimate;
      }
      if (permit !== undefined && breaker !== undefined && !permit.current) {
        permit.release();
        permit = undefined;
        permit = breaker.enter(key);
      }
    } catch (e) {
      if (requestTaken) await this.settle(key, requests, -1);
      if (tokensTaken > 0) await this.settle(key, tokens, -tokensTaken);
      permit?.release();
      release?.();
      throw e;
    }

    let actual: number | undefined;
    const ctx: GuardCallContext = {
      signal: options.signal,
      reportTokens: (n) => {
        requireNumber('actual tokens', n, 0);
        actual = n;
      },
    };
    try {
      const result = await fn(ctx);
      if (actual !== undefined) await this.settle(key, tokens, actual - tokensTaken);
      permit?.success();
      return result;
    } catch (e) {
      if (actual !== undefined) await this.settle(key, tokens, actual - tokensTaken);
      permit?.failure(e);
      throw e;
    } finally {
      release?.();
    }
  }

  /** Moves `delta` cost: positive debits the bucket, negative refunds it. */
  private async settle(
    key: string,
    limiter: RateLimiter | undefined,
    delta: number,
  ): Promise<void> {
    if (limiter === undefined || delta === 0) return;
    try {
      if (delta > 0) await limiter.debit?.(key, delta);
      else await limiter.refund?.(key, -delta);
    } catch (e) {
      this.parts.onSettleError?.(e, key);
    }
  }
}
