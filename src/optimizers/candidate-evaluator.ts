import { pythonRound } from '../evaluate/python-round.js';
import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { Prediction } from '../modules/prediction.js';
import type { Charge } from './budget.js';
import { OptimizerError } from './optimizer-error.js';

/** What an evaluation that ran elsewhere spent on the task model. */
export interface EvaluationSpend {
  lmCalls: number;
  promptTokens: number;
  completionTokens: number;
  usd: number;
}

/** The outcome of a {@link CandidateEvaluator} run. */
export interface CandidateEvaluation {
  /** Every example's metric value, in devset order (an example whose run failed scores 0). */
  scores: number[];
  /** Examples whose run raised an error. */
  errors: number;
  /** LM calls, tokens and dollars of the evaluation, wherever it ran. */
  spend: EvaluationSpend;
  /**
   * Each example's dollars, latency and LM calls, in devset order, when the evaluator measured
   * them (the space search's cost and latency objectives need them per example).
   */
  outcomes?: ExampleSpend[];
  /** Ids of the nodes that ran the evaluation (shards), when known. */
  nodes?: string[];
}

/** What one example of an evaluation cost and took. */
export interface ExampleSpend {
  cost: number;
  latencyMs: number;
  lmCalls: number;
}

/**
 * Scores a candidate program on a devset somewhere else than in this call's own scope — the
 * runtime passes one that splits the devset into evaluation shards spread over its nodes. The
 * program's state (`program.save()`) is what the evaluation runs; the metric is the evaluator's
 * own (the optimizer's `metric` option must be the same function, by name, on every node).
 */
export type CandidateEvaluator = (
  program: Module,
  devset: readonly Example[],
) => Promise<CandidateEvaluation>;

/**
 * One evaluated example's {@link ExampleSpend}: its cost and latency as `Evaluate` measured them
 * and the LM calls of its prediction's usage.
 */
export function exampleSpend(row: {
  cost?: number;
  latencyMs?: number;
  prediction: Prediction;
}): ExampleSpend {
  return {
    cost: row.cost ?? 0,
    latencyMs: row.latencyMs ?? 0,
    lmCalls: Object.values(row.prediction.usage ?? {}).reduce((s, u) => s + u.calls, 0),
  };
}

/** The percentage score of an evaluation, as `Evaluate` computes it (failures count as 0). */
export function evaluationScore(evaluation: CandidateEvaluation): number {
  const { scores } = evaluation;
  const total = scores.reduce((s, x) => s + x, 0);
  return scores.length === 0 ? 0 : pythonRound((100 * total) / scores.length, 2);
}

/** The budget charge of an evaluation: its spend, and one metric call per example that ran. */
export function evaluationCharge(evaluation: CandidateEvaluation): Charge {
  return {
    role: 'task',
    ...evaluation.spend,
    metricCalls: evaluation.scores.length - evaluation.errors,
  };
}

/**
 * Runs `evaluator` and checks its answer: one score per example, and no more failed examples than
 * `maxErrors` (as `Evaluate` would have stopped).
 */
export async function evaluateElsewhere(
  evaluator: CandidateEvaluator,
  program: Module,
  devset: readonly Example[],
  maxErrors: number,
): Promise<CandidateEvaluation> {
  const evaluation = await evaluator(program, devset);
  if (evaluation.scores.length !== devset.length)
    throw new OptimizerError(
      'invalid_option',
      `the evaluator returned ${evaluation.scores.length} scores for ${devset.length} examples`,
      { details: { scores: evaluation.scores.length, examples: devset.length } },
    );
  if (evaluation.errors > maxErrors)
    throw new OptimizerError(
      'max_errors_exceeded',
      `${evaluation.errors} of ${devset.length} examples failed in the evaluation (maxErrors ${maxErrors})`,
      { details: { errors: evaluation.errors, maxErrors } },
    );
  return evaluation;
}
