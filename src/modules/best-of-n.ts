import type { LM } from '../lm/types.js';
import { ModuleError } from './errors.js';
import { Module, type CallOptions } from './module.js';
import type { TraceEntry } from './parameter.js';
import type { Prediction } from './prediction.js';
import { rolloutLm } from './rollout-lm.js';
import { context, currentSettings, warn } from './settings.js';

/** Scores one attempt: the call's inputs and its prediction → a number (higher is better). */
export type RewardFn = (
  inputs: Record<string, unknown>,
  prediction: Prediction,
) => number | Promise<number>;

/** Options of {@link BestOfN} and `Refine` (DSPy's constructor arguments, camelCased). */
export interface BestOfNOptions {
  /** Maximum number of attempts (DSPy's `N`). */
  n: number;
  /** Scores an attempt (DSPy's `reward_fn`); not an optimizable parameter. */
  rewardFn: RewardFn;
  /** An attempt scoring at or above this is returned at once. */
  threshold: number;
  /**
   * Failed attempts tolerated before the error is rethrown (DSPy's `fail_count`; default `n`).
   * As in DSPy, attempt `i` (0-based) rethrows when `i` exceeds the failures still allowed.
   */
  failCount?: number;
}

/** One finished attempt, handed to {@link BestOfN.afterAttempt}. */
export interface Attempt {
  /** The copy of the module that ran, with its rollout LM. */
  module: Module;
  inputs: Record<string, unknown>;
  prediction: Prediction;
  /** The Predict calls of this attempt (DSPy's trace). */
  trace: TraceEntry[];
  reward: number;
}

/**
 * Runs a module up to `n` times and returns the best prediction (DSPy's `dspy.BestOfN`). Attempt
 * `i` runs on a deep copy of the module whose LM is the module's (else the context's) at
 * temperature 1.0 with `rolloutId` `i`, so every attempt samples anew and is cached on its own. The
 * first attempt whose reward reaches `threshold` wins at once; otherwise the highest reward does.
 * Only the winning attempt's trace reaches the caller's trace. The wrapped module's predictors are
 * this module's (`module.predict`, …), so optimizers see them.
 *
 * Deliberate difference: when no attempt produced a prediction, DSPy returns `None`; this throws a
 * `ModuleError('all_attempts_failed')` whose `cause` is the last error.
 *
 * @example
 * ```ts
 * const qa = new ChainOfThought('question -> answer');
 * const oneWord = (_args, pred) => (String(pred.answer).split(/\s+/).length === 1 ? 1 : 0);
 * const best = new BestOfN(qa, { n: 3, rewardFn: oneWord, threshold: 1 });
 * (await best.call({ question: 'What is the capital of Belgium?' })).answer; // 'Brussels'
 * ```
 */
export class BestOfN extends Module {
  readonly module: Module;
  /** Kept as a function property (never a parameter), as DSPy's lambda wrapper. */
  readonly rewardFn: RewardFn;
  readonly threshold: number;
  readonly n: number;
  readonly failCount: number;

  constructor(module: Module, options: BestOfNOptions) {
    super();
    if (!Number.isInteger(options.n) || options.n < 1) {
      throw new ModuleError('invalid_argument', `n must be a positive integer, got ${options.n}.`, {
        details: { n: options.n },
      });
    }
    this.module = module;
    this.rewardFn = options.rewardFn;
    this.threshold = options.threshold;
    this.n = options.n;
    // DSPy's `fail_count or N`: 0 and absent both mean N.
    this.failCount = options.failCount || options.n;
  }

  /** The label used in warnings (`BestOfN`, `Refine`). */
  protected get label(): string {
    return 'BestOfN';
  }

  /**
   * Runs one attempt of `module`. `hints` is what {@link BestOfN.afterAttempt} returned after the
   * previous attempt of this call (Refine's advice per predictor name); BestOfN has none.
   */
  protected attempt(
    module: Module,
    inputs: Record<string, unknown>,
    options: CallOptions | undefined,
    _hints: Readonly<Record<string, string>> | undefined,
  ): Promise<Prediction> {
    return module.call(inputs, options);
  }

  /**
   * Called after every attempt that neither reached the threshold nor was the last; what it
   * returns is passed to the next attempt. Per call, so concurrent calls never share hints.
   */
  protected afterAttempt(
    _attempt: Attempt,
    _lm: LM,
  ): Promise<Readonly<Record<string, string>> | undefined> {
    return Promise.resolve(undefined);
  }

  override async forward(
    inputs: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<Prediction> {
    const settings = currentSettings();
    const lm = this.module.getLm() ?? settings.lm;
    if (lm === undefined) {
      throw new ModuleError(
        'no_lm',
        `${this.label} needs an LM: set one on the module or with configure({ lm }).`,
      );
    }
    let hints: Readonly<Record<string, string>> | undefined;
    let best: { prediction: Prediction; trace: TraceEntry[]; reward: number } | undefined;
    let failuresLeft = this.failCount;
    let lastError: unknown;
    for (let idx = 0; idx < this.n; idx++) {
      const mod = this.module.deepCopy();
      mod.setLm(rolloutLm(lm, idx));
      try {
        const trace: TraceEntry[] = [];
        const { prediction, reward, attemptTrace } = await context({ trace }, async () => {
          const prediction = await this.attempt(mod, inputs, options, hints);
          const attemptTrace = [...trace];
          // As DSPy, the reward function's own LM calls are not part of the attempt's trace.
          const reward = await this.rewardFn(inputs, prediction);
          return { prediction, reward, attemptTrace };
        });
        if (best === undefined || reward > best.reward)
          best = { prediction, trace: attemptTrace, reward };
        if (reward >= this.threshold || idx === this.n - 1) break;
        hints = await this.afterAttempt(
          { module: mod, inputs, prediction, trace: attemptTrace, reward },
          lm,
        );
      } catch (error) {
        lastError = error;
        warn(`${this.label}: Attempt ${idx + 1} failed with rollout id ${idx}: ${String(error)}`, {
          attempt: idx + 1,
        });
        if (idx > failuresLeft) throw error;
        failuresLeft -= 1;
      }
    }
    if (best === undefined) {
      throw new ModuleError(
        'all_attempts_failed',
        `${this.label}: all ${this.n} attempts failed; the last error: ${String(lastError)}`,
        { cause: lastError, details: { attempts: this.n } },
      );
    }
    settings.trace?.push(...best.trace);
    return best.prediction;
  }
}
