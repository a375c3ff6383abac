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

  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    const onOuterAbort = (): void => {
      if (settled) return;
      finish();
      controller.abort('caller' satisfies AttemptAbortReason);
      reject(abortedError(provider, outer?.reason));
    };
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    if (timeoutMs !== undefined && timeoutMs > 0) {
      timer = setTimeout(() => {
        if (settled) return;
        finish();
        controller.abort('timeout' satisfies AttemptAbortReason);
        reject(timeoutError(provider, timeoutMs));
      }, timeoutMs);
    }
    fn(controller.signal).then(
      (v) => {
        if (settled) return;
        finish();
        resolve(v);
      },
      (e: unknown) => {
        if (settled) return;
        finish();
        reject(e);
      },
    );
  });
}
