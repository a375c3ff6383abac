/** Default `maxWaitMs` of both limiters: one minute, a full refill of a per-minute bucket. */
export const DEFAULT_MAX_WAIT_MS = 60_000;

/** Options of {@link RateLimiter.acquire}. */
export interface AcquireOptions {
  /** Aborts the wait: the promise rejects with code `aborted` and nothing is taken. */
  readonly signal?: AbortSignal;
  /** Overrides the limiter's `maxWaitMs` for this call. */
  readonly maxWaitMs?: number;
}

/** Result of {@link RateLimiter.tryAcquire}: taken, or refused with the time until it could pass. */
export type TryAcquireResult =
  { readonly ok: true } | { readonly ok: false; readonly retryInMs: number };

/**
 * Token-bucket rate limiting of "keys" (e.g. `openai:gpt-4o-mini`) with costs (1 request, N
 * tokens). Two implementations pass one conformance suite: {@link MemoryRateLimiter} (one process)
 * and {@link RedisRateLimiter} (one budget shared by every node).
 *
 * @example
 * ```ts
 * await rpm.acquire('openai:gpt-4o-mini', 1, { signal });
 * await tpm.acquire('openai:gpt-4o-mini', estimatedTokens, { signal });
 * ```
 */
export interface RateLimiter {
  /**
   * Resolves once the key's bucket has admitted `cost` (taking it). Waiters of one key are served
   * first-in first-out, so a large cost is never overtaken forever by small ones. Rejects with
   * `RateLimitError` `rate_limit_wait_exceeded` when the wait would exceed `maxWaitMs`,
   * `rate_limit_cost_exceeds_capacity` when the cost can never fit, and code `aborted` on the signal.
   */
  acquire(key: string, cost: number, options?: AcquireOptions): Promise<void>;
  /** Takes `cost` now if the bucket allows it and nobody is queued ahead; never waits. */
  tryAcquire(key: string, cost: number): TryAcquireResult | Promise<TryAcquireResult>;
  /** Returns unused cost (capped at capacity), e.g. when the actual LM tokens were fewer. */
  refund?(key: string, cost: number): void | Promise<void>;
  /**
   * Takes `cost` unconditionally, letting the bucket go negative (a debt later callers wait out):
   * for settling a call that used more than its estimate.
   */
  debit?(key: string, cost: number): void | Promise<void>;
}
