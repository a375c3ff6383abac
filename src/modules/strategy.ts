import type { Signature } from '../signatures/index.js';
import type { Variable } from '../variables/index.js';
import { Module, type CallOptions } from './module.js';
import type { PredictOptions } from './predict.js';
import type { Prediction } from './prediction.js';
import { bindVariables } from './variable-binding.js';

/** A module class built as `new X(signature, options)`: Predict, ChainOfThought, … */
export type StrategyConstructor = new (sig: string | Signature, options?: PredictOptions) => Module;

/**
 * A module whose implementation is itself a parameter: `new StrategyModule(strategy, sig, options)`
 * builds `new strategy(sig, options)` and forwards to it. Given a module variable (e.g.
 * `v.reasoningStrategy({ strategies: { Predict, ChainOfThought } })`), the search swaps
 * Predict for ChainOfThought like any other value. The implementation is the `impl` property, so
 * its predictors are named `<name>.impl` (Predict) or `<name>.impl.predict` (ChainOfThought).
 *
 * @example
 * ```ts
 * class QA extends Module {
 *   answer = new StrategyModule(v.reasoningStrategy({ strategies: { Predict, ChainOfThought } }), 'question -> answer');
 *   forward(inputs: Record<string, unknown>) { return this.answer.call(inputs); }
 * }
 * programSpace(new QA()).names(); // ['answer.strategy']
 * ```
 */
export class StrategyModule extends Module {
  readonly impl: Module;

  constructor(
    strategy: StrategyConstructor | Variable<StrategyConstructor>,
    sig: string | Signature,
    options: PredictOptions = {},
  ) {
    super();
    const [Impl, s, o] = bindVariables(
      this,
      StrategyModule,
      [strategy, sig, options],
      ['strategy', 'signature', 'options'],
    ) as [StrategyConstructor, string | Signature, PredictOptions];
    this.impl = new Impl(s, o);
  }

  override forward(inputs: Record<string, unknown>, options?: CallOptions): Promise<Prediction> {
    return this.impl.call(inputs, options);
  }
}
