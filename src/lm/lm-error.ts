import { DspexError } from '../errors/index.js';

/**
 * Stable codes of LM failures. Retry decisions branch on these (and on `retryable`), never on text:
 * - `rate_limited` (429) — retryable, usually with a `retryAfterMs` hint;
 * - `timeout` — the attempt exceeded `timeoutMs` (or the provider answered 408) — retryable;
 * - `context_window_exceeded` — the prompt does not fit the model — not retryable;
 * - `auth` (401/403) — not retryable;
 * - `bad_request` (other 4xx, or a request the LM cannot serve) — not retryable;
 * - `server` (5xx, 529 overloaded) — retryable;
 * - `network` (connection refused/reset, truncated body) — retryable;
 * - `parse` (a 2xx body that is not the provider's JSON) — not retryable;
 * - `response_too_large` — the answer is longer than the request's `maxResponseChars` — not retryable;
 * - `aborted` — the caller's `AbortSignal` fired — never retried.
 */
export type LMErrorCode =
  | 'rate_limited'
  | 'timeout'
  | 'context_window_exceeded'
  | 'auth'
  | 'bad_request'
  | 'server'
  | 'network'
  | 'parse'
  | 'aborted'
  | 'response_too_large';

const RETRYABLE: Readonly<Record<LMErrorCode, boolean>> = {
  rate_limited: true,
  timeout: true,
  context_window_exceeded: false,
  auth: false,
  bad_request: false,
  server: true,
  network: true,
  parse: false,
  aborted: false,
  response_too_large: false,
};

/** Structured context of an {@link LMError} (all optional; never secrets). */
export interface LMErrorDetails {
  /** Provider name (`openai`, `anthropic`, …). */
  provider?: string;
  /** HTTP status when the provider answered. */
  status?: number;
  /** Server's retry hint in ms (from `retry-after-ms` or `retry-after`). */
  retryAfterMs?: number;
  /** Provider's request id, for support tickets. */
  requestId?: string;
  /** Provider's own error code/type from the error body (`context_length_exceeded`, `overloaded_error`). */
  providerCode?: string | undefined;
  /** Anything else worth logging. */
  [key: string]: unknown;
}

/**
 * The error every LM call fails with. `retryable` defaults from the code (see {@link LMErrorCode})
 * but a provider may override it (e.g. an `x-should-retry: false` header).
 *
 * @example
 * ```ts
 * try { await lm.complete(req) } catch (e) {
 *   if (e instanceof LMError && e.code === 'context_window_exceeded') shortenPrompt();
 * }
 * ```
 */
export class LMError extends DspexError<LMErrorCode> {
  constructor(
    code: LMErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: LMErrorDetails } = {},
  ) {
    super(code, message, {
      cause: options.cause,
      retryable: options.retryable ?? RETRYABLE[code],
      details: options.details ?? {},
    });
  }

  /** HTTP status, when the provider answered. */
  get status(): number | undefined {
    const s = this.details['status'];
    return typeof s === 'number' ? s : undefined;
  }

  /** Server's retry hint in ms, when it sent one. */
  get retryAfterMs(): number | undefined {
    const r = this.details['retryAfterMs'];
    return typeof r === 'number' ? r : undefined;
  }

  /** Provider name, when known. */
  get provider(): string | undefined {
    const p = this.details['provider'];
    return typeof p === 'string' ? p : undefined;
  }
}

/** True when `e` is an {@link LMError}, optionally with the given code. */
export function isLMError(e: unknown, code?: LMErrorCode): e is LMError {
  return e instanceof LMError && (code === undefined || e.code === code);
}

/** Default retryability of a code. */
export function isRetryableCode(code: LMErrorCode): boolean {
  return RETRYABLE[code];
}
