import type { Example } from '../modules/example.js';
import type { TraceEntry } from '../modules/parameter.js';
import type { Prediction } from '../modules/prediction.js';
import { EvaluateError } from './evaluate-error.js';

/**
 * What a metric may return: a number, a boolean, or an object with a `score` (a `Prediction`, as
 * DSPy's LM judges return).
 */
export type MetricValue = number | boolean | Prediction | { readonly score: unknown };

/**
 * A metric, DSPy style: `(example, prediction, trace?)`. `trace` is given only while an optimizer
 * bootstraps demos; metrics then conventionally return a strict pass/fail (DSPy §2.8).
 *
 * @example
 * ```ts
 * const metric: Metric = (ex, pred) => ex.answer === pred.answer;
 * ```
 */
export type Metric = (
  example: Example,
  prediction: Prediction,
  trace?: readonly TraceEntry[],
) => MetricValue | Promise<MetricValue>;

/**
 * A metric's value as a number: booleans count 1/0, objects give their `score` (DSPy sums metric
 * values and `Prediction(score=…)` objects alike).
 */
export function scoreOf(value: MetricValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object' && value !== null && 'score' in value) {
    const s = (value as { score?: unknown }).score;
    if (typeof s === 'number') return s;
    if (typeof s === 'boolean') return s ? 1 : 0;
  }
  throw new EvaluateError(
    'invalid_metric_value',
    `A metric must return a number, a boolean or an object with a numeric or boolean score; got ${describe(value)}`,
    { details: { value: describe(value) } },
  );
}

/** The value to keep per example: a boolean or a number (objects reduced to their score). */
export function normalizeMetricValue(value: MetricValue): number | boolean {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  const s = (value as { score?: unknown }).score;
  if (typeof s === 'number' || typeof s === 'boolean') return s;
  return scoreOf(value);
}

/**
 * Whether a metric value accepts a bootstrapped trace, as DSPy's BootstrapFewShot decides: with a
 * (truthy) threshold, `score >= threshold`; otherwise the value's truthiness. Deliberate difference:
 * a `Prediction` is judged by its score, where Python's truthiness would accept any non-empty one.
 */
export function passes(value: MetricValue, threshold?: number): boolean {
  const score = scoreOf(value);
  // DSPy tests `if self.metric_threshold:`, so a threshold of 0 means "truthy", not ">= 0".
  if (threshold !== undefined && threshold !== 0) return score >= threshold;
  return score !== 0 && !Number.isNaN(score);
}

/** A readable name for a metric (DSPy uses the function's `__name__`). */
export function metricNameOf(metric: Metric, fallback = 'metric'): string {
  return metric.name !== '' ? metric.name : fallback;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return `${typeof value} ${String(value)}`;
}
