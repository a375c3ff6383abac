import { OrderedPool } from '../evaluate/ordered-pool.js';
import type { Metric } from '../evaluate/metric.js';
import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { TraceEntry } from '../modules/parameter.js';
import type { Prediction } from '../modules/prediction.js';
import { context } from '../modules/settings.js';
import { OptimizerError } from './optimizer-error.js';

/**
 * Why a search optimizer stopped: it ran its course, or a call cap was reached before the next
 * step (the result is then the best program found so far).
 */
export type StopReason = 'completed' | 'max_lm_calls' | 'max_metric_calls';

/** Caps on the calls a search run may make (checked between steps; a step always finishes). */
export interface CallCaps {
  /** Task- and prompt-model LM calls, cache hits included. */
  maxLmCalls?: number;
  /** Metric evaluations. */
  maxMetricCalls?: number;
}

/** Calls made so far, as the caps count them. */
export interface CallsUsed {
  lm: number;
  metric: number;
}

/** The cap `used` has reached, if any. */
export function capReached(caps: CallCaps, used: CallsUsed): StopReason | undefined {
  if (caps.maxLmCalls !== undefined && used.lm >= caps.maxLmCalls) return 'max_lm_calls';
  if (caps.maxMetricCalls !== undefined && used.metric >= caps.maxMetricCalls) {
    return 'max_metric_calls';
  }
  return undefined;
}

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

/** NumPy's default (`linear`) percentile of `values` at `q` (0…100). */
export function percentile(values: readonly number[], q: number): number {
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
