import {
  signature as toSignature,
  type FieldOptions,
  type Signature,
} from '../signatures/index.js';
import { Module, type CallOptions } from './module.js';
import { Predict, type PredictOptions } from './predict.js';
import type { Prediction } from './prediction.js';
import { bindOptions } from './variable-binding.js';

/** Options of {@link ChainOfThought}: Predict's options plus the rationale field. */
export type ChainOfThoughtOptions = PredictOptions & {
  /** Name, type, description or prefix of the reasoning field (default `reasoning: str`). */
  rationaleField?: FieldOptions & { name?: string };
};

/**
 * Reason step by step, then answer (DSPy's `dspy.ChainOfThought`): a {@link Predict} whose
 * signature has a `reasoning` output prepended, so the LM writes its reasoning before the other
 * outputs. The instructions are unchanged; the inner predictor is `predict` (named
 * `<name>.predict` in a program), and the prediction exposes `.reasoning`.
 *
 * @example
 * ```ts
 * const cot = new ChainOfThought('question -> answer');
 * const pred = await cot.call({ question: 'What is 1+1?' });
 * pred.reasoning; pred.answer;
 * ```
 */
export class ChainOfThought extends Module {
  readonly predict: Predict;

  constructor(sig: string | Signature, options: ChainOfThoughtOptions = {}) {
    super();
    const { rationaleField = {}, ...predictOptions } = bindOptions(
      this,
      ChainOfThought,
      sig,
      options,
    );
    const { name = 'reasoning', ...fieldOptions } = rationaleField;
    const extended = toSignature(sig).prepend(name, 'output', {
      desc: `\${${name}}`,
      type: 'str',
      ...fieldOptions,
    });
    this.predict = new Predict(extended, predictOptions);
  }

  override forward(inputs: Record<string, unknown>, options?: CallOptions): Promise<Prediction> {
    return this.predict.call(inputs, options);
  }
}
