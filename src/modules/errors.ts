import { DspexError } from '../errors/index.js';

/**
 * Codes of {@link ModuleError}: the closed set of ways a module call or a program state can be
 * wrong before any LM is involved.
 *
 * - `missing_inputs`: a required input field of the signature was not supplied.
 * - `no_lm`: no LM on the call, the predictor or the context.
 * - `invalid_state`: `load()` got a state that does not fit the program (missing predictor, bad shape).
 * - `invalid_argument`: a bad option or argument (e.g. an unknown stream listener field).
 * - `too_many_errors`: `batch()` exceeded its error budget.
 * - `context_window_exceeded`: ReAct could not shrink its trajectory enough to fit.
 * - `all_attempts_failed`: BestOfN/Refine ran out of attempts without one prediction.
 * - `output_check_failed`: a predictor's output checks still failed after its retries.
 * - `tool_error`: a tool reported a failure (an MCP tool's `isError` result).
 */
export type ModuleErrorCode =
  | 'missing_inputs'
  | 'no_lm'
  | 'invalid_state'
  | 'invalid_argument'
  | 'too_many_errors'
  | 'context_window_exceeded'
  | 'all_attempts_failed'
  | 'output_check_failed'
  | 'tool_error';

/**
 * Error raised by `src/modules` (Predict, Module state, batch, streaming).
 *
 * @example
 * ```ts
 * try { await qa.call({}) } catch (e) {
 *   if (isDspexError(e, 'missing_inputs')) console.log(e.details.missing); // ['question']
 * }
 * ```
 */
export class ModuleError extends DspexError<ModuleErrorCode> {}
