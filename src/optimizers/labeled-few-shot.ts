import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import {
  checkExamples,
  type CompileOptions,
  type OptimizationResult,
  type Optimizer,
} from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom, type RngFactory } from './python-random.js';
import { measured } from './search-kit.js';

/** Options of {@link LabeledFewShot}. */
export interface LabeledFewShotOptions {
  /** Demos per predictor (default 16). */
  k?: number;
  /** Random sample (default) or the first `k` train examples. */
  sample?: boolean;
  /** Seed of the sample (default 0, as DSPy). */
  seed?: number;
  /** Random generator factory (default CPython-compatible). */
  rng?: RngFactory;
}

/**
 * Puts `k` train examples as demos in every predictor (DSPy's `LabeledFewShot`): one generator
 * seeded with 0 draws `sample(trainset, min(k, n))` for each predictor in turn, so a seed gives
 * DSPy's exact demos. No LM calls.
 *
 * @example
 * ```ts
 * const fewShot = await new LabeledFewShot({ k: 4 }).compile(program, { trainset });
 * ```
 */
export class LabeledFewShot implements Optimizer {
  readonly k: number;
  readonly sample: boolean;
  private readonly seed: number;
  private readonly rng: RngFactory;

  constructor(options: LabeledFewShotOptions = {}) {
    this.k = options.k ?? 16;
    if (!Number.isInteger(this.k) || this.k < 0) {
      throw new OptimizerError('invalid_option', `k must be an integer >= 0, got ${this.k}`, {
        details: { k: this.k },
      });
    }
    this.sample = options.sample ?? true;
    this.seed = options.seed ?? 0;
    this.rng = options.rng ?? pythonRandom;
  }

  async compile<M extends Module>(student: M, options: CompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  optimize<M extends Module>(student: M, options: CompileOptions): Promise<OptimizationResult<M>> {
    return measured(() => Promise.resolve({ program: this.apply(student, options.trainset) }));
  }

  /** The synchronous core, shared with the bootstrap optimizers (DSPy's `compile`). */
  apply<M extends Module>(student: M, trainset: readonly Example[]): M {
    checkExamples(trainset, 'trainset');
    const program = student.resetCopy();
    if (trainset.length === 0) return program;
    const rng = this.rng(this.seed);
    const size = Math.min(this.k, trainset.length);
    for (const predictor of program.predictors()) {
      predictor.demos = this.sample ? rng.sample(trainset, size) : trainset.slice(0, size);
    }
    return program;
  }
}
