import { LMError } from './lm-error.js';

/** Why an attempt's internal signal fired: the caller's signal, or our per-attempt timer. */
export type AttemptAbortReason = 'caller' | 'timeout';

/** The `aborted` error thrown when the caller's signal fires. */
export function abortedError(provider: string, cause?: unknown): LMError {
  return new LMError('aborted', `${provider} call aborted by the caller`, {
    cause,
    details: { provider },
  });
}

/** The `timeout` error thrown when an attempt exceeds `timeoutMs`. */
export function timeoutError(provider: string, timeoutMs: number, cause?: unknown): LMError {
  return new LMError('timeout', `${provider} call timed out after ${timeoutMs} ms`, {
    cause,
    details: { provider, timeoutMs },
  });
}

/**
 * The state of one attempt under a deadline. A class with methods (and `handleEvent`, so the object
 * itself is the abort listener) instead of per-call closures: this runs on every LM call.
 */
class DeadlineAttempt<T> {
  readonly controller = new AbortController();
  private settled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly provider: string,
    private readonly timeoutMs: number | undefined,
    private readonly outer: AbortSignal | undefined,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    outer?.addEventListener('abort', this, { once: true });
    if (timeoutMs !== undefined && timeoutMs > 0)
      this.timer = setTimeout(onDeadline, timeoutMs, this);
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    if (this.settled) return;
    this.finish();
    this.controller.abort('caller' satisfies AttemptAbortReason);
    this.reject(abortedError(this.provider, this.outer?.reason));
  }

  /** The per-attempt timer fired. */
  expire(): void {
    if (this.settled) return;
    this.finish();
    this.controller.abort('timeout' satisfies AttemptAbortReason);
    this.reject(timeoutError(this.provider, this.timeoutMs ?? 0));
  }

  succeed(value: T): void {
    if (this.settled) return;
    this.finish();
    this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(error);
  }

  private finish(): void {
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this);
  }
}

function onDeadline(attempt: { expire(): void }): void {
  attempt.expire();
}

/**
 * Runs one attempt under a signal that fires on the caller's abort or after `timeoutMs`, and makes
 * either one win immediately: the returned promise rejects as soon as the signal fires, even if the
 * SDK is slow to notice (why we race instead of only forwarding the signal).
 */
export function runWithDeadline<T>(
  provider: string,
  timeoutMs: number | undefined,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (outer?.aborted) return Promise.reject(abortedError(provider, outer.reason));
  if (outer === undefined && (timeoutMs === undefined || timeoutMs <= 0)) return fn(undefined);

  return new Promise<T>((resolve, reject) => {
    const attempt = new DeadlineAttempt(provider, timeoutMs, outer, resolve, reject);
    fn(attempt.controller.signal).then(
      (v) => attempt.succeed(v),
      (e: unknown) => attempt.fail(e),
    );
  });
}
