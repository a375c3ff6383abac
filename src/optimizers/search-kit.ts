import { CallAccounting } from '../evaluate/call-accounting.js';
import { Evaluate } from '../evaluate/evaluate.js';
import { OrderedPool } from '../evaluate/ordered-pool.js';
import type { Metric } from '../evaluate/metric.js';
import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { TraceEntry } from '../modules/parameter.js';
import type { Prediction } from '../modules/prediction.js';
import { context } from '../modules/settings.js';
import type { BudgetStopReason } from './budget.js';
import type { OptimizerStats } from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';

/**
 * Why a search optimizer stopped: it ran its course, or a budget cap was reached before the next
 * step (the result is then the best program found so far).
 */
export type StopReason = 'completed' | BudgetStopReason;

/** Validates an integer option `>= min`. */
export function checkInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new OptimizerError(
      'invalid_option',
      `${name} must be an integer >= ${min}, got ${value}`,
      {
        details: { [name]: value },
      },
    );
  }
  return value;
}

/** Runs `count` tasks with at most `concurrency` at once; results in index order. */
export async function mapInOrder<R>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<R>,
): Promise<R[]> {
  const pool = new OrderedPool<R>(count, task, { concurrency });
  const out: R[] = [];
  for await (const [, outcome] of pool.results()) {
    if (!outcome.ok) {
      pool.stop();
      await pool.drain();
      throw outcome.error;
    }
    out.push(outcome.value);
  }
  return out;
}

/** One scored run of a program on an example (DSPy SIMBA's `wrap_program` output). */
export interface ScoredRun {
  example: Example;
  /** `undefined` when the program threw. */
  prediction: Prediction | undefined;
  trace: TraceEntry[];
  score: number;
  /** Fields of an object-valued metric result besides `score` (e.g. `feedback`). */
  metadata: Record<string, unknown>;
}

/**
 * Runs `program` on `example` with a fresh trace and scores it; a failing program or metric
 * scores 0 (DSPy logs and continues). The metric is not called when the program failed.
 */
export async function runScored(
  program: Module,
  example: Example,
  metric: Metric,
  metricCalls: { count: number },
): Promise<ScoredRun> {
  const trace: TraceEntry[] = [];
  let prediction: Prediction | undefined;
  try {
    prediction = await context({ trace }, () => program.call(example.inputs().toDict()));
  } catch {
    prediction = undefined;
  }
  let score = 0;
  let metadata: Record<string, unknown> = {};
  if (prediction !== undefined) {
    try {
      metricCalls.count++;
      const value = await metric(example, prediction);
      if (typeof value === 'number') score = value;
      else if (typeof value === 'boolean') score = value ? 1 : 0;
      else if (typeof value === 'object' && value !== null) {
        const entries =
          'items' in value && typeof value.items === 'function'
            ? (value.items() as [string, unknown][])
            : Object.entries(value);
        const s = entries.find(([k]) => k === 'score')?.[1];
        score = typeof s === 'boolean' ? (s ? 1 : 0) : typeof s === 'number' ? s : 0;
        metadata = Object.fromEntries(entries.filter(([k]) => k !== 'score'));
      }
    } catch {
      score = 0;
    }
  }
  return { example, prediction, trace: [...trace], score, metadata };
}

/**
 * NumPy's default (`linear`) percentile of `values` (any order) at `q` in 0…100: interpolates
 * between the two nearest ranks, so it may return a value not in `values`; `NaN` for none. What
 * SIMBA's bucket thresholds use, as DSPy does (`np.percentile`). Not to be confused with
 * {@link nearestRankPercentile} (variables), which takes sorted values and `q` in 0…1.
 */
export function linearPercentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const frac = pos - lo;
  // NumPy's _lerp: a + (b - a) * t, or b - (b - a) * (1 - t) when t >= 0.5.
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return frac >= 0.5 ? b - (b - a) * (1 - frac) : a + (b - a) * frac;
}

/**
 * Runs an optimizer body in its own call-accounting scope and adds the run's statistics (LM calls,
 * usage, metric calls counted by the body, wall time) to its result. `adjust` may correct the
 * statistics from the body's result (an optimizer whose budget counts calls the scope cannot see,
 * such as evaluations that ran in shards).
 *
 * @example
 * ```ts
 * const { program, stats } = await measured((metricCalls) => search(student, metricCalls));
 * ```
 */
export async function measured<R extends object>(
  body: (metricCalls: { count: number }) => Promise<R>,
  adjust?: (result: R, stats: OptimizerStats) => OptimizerStats,
): Promise<R & { stats: OptimizerStats }> {
  const started = performance.now();
  const accounting = new CallAccounting();
  const metricCalls = { count: 0 };
  const result = await accounting.run(() => body(metricCalls));
  const stats: OptimizerStats = {
    ...accounting.stats(),
    metricCalls: metricCalls.count,
    durationMs: performance.now() - started,
  };
  return { ...result, stats: adjust === undefined ? stats : adjust(result, stats) };
}

/** The percentage score of `program` on `devset` (Evaluate, no display); counts metric calls. */
export async function devsetScore(
  program: Module,
  devset: readonly Example[],
  metric: Metric,
  metricCalls: { count: number },
  options: { concurrency?: number | undefined; maxErrors?: number | undefined } = {},
): Promise<number> {
  const counted: Metric = (example, prediction, trace) => {
    metricCalls.count++;
    return metric(example, prediction, trace);
  };
  const evaluation = await new Evaluate({
    devset,
    metric: counted,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.maxErrors !== undefined ? { maxErrors: options.maxErrors } : {}),
    display: false,
  }).run(program);
  return evaluation.score;
}
