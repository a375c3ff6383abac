import OpenAI from 'openai';
import {
  codeForErrorType,
  lmErrorFromHttp,
  lmErrorFromSdkConnection,
  lmErrorFromTransport,
} from './http-error.js';
import { LMError } from './lm-error.js';

/**
 * Maps an error of the official `openai` SDK to an {@link LMError} by class and status (never by
 * message text); shared by the chat LM and the embedder. Non-SDK errors pass through.
 */
export function openAIErrorToLM(provider: string, e: unknown): unknown {
  if (e instanceof LMError) return e;
  const connection = lmErrorFromSdkConnection(provider, e, {
    abort: OpenAI.APIUserAbortError,
    timeout: OpenAI.APIConnectionTimeoutError,
    connection: OpenAI.APIConnectionError,
  });
  if (connection !== undefined) return connection;
  if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
    const code = typeof e.code === 'string' ? e.code : undefined;
    return lmErrorFromHttp({
      provider,
      status: e.status,
      headers: e.headers,
      message: e.message,
      providerCode: code ?? e.type,
      requestId: e.requestID,
      // OpenAI (and vLLM, which mimics it) signals this only through the body's error code.
      contextWindowExceeded: code === 'context_length_exceeded',
      cause: e,
    });
  }
  if (e instanceof OpenAI.APIError) {
    // An error event inside a stream: no status, only the body's type/code.
    const code = typeof e.code === 'string' ? e.code : undefined;
    return new LMError(codeForErrorType(code, e.type), `openai: ${e.message}`, {
      cause: e,
      details: { provider, providerCode: code ?? e.type },
    });
  }
  return lmErrorFromTransport(provider, e) ?? e;
}
