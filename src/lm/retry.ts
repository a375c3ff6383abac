import { abortedError } from './abort.js';
import { LMError } from './lm-error.js';

/** Waits `ms`; must reject (or resolve early) when `signal` fires. Injected in tests. */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Retry policy of an LM. Backoff is exponential with full jitter (delay drawn uniformly from
 * `[0, min(maxDelayMs, baseDelayMs · 2^(attempt-1))]`), except when the server sent a retry hint
 * (`retry-after-ms`, `retry-after` seconds or HTTP date), which is honoured exactly.
 */
export interface RetryOptions {
  /** Total attempts including the first (default 4: DSPy's `num_retries=3`). 1 disables retries. */
  maxAttempts?: number;
  /** First backoff ceiling in ms (default 500). */
  baseDelayMs?: number;
  /** Backoff ceiling in ms (default 30 000). */
  maxDelayMs?: number;
  /** A server hint longer than this (default 60 000 ms) is not waited for: the error is thrown. */
  maxRetryAfterMs?: number;
  /** Sleep function (default: a timer that the caller's signal cancels). */
  sleep?: SleepFn;
  /** Uniform RNG in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
  /** Observer of each scheduled retry (attempt that failed, its error, the delay chosen). */
  onRetry?: (info: { attempt: number; error: LMError; delayMs: number }) => void;
}

/** {@link RetryOptions} with defaults applied. */
export interface ResolvedRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  sleep: SleepFn;
  random: () => number;
  onRetry: ((info: { attempt: number; error: LMError; delayMs: number }) => void) | undefined;
}

/** Default sleep: a timer that rejects with nothing special when aborted (the caller maps it). */
export const timerSleep: SleepFn = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Applies defaults once per LM (not per call: keeps the hot path allocation-free). */
export function resolveRetry(o: RetryOptions | undefined): ResolvedRetry {
  return {
    maxAttempts: Math.max(1, Math.floor(o?.maxAttempts ?? 4)),
    baseDelayMs: o?.baseDelayMs ?? 500,
    maxDelayMs: o?.maxDelayMs ?? 30_000,
    maxRetryAfterMs: o?.maxRetryAfterMs ?? 60_000,
    sleep: o?.sleep ?? timerSleep,
    random: o?.random ?? Math.random,
    onRetry: o?.onRetry,
  };
}

/**
 * The delay before retrying after `attempt` (1-based) failed with `error`, or `undefined` to give up.
 * Exposed for tests of the policy itself.
 */
export function retryDelay(
  policy: ResolvedRetry,
  attempt: number,
  error: LMError,
): number | undefined {
  if (!error.retryable || attempt >= policy.maxAttempts) return undefined;
  const hint = error.retryAfterMs;
  if (hint !== undefined) return hint <= policy.maxRetryAfterMs ? hint : undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable {@link LMError}, or the policy gives
 * up. Errors that are not `LMError`s are bugs, not provider failures: they propagate at once. The
 * caller's signal aborts the wait between attempts immediately with code `aborted`.
 */
export function withRetries<T>(
  provider: string,
  policy: ResolvedRetry,
  signal: AbortSignal | undefined,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  // Not `async`: the first attempt's promise is returned as is (one attempt allowed) or with one
  // rejection handler; the retry loop's async frame exists only once an attempt has failed.
  let first: Promise<T>;
  try {
    first = attempt(1);
  } catch (e) {
    return Promise.reject(e);
  }
  if (policy.maxAttempts <= 1) return first;
  return first.then(undefined, (e: unknown) => retryAfter(provider, policy, signal, attempt, e));
}

/** The retries after attempt 1 failed with `error`. */
async function retryAfter<T>(
  provider: string,
  policy: ResolvedRetry,
  signal: AbortSignal | undefined,
  attempt: (n: number) => Promise<T>,
  error: unknown,
): Promise<T> {
  for (let n = 1; ; n++) {
    if (!(error instanceof LMError)) throw error;
    if (!(await waitBeforeRetry(provider, policy, n, error, signal))) throw error;
    try {
      return await attempt(n + 1);
    } catch (e) {
      error = e;
    }
  }
}

/**
 * After attempt `n` failed with `error`: returns false to give up, or waits the policy's delay and
 * returns true. Throws `aborted` as soon as the caller's signal fires.
 */
export async function waitBeforeRetry(
  provider: string,
  policy: ResolvedRetry,
  n: number,
  error: LMError,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const delay = retryDelay(policy, n, error);
  if (delay === undefined) return false;
  policy.onRetry?.({ attempt: n, error, delayMs: delay });
  if (signal?.aborted) throw abortedError(provider, signal.reason);
  try {
    await sleepUnlessAborted(policy.sleep, delay, signal);
  } catch (sleepErr) {
    if (signal?.aborted) throw abortedError(provider, signal.reason);
    throw sleepErr;
  }
  if (signal?.aborted) throw abortedError(provider, signal.reason);
  return true;
}

/** Races an (injected) sleep against the caller's signal, so abort wins even if `sleep` ignores it. */
async function sleepUnlessAborted(
  sleep: SleepFn,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal === undefined) return sleep(ms);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms, signal), aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}
