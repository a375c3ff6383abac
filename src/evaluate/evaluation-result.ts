import type { Example } from '../modules/example.js';
import type { Prediction } from '../modules/prediction.js';
import type { CallStats } from './call-accounting.js';
import { pythonRound } from './python-round.js';
import {
  nearestRankPercentile,
  violatedConstraints,
  type ObjectiveConstraint,
  type ObjectiveValues,
} from '../variables/index.js';
import { formatResultTable, resultRows, toCsv, type ResultRow } from './result-export.js';

/** The outcome of one devset example. */
export interface ExampleResult {
  /** Position in the devset. */
  index: number;
  example: Example;
  /** The program's prediction; an empty prediction when the example failed. */
  prediction: Prediction;
  /** The metric's value (booleans kept as booleans), or `failureScore` when the example failed. */
  score: number | boolean;
  /** What the program or the metric threw, when the example failed. */
  error?: unknown;
  /** Time the program took on the example (ms, from the evaluation's clock); absent on failure. */
  latencyMs?: number;
  /** USD the program spent on the example (its prediction's usage); absent on failure. */
  cost?: number;
}

/** Latency of the program over the devset (successful examples). */
export interface LatencyStats {
  meanMs: number;
  /** 95th percentile (nearest rank). */
  p95Ms: number;
}

/**
 * What `Evaluate.run()` returns: the percentage score as DSPy computes it
 * (`round(100 * Σscores / n, 2)`), per-example results in devset order, and the LM calls and usage
 * of the evaluation. Exports to DSPy's row shape as JSON, CSV or a text table.
 */
export class EvaluationResult {
  constructor(
    /** Percentage score, e.g. 66.67. */
    readonly score: number,
    readonly results: readonly ExampleResult[],
    /** Column name of the metric in exports (the metric function's name by default). */
    readonly metricName: string,
    /** LM calls, cache hits and usage of the whole evaluation. */
    readonly calls: CallStats,
    readonly durationMs: number,
  ) {}

  /** Number of examples that failed (program or metric threw). */
  get errorCount(): number {
    return this.results.filter((r) => r.error !== undefined).length;
  }

  /** Sum of the metric values (booleans as 1/0), as DSPy's `ncorrect`. */
  get total(): number {
    let sum = 0;
    for (const r of this.results) sum += typeof r.score === 'boolean' ? Number(r.score) : r.score;
    return sum;
  }

  /** USD the program spent over the whole devset (LM usage × prices; metric calls excluded). */
  get cost(): number {
    let sum = 0;
    for (const r of this.results) sum += r.cost ?? 0;
    return sum;
  }

  /** Mean and p95 latency per example. */
  get latency(): LatencyStats {
    const times = this.results
      .map((r) => r.latencyMs)
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => a - b);
    const meanMs = times.length === 0 ? 0 : times.reduce((a, b) => a + b, 0) / times.length;
    return { meanMs, p95Ms: nearestRankPercentile(times, 0.95) };
  }

  /** Quality (the score), cost (USD per example) and latency (mean ms), for multi-objective use. */
  objectives(): ObjectiveValues {
    return {
      quality: this.score,
      cost: this.results.length === 0 ? 0 : this.cost / this.results.length,
      latency: this.latency.meanMs,
    };
  }

  /**
   * The declared constraints this result breaks (`['cost <= 0.001', 'latency < 500']`), as
   * readable strings; empty when it meets them all.
   */
  violations(constraints: readonly (string | ObjectiveConstraint)[]): string[] {
    return violatedConstraints(this.objectives(), constraints);
  }

  /** DSPy's log line: `Average Metric: 2 / 3 (66.7%)`. */
  summary(): string {
    const n = this.results.length;
    return `Average Metric: ${this.total} / ${n} (${pythonRound((100 * this.total) / n, 1)}%)`;
  }

  /** Rows as DSPy exports them (example fields, prediction fields, metric). */
  rows(): ResultRow[] {
    return resultRows(this.results, this.metricName);
  }

  /** The rows as a JSON array (what `saveAsJson` writes). */
  toJsonRows(): string {
    return JSON.stringify(this.rows());
  }

  /** The rows as CSV (what `saveAsCsv` writes). */
  toCsv(): string {
    return toCsv(this.rows());
  }

  /** A text table of the first `maxRows` rows (all by default). */
  toTable(maxRows?: number): string {
    return formatResultTable(this.rows(), this.metricName, maxRows);
  }

  /** `JSON.stringify(result)`: score, counts, calls and rows. */
  toJSON(): Record<string, unknown> {
    return {
      score: this.score,
      metric: this.metricName,
      examples: this.results.length,
      errors: this.errorCount,
      durationMs: this.durationMs,
      cost: this.cost,
      latency: this.latency,
      calls: this.calls,
      rows: this.rows(),
    };
  }
}
