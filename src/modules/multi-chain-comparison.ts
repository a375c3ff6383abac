import { signature as toSignature, type Signature } from '../signatures/index.js';
import { ModuleError } from './errors.js';
import { Example } from './example.js';
import { Module, type CallOptions } from './module.js';
import { Predict, type PredictOptions } from './predict.js';
import type { Prediction } from './prediction.js';

/** Options of {@link MultiChainComparison}: Predict's options plus the number of attempts. */
export type MultiChainComparisonOptions = PredictOptions & {
  /** Number of attempts compared (DSPy's `M`, default 3). */
  m?: number;
};

/**
 * Compares several reasoning attempts and writes a corrected answer (DSPy's
 * `dspy.MultiChainComparison`). The signature gets `m` inputs `reasoning_attempt_1…m` (prefix
 * `Student Attempt #i:`) and a first output `rationale` (prefix `Accurate Reasoning: Thank you
 * everyone. Let's now holistically`); the predictor runs at temperature 0.7 unless told otherwise.
 * Call it with `completions` (the attempts: records or predictions with `rationale` or `reasoning`
 * and the signature's last output) beside the signature's inputs; each attempt is rendered as
 * `«I'm trying to <first line of reasoning> I'm not sure but my prediction is <first line of answer>»`.
 *
 * @example
 * ```ts
 * const cot = new ChainOfThought('question -> answer', { n: 3 });
 * const attempts = (await cot.call({ question })).completions;
 * const mcc = new MultiChainComparison('question -> answer', { m: 3 });
 * (await mcc.call({ completions: [...attempts], question })).answer;
 * ```
 */
export class MultiChainComparison extends Module {
  readonly m: number;
  /** The signature's last output field, whose value each attempt reports. */
  readonly lastKey: string;
  readonly predict: Predict;

  constructor(sig: string | Signature, options: MultiChainComparisonOptions = {}) {
    super();
    const { m = 3, temperature = 0.7, ...predictOptions } = options;
    let extended = toSignature(sig);
    const last = extended.outputFields[extended.outputFields.length - 1];
    if (last === undefined) {
      throw new ModuleError('invalid_argument', 'MultiChainComparison needs an output field.');
    }
    this.m = m;
    this.lastKey = last.name;
    for (let i = 1; i <= m; i++) {
      extended = extended.append(`reasoning_attempt_${i}`, 'input', {
        prefix: `Student Attempt #${i}:`,
        desc: '${reasoning attempt}',
      });
    }
    extended = extended.prepend('rationale', 'output', {
      prefix: "Accurate Reasoning: Thank you everyone. Let's now holistically",
      desc: '${corrected reasoning}',
    });
    this.predict = new Predict(extended, { ...predictOptions, temperature });
  }

  override forward(inputs: Record<string, unknown>, options?: CallOptions): Promise<Prediction> {
    const { completions, ...rest } = inputs;
    const list = completions === undefined ? [] : [...(completions as Iterable<unknown>)];
    const attempts = list.map((c) => {
      const get = (k: string): unknown =>
        c instanceof Example ? c.get(k) : (c as Record<string, unknown>)[k];
      const rationale = firstLine(String(get('rationale') ?? get('reasoning')));
      const answer = firstLine(String(get(this.lastKey)));
      return `«I'm trying to ${rationale} I'm not sure but my prediction is ${answer}»`;
    });
    if (attempts.length !== this.m) {
      throw new ModuleError(
        'invalid_argument',
        `The number of attempts (${attempts.length}) doesn't match the expected number M (${this.m}). Please set the correct value for M when initializing MultiChainComparison.`,
        { details: { attempts: attempts.length, m: this.m } },
      );
    }
    const fields = Object.fromEntries(attempts.map((a, i) => [`reasoning_attempt_${i + 1}`, a]));
    return this.predict.call({ ...fields, ...rest }, options);
  }
}

/** Python's `s.strip().split("\n")[0].strip()`. */
function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').trim();
}
