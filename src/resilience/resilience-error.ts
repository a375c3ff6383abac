import { DspexError } from '../errors/dspex-error.js';

/**
 * Stable codes of `src/resilience` failures (a closed union: callers branch on these, never on text).
 *
 * - `rate_limit_wait_exceeded`: the bucket would admit the call only after `maxWaitMs`; retryable,
 *   `details.retryAfterMs` estimates when it could pass.
 * - `rate_limit_cost_exceeds_capacity`: the cost is larger than the bucket's capacity, so no wait
 *   could ever admit it; not retryable.
 * - `circuit_open`: the key's circuit is open (or half-open with every probe slot taken); retryable,
 *   `details.retryAfterMs` is the time until it half-opens.
 * - `aborted`: the caller's `AbortSignal` fired while waiting; never retried. `cause` is the reason.
 * - `invalid_argument`: a bad cost, limit or configuration; `details` names the offending value.
 * - `limiter_unavailable`: the shared backend (Redis) did not answer; retryable. The limiter fails
 *   closed: a call is never admitted without the shared budget agreeing.
 */
export type ResilienceErrorCode =
  | 'rate_limit_wait_exceeded'
  | 'rate_limit_cost_exceeds_capacity'
  | 'circuit_open'
  | 'aborted'
  | 'invalid_argument'
  | 'limiter_unavailable';

const RETRYABLE: Readonly<Record<ResilienceErrorCode, boolean>> = {
  rate_limit_wait_exceeded: true,
  rate_limit_cost_exceeds_capacity: false,
  circuit_open: true,
  aborted: false,
  invalid_argument: false,
  limiter_unavailable: true,
};

/**
 * Base error of `src/resilience`; `retryable` follows the code (see {@link ResilienceErrorCode}).
 *
 * @example
 * ```ts
 * try { await limiter.acquire('openai:gpt-4o-mini', 1, { signal }) } catch (e) {
 *   if (isDspexError(e, 'aborted')) return;
 * }
 * ```
 */
export class ResilienceError<
  C extends ResilienceErrorCode = ResilienceErrorCode,
> extends DspexError<C> {
  constructor(
    code: C,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, {
      cause: options.cause,
      retryable: RETRYABLE[code],
      details: options.details ?? {},
    });
  }

  /** Suggested delay before trying again, when the error carries one. */
  get retryAfterMs(): number | undefined {
    const v = this.details['retryAfterMs'];
    return typeof v === 'number' ? v : undefined;
  }
}

/**
 * A token bucket refused a call: waiting would exceed `maxWaitMs`
 * (`rate_limit_wait_exceeded`, retryable) or the cost can never fit
 * (`rate_limit_cost_exceeds_capacity`).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof RateLimitError) retryLater(e.retryAfterMs) }
 * ```
 */
export class RateLimitError extends ResilienceError<
  'rate_limit_wait_exceeded' | 'rate_limit_cost_exceeds_capacity'
> {}

/**
 * The key's circuit is open: the call was rejected at once without running.
 * Always code `circuit_open`, retryable, with `retryAfterMs` until the breaker half-opens.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof CircuitOpenError) failoverTo(otherModel, e.retryAfterMs) }
 * ```
 */
export class CircuitOpenError extends ResilienceError<'circuit_open'> {
  constructor(key: string, retryAfterMs: number, details: Record<string, unknown> = {}) {
    super('circuit_open', `circuit for "${key}" is open; retry in ${retryAfterMs} ms`, {
      details: { key, retryAfterMs, ...details },
    });
  }
}

/** The error a waiter rejects with when its `AbortSignal` fires. @internal */
export function abortedError(key: string, signal: AbortSignal): ResilienceError<'aborted'> {
  return new ResilienceError('aborted', `wait for "${key}" aborted`, {
    cause: signal.reason,
    details: { key },
  });
}

/** Throws `invalid_argument` unless `value` is a finite number ≥ `min`. @internal */
export function requireNumber(name: string, value: number, min: number, exclusive = false): void {
  const ok = Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) {
    throw new ResilienceError(
      'invalid_argument',
      `${name} must be a finite number ${exclusive ? '>' : '≥'} ${min}, got ${String(value)}`,
      { details: { [name]: value } },
    );
  }
}
