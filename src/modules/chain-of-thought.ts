import {
  signature as toSignature,
  type FieldOptions,
  type Signature,
  type SignatureSpec,
  type SpecInputs,
  type SpecOutputs,
} from '../signatures/index.js';
import { Module, type CallOptions } from './module.js';
import { Predict, type PredictOptions } from './predict.js';
import type { Prediction } from './prediction.js';
import { bindOptions } from './variable-binding.js';

/** Options of {@link ChainOfThought}: Predict's options plus the rationale field. */
export type ChainOfThoughtOptions<R extends string = string> = PredictOptions & {
  /**
   * Name, type, description or prefix of the reasoning field (default `reasoning: str`). Its
   * compile-time type is `string` whatever `type` says.
   */
  rationaleField?: FieldOptions & { name?: R };
};

/**
 * The outputs of a {@link ChainOfThought}: the reasoning field `R` (a string) first, then the
 * signature's outputs.
 */
export type WithReasoning<O, R extends string = 'reasoning'> = {
  [K in R | keyof O]: K extends R ? string : K extends keyof O ? O[K] : never;
};

/**
 * Reason step by step, then answer (DSPy's `dspy.ChainOfThought`): a {@link Predict} whose
 * signature has a `reasoning` output prepended, so the LM writes its reasoning before the other
 * outputs. The instructions are unchanged; the inner predictor is `predict` (named
 * `<name>.predict` in a program), and the prediction exposes `.reasoning`.
 *
 * Typed like {@link Predict}, with `reasoning: string` (or the `rationaleField.name` given) added
 * to the outputs.
 *
 * @example
 * ```ts
 * const cot = new ChainOfThought('question -> answer');
 * const pred = await cot.call({ question: 'What is 1+1?' });
 * pred.reasoning; pred.answer;
 * ```
 */
export class ChainOfThought<
  S extends SignatureSpec = SignatureSpec,
  R extends string = 'reasoning',
  I extends object = SpecInputs<S>,
  O extends object = WithReasoning<SpecOutputs<S>, R>,
> extends Module<I, O> {
  readonly predict: Predict<Signature<I, O>, I, O>;

  constructor(sig: S, options: ChainOfThoughtOptions<R> = {}) {
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
    this.predict = new Predict(extended as Signature as Signature<I, O>, predictOptions);
  }

  override forward(inputs: I, options?: CallOptions): Promise<Prediction<O>> {
    return this.predict.call(inputs, options);
  }
}
