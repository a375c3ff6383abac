import { DspexError } from '../errors/index.js';

/** Stable codes of evaluation failures. */
export type EvaluateErrorCode =
  /** The error budget (`maxErrors`) was used up; `cause` is the last error, `details` lists failures. */
  | 'max_errors_exceeded'
  /** An option is out of range or missing (e.g. no metric, an empty devset). */
  | 'invalid_option'
  /** A metric returned something that is not a number, a boolean or an object with a `score`. */
  | 'invalid_metric_value';

/**
 * Error thrown by `Evaluate` and the metrics. Branch on `code`, never on the message.
 *
 * @example
 * ```ts
 * try { await new Evaluate({ devset, metric, maxErrors: 3 }).run(program) } catch (e) {
 *   if (e instanceof EvaluateError && e.code === 'max_errors_exceeded') console.error(e.details.failedIndices);
 * }
 * ```
 */
export class EvaluateError extends DspexError<EvaluateErrorCode> {}
