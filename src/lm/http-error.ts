import { LMError, type LMErrorCode, type LMErrorDetails } from './lm-error.js';
import { parseRetryAfter, type HeaderSource } from './retry-after.js';

/** The code of an HTTP error status, provider-neutral. */
export function codeForStatus(status: number): LMErrorCode {
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'bad_request';
}

const TYPE_CODES: Readonly<Record<string, LMErrorCode>> = {
  // Anthropic error types.
  overloaded_error: 'server',
  api_error: 'server',
  rate_limit_error: 'rate_limited',
  timeout_error: 'timeout',
  authentication_error: 'auth',
  permission_error: 'auth',
  billing_error: 'auth',
  invalid_request_error: 'bad_request',
  not_found_error: 'bad_request',
  request_too_large: 'bad_request',
  // OpenAI error types/codes.
  server_error: 'server',
  rate_limit_exceeded: 'rate_limited',
  insufficient_quota: 'rate_limited',
  context_length_exceeded: 'context_window_exceeded',
};

/**
 * The code of an error that arrives inside a stream (an SSE `error` event), where there is no HTTP
 * status: from the provider's error type/code in the event body. Unknown types count as `server`.
 */
export function codeForErrorType(...types: Array<string | null | undefined>): LMErrorCode {
  for (const t of types) {
    if (typeof t === 'string' && TYPE_CODES[t] !== undefined) return TYPE_CODES[t];
  }
  return 'server';
}

/** Fields an SDK `APIError` carries, read without depending on either SDK's class. */
export interface HttpErrorFacts {
  provider: string;
  status: number;
  headers: HeaderSource | undefined;
  message: string;
  providerCode?: string | undefined;
  requestId?: string | null | undefined;
  contextWindowExceeded: boolean;
  cause: unknown;
}

/**
 * Builds the {@link LMError} of an HTTP error answer. The server may veto a retry with
 * `x-should-retry: false` (or force one with `true`), as both official SDKs honour.
 */
export function lmErrorFromHttp(f: HttpErrorFacts): LMError {
  const code: LMErrorCode = f.contextWindowExceeded
    ? 'context_window_exceeded'
    : codeForStatus(f.status);
  const details: LMErrorDetails = { provider: f.provider, status: f.status };
  const retryAfterMs = parseRetryAfter(f.headers);
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  if (f.providerCode !== undefined) details.providerCode = f.providerCode;
  if (typeof f.requestId === 'string') details.requestId = f.requestId;
  const should = f.headers?.get('x-should-retry');
  const options: { cause: unknown; details: LMErrorDetails; retryable?: boolean } = {
    cause: f.cause,
    details,
  };
  if (should === 'false') options.retryable = false;
  else if (should === 'true' && code !== 'context_window_exceeded') options.retryable = true;
  return new LMError(code, `${f.provider}: ${f.message}`, options);
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Errors raised outside an HTTP error answer: a body that is not JSON (`parse`), or a socket that
 * died while the body was read (undici's `TypeError: terminated`, socket error codes: `network`).
 * Returns `undefined` for anything else, which the caller rethrows: a bug must not look like a
 * flaky network.
 */
export function lmErrorFromTransport(provider: string, e: unknown): LMError | undefined {
  if (e instanceof SyntaxError) {
    return new LMError('parse', `${provider}: malformed response body (${e.message})`, {
      cause: e,
      details: { provider },
    });
  }
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const causeCode =
      cause !== null && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
    const ownCode = (e as { code?: unknown }).code;
    const transport =
      (e instanceof TypeError && (e.message === 'terminated' || e.message === 'fetch failed')) ||
      (typeof causeCode === 'string' &&
        (causeCode.startsWith('UND_ERR') || NETWORK_CODES.has(causeCode))) ||
      (typeof ownCode === 'string' &&
        (ownCode.startsWith('UND_ERR') || NETWORK_CODES.has(ownCode)));
    if (transport) {
      return new LMError('network', `${provider}: connection failed while reading the response`, {
        cause: e,
        details: { provider },
      });
    }
  }
  return undefined;
}

/** An error class of an SDK (`OpenAI.APIConnectionError`, …). */
type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The three SDK error classes that mean "no HTTP answer arrived". Both official SDKs have the same
 * three, and their timeout class extends their connection class, hence the order of the checks.
 */
export interface SdkConnectionErrors {
  abort: ErrorClass;
  timeout: ErrorClass;
  connection: ErrorClass;
}

/** Maps an SDK's abort / timeout / connection error to `aborted` / `timeout` / `network`; else `undefined`. */
export function lmErrorFromSdkConnection(
  provider: string,
  e: unknown,
  sdk: SdkConnectionErrors,
): LMError | undefined {
  const options = { cause: e, details: { provider } };
  if (e instanceof sdk.abort) return new LMError('aborted', `${provider} call aborted`, options);
  if (e instanceof sdk.timeout) {
    return new LMError('timeout', `${provider}: request timed out`, options);
  }
  if (e instanceof sdk.connection) {
    return new LMError('network', `${provider}: ${e.message}`, options);
  }
  return undefined;
}
