import { ChainOfThought } from '../modules/chain-of-thought.js';
import type { Example } from '../modules/example.js';
import { Module } from '../modules/module.js';
import type { TraceEntry } from '../modules/parameter.js';
import { Prediction } from '../modules/prediction.js';
import { signature, type Signature } from '../signatures/index.js';
import { describeFields, judgeMetric } from './lm-judge.js';
import type { Metric } from './metric.js';

const RECALL_DESC = 'fraction (out of 1.0) of ground truth covered by the system response';
const PRECISION_DESC = 'fraction (out of 1.0) of system response covered by the ground truth';

/** DSPy's `SemanticRecallPrecision` signature (same instructions, fields and descriptions). */
export const semanticRecallPrecision: Signature = describeFields(
  signature(
    'question: str, ground_truth: str, system_response: str -> recall: float, precision: float',
    "Compare a system's response to the ground truth to compute its recall and precision.\n" +
      'If asked to reason, enumerate key ideas in each response, and whether they are present in the other response.',
  ),
  { recall: RECALL_DESC, precision: PRECISION_DESC },
);

/** DSPy's `DecompositionalSemanticRecallPrecision` signature. */
export const decompositionalSemanticRecallPrecision: Signature = describeFields(
  signature(
    'question: str, ground_truth: str, system_response: str -> ground_truth_key_ideas: str, ' +
      'system_response_key_ideas: str, discussion: str, recall: float, precision: float',
    "Compare a system's response to the ground truth to compute recall and precision of key ideas.\n" +
      'You will first enumerate key ideas in each response, discuss their overlap, and then report recall and precision.',
  ),
  {
    ground_truth_key_ideas: 'enumeration of key ideas in the ground truth',
    system_response_key_ideas: 'enumeration of key ideas in the system response',
    discussion: 'discussion of the overlap between ground truth and system response',
    recall: RECALL_DESC,
    precision: PRECISION_DESC,
  },
);

/** F1 of precision and recall, each clamped to [0, 1] (DSPy `auto_evaluation.f1_score`). */
export function clampedF1(precision: number, recall: number): number {
  const p = Math.max(0, Math.min(1, precision));
  const r = Math.max(0, Math.min(1, recall));
  return p + r === 0 ? 0 : (2 * (p * r)) / (p + r);
}

/** Options of {@link SemanticF1}. */
export interface SemanticF1Options {
  /** Pass mark while bootstrapping (when a trace is given): `f1 >= threshold` (default 0.66). */
  threshold?: number;
  /** Use the decompositional signature (key ideas, discussion, then scores). Default false. */
  decompositional?: boolean;
  /** Field names read from the example and prediction (DSPy: `question`, `response`, `response`). */
  fields?: { question?: string; groundTruth?: string; response?: string };
}

/**
 * An LM judge metric (DSPy's `SemanticF1`): a ChainOfThought over DSPy's
 * `SemanticRecallPrecision` signature estimates recall and precision of the prediction's key
 * ideas against the ground truth; the score is their F1, or `f1 >= threshold` when a trace is given
 * (bootstrapping). As a Module its judge predictor can itself be optimized; use
 * {@link SemanticF1.asMetric} where a metric function is expected.
 *
 * @example
 * ```ts
 * const judge = new SemanticF1();
 * const result = await new Evaluate({ devset, metric: judge.asMetric() }).run(program);
 * ```
 */
export class SemanticF1 extends Module {
  readonly threshold: number;
  readonly module: ChainOfThought;
  private readonly fieldNames: { question: string; groundTruth: string; response: string };

  constructor(options: SemanticF1Options = {}) {
    super();
    this.threshold = options.threshold ?? 0.66;
    this.module = new ChainOfThought(
      options.decompositional === true
        ? decompositionalSemanticRecallPrecision
        : semanticRecallPrecision,
    );
    this.fieldNames = {
      question: options.fields?.question ?? 'question',
      groundTruth: options.fields?.groundTruth ?? 'response',
      response: options.fields?.response ?? 'response',
    };
  }

  /** `inputs`: `{ example, prediction, trace? }`. Returns `Prediction({ score })`. */
  async forward(inputs: Record<string, unknown>): Promise<Prediction> {
    const example = inputs['example'] as Example;
    const prediction = inputs['prediction'] as Prediction;
    const trace = inputs['trace'] as readonly TraceEntry[] | undefined;
    const scores = await this.module.call({
      question: example.get(this.fieldNames.question),
      ground_truth: example.get(this.fieldNames.groundTruth),
      system_response: prediction.get(this.fieldNames.response),
    });
    const score = clampedF1(Number(scores.get('precision')), Number(scores.get('recall')));
    return new Prediction({ score: trace === undefined ? score : score >= this.threshold });
  }

  /** This judge as a {@link Metric} `(example, prediction, trace?)`, named `SemanticF1`. */
  asMetric(): Metric {
    return judgeMetric(this, 'SemanticF1');
  }
}
