/**
 * The one error taxonomy of dspex (STYLE habit 3). Every error the library throws or reports is a
 * `DspexError` (or a subclass) with a stable `code` from its area's closed union. Retry, restart and
 * fail-now decisions branch on `code`, `retryable` or the class, never on message text.
 *
 * @example
 * ```ts
 * try { await lm.complete(req) } catch (e) {
 *   if (e instanceof DspexError && e.retryable) scheduleRetry();
 * }
 * ```
 */
export class DspexError<C extends string = string> extends Error {
  /** Stable machine-readable code, e.g. `rate_limited`, `invalid_signature`, `noproc`. */
  readonly code: C;
  /** Whether repeating the same operation later may succeed. */
  readonly retryable: boolean;
  /** Structured context (offending value, provider, status, …); never secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: C,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** A plain, JSON-safe view for logs, job failure reasons and API replies. */
  toJSON(): {
    name: string;
    code: C;
    message: string;
    retryable: boolean;
    details: Record<string, unknown>;
  } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      details: { ...this.details },
    };
  }
}

/** True when `e` is a {@link DspexError}, optionally with the given code. */
export function isDspexError<C extends string>(e: unknown, code?: C): e is DspexError<C> {
  return e instanceof DspexError && (code === undefined || e.code === code);
}
