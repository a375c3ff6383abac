import { DspexError } from '../errors/index.js';

/**
 * Codes of {@link PipelineError}.
 *
 * - `invalid_pipeline`: the pipeline is declared wrongly (a bad or repeated stage name, an empty
 *   branch table, a stage name that collides with a Module member).
 * - `validation_failed`: a `validate` stage rejected the state.
 * - `stage_failed`: a `predict` stage failed on its module and on every fallback.
 * - `unknown_branch`: a `branch` stage's chooser returned a key with no arm (and no `otherwise`).
 * - `unknown_node`: a distributed run asked for a stage node the pipeline does not have.
 */
export type PipelineErrorCode =
  'invalid_pipeline' | 'validation_failed' | 'stage_failed' | 'unknown_branch' | 'unknown_node';

/**
 * Error raised by `src/pipeline`. `details.stage` names the stage.
 *
 * @example
 * ```ts
 * try { await triage.call({ ticket: '' }) } catch (e) {
 *   if (isDspexError(e, 'validation_failed')) console.log(e.details.stage, e.message);
 * }
 * ```
 */
export class PipelineError extends DspexError<PipelineErrorCode> {}
