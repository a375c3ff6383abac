import { DspexError } from '../src/errors/index.js';

/**
 * Stable codes of the runtime actors' failures (closed union; callers branch on these):
 * - `bad_message`: a message failed its zod schema (details carry the issues); never retryable;
 * - `invalid_job`: `dspex-run` job data failed the job schema (details carry the issues);
 * - `unknown_program` / `unknown_schema` / `unknown_metric` / `unknown_optimizer`: a name that is
 *   not registered (details list the known names);
 * - `unknown_dataset`: a dataset, version or split a request or job names is not in the store
 *   (details list the known ones);
 * - `execution_failed`: the program threw (retryable when its cause is, e.g. an LM 5xx);
 * - `cancelled`: an optimization run or evaluation was cancelled;
 * - `stopping`: the runtime is draining or stopped and takes no new work (retryable elsewhere);
 * - `overloaded`: no worker slot became free in time (retryable);
 * - `poison_job`: the job was running on nodes that died or hung too many times;
 * - `deadline_exceeded`: the job ran past its deadline; its worker was killed.
 */
export type ActorErrorCode =
  | 'bad_message'
  | 'invalid_job'
  | 'unknown_program'
  | 'unknown_schema'
  | 'unknown_metric'
  | 'unknown_optimizer'
  | 'unknown_dataset'
  | 'execution_failed'
  | 'cancelled'
  | 'stopping'
  | 'overloaded'
  | 'poison_job'
  | 'deadline_exceeded';

/**
 * The error of the runtime actors and of the `Runtime` API built on them.
 *
 * @example
 * ```ts
 * try { await rt.run('qa', { question }) } catch (e) {
 *   if (e instanceof ActorError && e.code === 'unknown_program') console.log(e.details.known);
 * }
 * ```
 */
export class ActorError extends DspexError<ActorErrorCode> {}

/** A JSON-safe view of any thrown value (for replies, job failure reasons and records). */
export function describeError(error: unknown): {
  code: string;
  message: string;
  retryable: boolean;
} {
  if (error instanceof DspexError)
    return { code: error.code, message: error.message, retryable: error.retryable };
  if (error instanceof Error) return { code: 'error', message: error.message, retryable: false };
  return { code: 'error', message: String(error), retryable: false };
}

/**
 * The retry hint of a failure, ms: the largest `details.retryAfterMs` along its cause chain (an
 * open circuit's time to half-open, a 429's `Retry-After`; a program worker's failure reply carries
 * it across the actor boundary), or 0 when there is none.
 */
export function retryAfterOf(error: unknown): number {
  let hint = 0;
  const seen = new Set<unknown>();
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    const v = e instanceof DspexError ? e.details['retryAfterMs'] : undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v > hint) hint = v;
  }
  return Math.ceil(hint);
}
