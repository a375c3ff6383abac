import type { LM } from '../lm/index.js';
import {
  Module,
  ModuleError,
  context,
  currentSettings,
  type CallOptions,
  type Prediction,
  type TraceEntry,
} from '../modules/index.js';
import { PipelineError } from './errors.js';

/** One failed attempt of a {@link Fallback}: which module and why. */
export interface FallbackFailure {
  /** Index of the module in {@link Fallback.attempts}. */
  readonly attempt: number;
  readonly code: string;
  readonly message: string;
}

/**
 * Compensation for a failing step (saga style): runs `attempts[0]`, and when it throws (an LM
 * error, an unparsable answer, an output check that still fails after its retries) runs
 * `attempts[1]` on the same inputs, and so on; the first prediction wins. When every attempt
 * failed it throws `PipelineError('stage_failed')` with each failure in `details.failures`.
 *
 * The attempts are sub-modules (`attempts[0]`, `attempts[1].predict`, …), so optimizers see, tune
 * and save all of them. A failed attempt's trace entries are dropped, so a bootstrapping optimizer
 * only learns from the answer that was kept.
 *
 * Each attempt keeps the LM its predictors were built with (see {@link Fallback.attemptLms}): an
 * optimizer's student copy clears its predictors' LMs (DSPy's `reset_copy`), and a compiled
 * pipeline must still fall back to the larger model, not to the context's default.
 *
 * @example
 * ```ts
 * const answer = new Fallback([
 *   new CheckOutputs(new Predict('question -> answer, confidence: confidence'), { checks: [(p) => p.confidence >= 0.7 || 'unsure'] }),
 *   new ChainOfThought('question -> answer, confidence: confidence', { lm: largerLm }),
 * ]);
 * ```
 */
export class Fallback extends Module {
  readonly attempts: Module[];
  /**
   * The LM each attempt's predictors shared when the Fallback was built (undefined: none, or
   * several). An attempt runs with it as the context LM, so a predictor's own LM still wins, and a
   * predictor whose LM an optimizer reset uses the attempt's LM again rather than the default.
   */
  readonly attemptLms: (LM | undefined)[];
  /** Stage name used in errors (set by a pipeline; `fallback` otherwise). */
  readonly label: string;

  constructor(attempts: readonly Module[], options: { label?: string } = {}) {
    super();
    if (attempts.length === 0)
      throw new PipelineError('invalid_pipeline', 'Fallback needs at least one module', {
        details: { stage: options.label ?? 'fallback' },
      });
    this.attempts = [...attempts];
    this.attemptLms = this.attempts.map((m) => {
      const lms = new Set(m.predictors().map((p) => p.lm));
      return lms.size === 1 ? [...lms][0] : undefined;
    });
    this.label = options.label ?? 'fallback';
  }

  override async forward(
    inputs: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<Prediction> {
    const failures: FallbackFailure[] = [];
    const outerTrace = currentSettings().trace;
    for (const [attempt, module] of this.attempts.entries()) {
      const trace: TraceEntry[] = [];
      try {
        const lm = this.attemptLms[attempt];
        const prediction = await context({ trace, ...(lm === undefined ? {} : { lm }) }, () =>
          module.call(inputs, options),
        );
        outerTrace?.push(...trace);
        return prediction;
      } catch (error) {
        // A call that lacks its inputs fails the same way on every fallback: report it as is.
        if (error instanceof ModuleError && error.code === 'missing_inputs') throw error;
        failures.push({
          attempt,
          code: (error as { code?: unknown }).code?.toString() ?? 'error',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    throw new PipelineError(
      'stage_failed',
      `stage '${this.label}' failed on all ${failures.length} attempt(s): ${failures
        .map((f) => `#${f.attempt + 1} ${f.message}`)
        .join('; ')}`,
      { details: { stage: this.label, failures } },
    );
  }
}
