import { DspexError } from '../errors/index.js';

/**
 * Stable `code`s of the HTTP API's error bodies `{ error: { code, message } }`, with their status.
 * Runtime error codes (`invalid_job`, `unknown_program`, …) keep their own code.
 */
export const HTTP_ERROR_STATUS: Readonly<Record<string, number>> = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_job: 400,
  missing_inputs: 400,
  bad_message: 400,
  unknown_metric: 400,
  unknown_optimizer: 400,
  unauthorized: 401,
  not_found: 404,
  unknown_program: 404,
  unknown_dataset: 404,
  body_too_large: 413,
  overloaded: 429,
  execution_failed: 500,
  internal: 500,
  stopping: 503,
  deadline_exceeded: 504,
};

/** An error the HTTP API answers with its own code and status. */
export class HttpError extends DspexError<string> {
  constructor(
    code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
  }
}

/** The JSON body and status of any thrown value. */
export function errorReply(error: unknown): {
  status: number;
  body: { error: { code: string; message: string } };
} {
  if (error instanceof DspexError) {
    // A run that failed on the caller's inputs (a missing input field) is a bad request, not a
    // server fault: the execution error's cause says so.
    if (error.code === 'execution_failed' && error.details['cause'] === 'missing_inputs')
      return {
        status: 400,
        body: { error: { code: 'missing_inputs', message: error.message } },
      };
    const status = HTTP_ERROR_STATUS[error.code] ?? 500;
    return { status, body: { error: { code: error.code, message: error.message } } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { code: 'internal', message } } };
}
