import { DspexError } from '../errors/index.js';

/**
 * Closed set of codes for transport failures. Callers branch on these, never on message text.
 *
 * - `invalid_job_id`: a custom job id is empty, an integer string or contains `:` (BullMQ rules,
 *   enforced by every implementation so a queue behaves the same embedded and distributed).
 * - `invalid_options`: attempts, backoff, priority, delay, concurrency or a pipeline spec is invalid.
 * - `invalid_payload`: job data is not a JSON object.
 * - `job_not_found`: no job with that id in that queue.
 * - `invalid_state`: the operation does not apply to the job's current state (e.g. retrying a job
 *   that has not failed).
 * - `job_failed`: {@link Transport.waitForResult} saw the job fail (details carry `failedReason`).
 * - `timeout`: a wait ran past its deadline (retryable).
 * - `closed`: the transport or consumer was closed.
 * - `connection`: the backend (Redis) could not be reached (retryable).
 * - `run_not_found` / `run_failed`: pipeline runs (details carry `stage` and `reason`).
 */
export type TransportErrorCode =
  | 'invalid_job_id'
  | 'invalid_options'
  | 'invalid_payload'
  | 'job_not_found'
  | 'invalid_state'
  | 'job_failed'
  | 'timeout'
  | 'closed'
  | 'connection'
  | 'run_not_found'
  | 'run_failed';

/**
 * Error raised by transports and pipeline runners.
 *
 * @example
 * ```ts
 * try { await transport.waitForResult('dspex-run', id, 5000) } catch (e) {
 *   if (e instanceof TransportError && e.code === 'job_failed') console.log(e.details.failedReason);
 * }
 * ```
 */
export class TransportError extends DspexError<TransportErrorCode> {}

/**
 * Thrown by a job handler to fail the job at once, with no retry, whatever its `attempts`
 * (invalid input, a program that does not exist…). Maps to BullMQ's `UnrecoverableError`.
 *
 * @example
 * ```ts
 * transport.process('dspex-run', async (job) => {
 *   if (typeof job.data.program !== 'string') throw new UnrecoverableJobError('program must be a string');
 *   return run(job.data);
 * });
 * ```
 */
export class UnrecoverableJobError extends DspexError<'unrecoverable_job'> {
  constructor(
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super('unrecoverable_job', message, { ...options, retryable: false });
  }
}

/**
 * Thrown by a job handler to put the job back in the queue (`delayed`) for `delayMs`, without
 * using one of its attempts and without holding a consumer slot while it waits: how a handler
 * honours a provider's retry hint (`Retry-After`) or its own backoff. The next run sees
 * `started` one higher.
 *
 * @example
 * ```ts
 * transport.process('q', async (job) => {
 *   try { return await callProvider(job.data) }
 *   catch (e) { if (job.started < 5) throw new DelayJobError(30_000, 'rate limited'); throw e }
 * });
 * ```
 */
export class DelayJobError extends DspexError<'delay_job'> {
  constructor(
    readonly delayMs: number,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('delay_job', message, { ...options, retryable: true, details: { delayMs } });
  }
}

/**
 * True when a handler error must fail the job without retry: an {@link UnrecoverableJobError}, or
 * an error named `UnrecoverableError` (BullMQ's own class, so handlers written for BullMQ keep their
 * meaning).
 */
export function isUnrecoverable(error: unknown): boolean {
  return (
    error instanceof UnrecoverableJobError ||
    (error instanceof Error && error.name === 'UnrecoverableError')
  );
}

/** The message recorded as a failed job's `failedReason`. */
export function failureReason(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

/** The rejection of a wait on a job that failed for good (`job_failed`, details carry `failedReason`). */
export function jobFailedError(
  queue: string,
  id: string,
  failedReason: string | undefined,
): TransportError {
  return new TransportError(
    'job_failed',
    `job ${id} in queue ${queue} failed: ${failedReason ?? 'unknown reason'}`,
    {
      details: { queue, jobId: id, failedReason: failedReason ?? null },
    },
  );
}

/** The rejection of a wait that ran past its deadline (`timeout`, retryable). */
export function waitTimeoutError(queue: string, id: string, timeoutMs: number): TransportError {
  return new TransportError(
    'timeout',
    `job ${id} in queue ${queue} did not finish within ${timeoutMs} ms`,
    {
      retryable: true,
      details: { queue, jobId: id, timeoutMs },
    },
  );
}

/** The rejection for an unknown job id. */
export function jobNotFoundError(queue: string, id: string): TransportError {
  return new TransportError('job_not_found', `no job ${id} in queue ${queue}`, {
    details: { queue, jobId: id },
  });
}
