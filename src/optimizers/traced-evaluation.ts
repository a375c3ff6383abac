import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { Predictor, TraceEntry } from '../modules/parameter.js';
import { Prediction } from '../modules/prediction.js';
import { context } from '../modules/settings.js';
import type { EvaluationSpend } from './candidate-evaluator.js';
import { OptimizerError } from './optimizer-error.js';
import { mapInOrder } from './search-kit.js';

/** One predictor call of a traced run, as JSON: the predictor's name, its inputs and outputs. */
export interface TracedStep {
  predictor: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/**
 * One example's run with its trace and metric value, as JSON (what an evaluation shard returns;
 * the runtime checks it with the contracts' `tracedRunSchema` where a shard's result arrives).
 */
export interface TracedRun {
  /** The program's outputs; absent when the run raised. */
  outputs?: Record<string, unknown> | undefined;
  trace: TracedStep[];
  /** The metric's score (0 when the run raised; the optimizer applies its own failure score). */
  score: number;
  /** The metric's textual feedback, if it gave one. */
  feedback?: string | null | undefined;
  /** The metric's objective scores (multi-objective metrics). */
  objectives?: Record<string, number> | undefined;
  /** Why the run raised. */
  error?: string | undefined;
}

/** The outcome of a {@link TraceEvaluator}: each example's run in batch order, and the spend. */
export interface TracedEvaluation {
  runs: TracedRun[];
  spend: EvaluationSpend;
}

/**
 * Runs a candidate on a batch somewhere else, returning each example's outputs, trace and metric
 * value (GEPA's minibatch and validation evaluations; the runtime sends them as evaluation shards).
 * The metric is the evaluator's own and must be the optimizer's, by name, on every node.
 */
export type TraceEvaluator = (
  program: Module,
  batch: readonly Example[],
) => Promise<TracedEvaluation>;

/** A metric value as score, feedback and objective scores (a number, boolean or `{ score, … }`). */
export function readMetricValue(value: unknown): {
  score: number;
  feedback: string | null | undefined;
  objectives: Record<string, number> | undefined;
} {
  if (typeof value === 'number')
    return { score: value, feedback: undefined, objectives: undefined };
  if (typeof value === 'boolean')
    return { score: value ? 1 : 0, feedback: undefined, objectives: undefined };
  if (typeof value === 'object' && value !== null && 'score' in value) {
    const v = value as { score: unknown; feedback?: string | null; objectiveScores?: unknown };
    const s = v.score;
    return {
      score: typeof s === 'boolean' ? (s ? 1 : 0) : Number(s),
      feedback: v.feedback,
      objectives: v.objectiveScores as Record<string, number> | undefined,
    };
  }
  return { score: Number(value), feedback: undefined, objectives: undefined };
}

function plain(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/**
 * Runs `program` on every example of `batch` with a trace and scores it with `metric`
 * (`metric(example, prediction)`), `concurrency` at once: the JSON runs a {@link TraceEvaluator}
 * returns. A run that raises keeps its partial trace and the error's message.
 */
export async function runTraced(
  program: Module,
  batch: readonly Example[],
  metric: (example: Example, prediction: Prediction) => unknown,
  concurrency: number,
): Promise<TracedRun[]> {
  const names = new Map<Predictor, string>(
    program.namedPredictors().map(([name, p]) => [p, name] as [Predictor, string]),
  );
  return mapInOrder(batch.length, concurrency, async (i) => {
    const example = batch[i]!;
    const trace: TraceEntry[] = [];
    const steps = (): TracedStep[] =>
      trace.flatMap((t) => {
        const name = names.get(t.predictor);
        return name === undefined
          ? []
          : [{ predictor: name, inputs: plain(t.inputs), outputs: plain(t.prediction.toDict()) }];
      });
    let prediction: Prediction;
    try {
      prediction = await context({ trace }, () => program.call(example.inputs().toDict()));
    } catch (error) {
      return {
        trace: steps(),
        score: 0,
        error: error instanceof Error ? error.message : String(error),
      };
    }
    const value = readMetricValue(await metric(example, prediction));
    return {
      outputs: plain(prediction.toDict()),
      trace: steps(),
      score: value.score,
      ...(value.feedback === undefined ? {} : { feedback: value.feedback }),
      ...(value.objectives === undefined ? {} : { objectives: value.objectives }),
    };
  });
}

/** A traced run's prediction and trace over `program`'s own predictors (by name). */
export function restoreRun(
  program: Module,
  run: TracedRun,
): { prediction: Prediction | undefined; trace: TraceEntry[] } {
  const byName = new Map<string, Predictor>(program.namedPredictors());
  const trace = run.trace.map((step): TraceEntry => {
    const predictor = byName.get(step.predictor);
    if (predictor === undefined)
      throw new OptimizerError(
        'invalid_option',
        `a traced run names predictor ${step.predictor}, which the program does not have`,
        { details: { predictor: step.predictor } },
      );
    return { predictor, inputs: step.inputs, prediction: new Prediction(step.outputs) };
  });
  return {
    prediction: run.outputs === undefined ? undefined : new Prediction(run.outputs),
    trace,
  };
}
