import { abortedError, timeoutError } from './abort.js';

/**
 * Iterates a provider stream under a signal that fires on the caller's abort or after `timeoutMs`
 * (for the whole stream), making either win immediately: each `next()` is raced against the abort,
 * and the underlying stream is closed when we stop early.
 */
export async function* streamWithDeadline<T>(
  provider: string,
  timeoutMs: number | undefined,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal) => AsyncIterable<T>,
): AsyncGenerator<T> {
  if (outer?.aborted) throw abortedError(provider, outer.reason);
  const controller = new AbortController();
  let fired: Error | undefined;
  let rejectAbort: (e: Error) => void = () => undefined;
  const abortPromise = new Promise<never>((_, reject) => {
    rejectAbort = reject;
  });
  abortPromise.catch(() => undefined);
  const fire = (e: Error): void => {
    if (fired !== undefined) return;
    fired = e;
    controller.abort(e);
    rejectAbort(e);
  };
  const onOuterAbort = (): void => fire(abortedError(provider, outer?.reason));
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const timer =
    timeoutMs !== undefined && timeoutMs > 0
      ? setTimeout(() => fire(timeoutError(provider, timeoutMs)), timeoutMs)
      : undefined;
  const it = fn(controller.signal)[Symbol.asyncIterator]();
  let done = false;
  try {
    while (true) {
      const next = it.next();
      // The race may leave `next` pending; it must never become an unhandled rejection.
      next.catch(() => undefined);
      const r = await Promise.race([next, abortPromise]);
      if (r.done === true) {
        done = true;
        return;
      }
      yield r.value;
    }
  } catch (e) {
    throw fired ?? e;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
    if (!done) {
      controller.abort();
      void Promise.resolve(it.return?.()).catch(() => undefined);
    }
  }
}
