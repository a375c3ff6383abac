import { ChainOfThought } from '../modules/chain-of-thought.js';
import type { Example } from '../modules/example.js';
import { Module } from '../modules/module.js';
import { Prediction } from '../modules/prediction.js';
import { signature, type Signature } from '../signatures/index.js';
import { describeFields, judgeMetric } from './lm-judge.js';
import type { Metric } from './metric.js';
import { clampedF1 } from './semantic-f1.js';

/** DSPy's `AnswerCompleteness` signature. */
export const answerCompleteness: Signature = describeFields(
  signature(
    'question: str, ground_truth: str, system_response: str -> ground_truth_key_ideas: str, ' +
      'system_response_key_ideas: str, discussion: str, completeness: float',
    "Estimate the completeness of a system's responses, against the ground truth.\n" +
      'You will first enumerate key ideas in each response, discuss their overlap, and then report completeness.',
  ),
  {
    ground_truth_key_ideas: 'enumeration of key ideas in the ground truth',
    system_response_key_ideas: 'enumeration of key ideas in the system response',
    discussion: 'discussion of the overlap between ground truth and system response',
    completeness: 'fraction (out of 1.0) of ground truth covered by the system response',
  },
);

/** DSPy's `AnswerGroundedness` signature. */
export const answerGroundedness: Signature = describeFields(
  signature(
    'question: str, retrieved_context: str, system_response: str -> system_response_claims: str, ' +
      'discussion: str, groundedness: float',
    "Estimate the groundedness of a system's responses, against real retrieved documents written by people.\n" +
      'You will first enumerate whatever non-trivial or check-worthy claims are made in the system response, and then\n' +
      'discuss the extent to which some or all of them can be deduced from the retrieved context and basic commonsense.',
  ),
  {
    system_response_claims:
      'enumeration of non-trivial or check-worthy claims in the system response',
    discussion: 'discussion of how supported the claims are by the retrieved context',
    groundedness: 'fraction (out of 1.0) of system response supported by the retrieved context',
  },
);

/**
 * An LM judge combining completeness against the ground truth (`example.response`) and
 * groundedness in the retrieved context (`prediction.context`) into an F1 (DSPy's
 * `CompleteAndGrounded`); `score >= threshold` when a trace is given. Two LM calls per example.
 *
 * @example
 * ```ts
 * const result = await new Evaluate({ devset, metric: new CompleteAndGrounded().asMetric() }).run(rag);
 * ```
 */
export class CompleteAndGrounded extends Module {
  readonly threshold: number;
  readonly completenessModule = new ChainOfThought(answerCompleteness);
  readonly groundednessModule = new ChainOfThought(answerGroundedness);

  constructor(options: { threshold?: number } = {}) {
    super();
    this.threshold = options.threshold ?? 0.66;
  }

  /** `inputs`: `{ example, prediction, trace? }`. Returns `Prediction({ score })`. */
  async forward(inputs: Record<string, unknown>): Promise<Prediction> {
    const example = inputs['example'] as Example;
    const prediction = inputs['prediction'] as Prediction;
    const completeness = await this.completenessModule.call({
      question: example.get('question'),
      ground_truth: example.get('response'),
      system_response: prediction.get('response'),
    });
    const groundedness = await this.groundednessModule.call({
      question: example.get('question'),
      retrieved_context: prediction.get('context'),
      system_response: prediction.get('response'),
    });
    const score = clampedF1(
      Number(groundedness.get('groundedness')),
      Number(completeness.get('completeness')),
    );
    return new Prediction({
      score: inputs['trace'] === undefined ? score : score >= this.threshold,
    });
  }

  /** This judge as a {@link Metric}, named `CompleteAndGrounded`. */
  asMetric(): Metric {
    return judgeMetric(this, 'CompleteAndGrounded');
  }
}
