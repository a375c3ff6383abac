import type { Example } from '../modules/example.js';
import type { Prediction } from '../modules/prediction.js';
import type { CallStats } from './call-accounting.js';
import { pythonRound } from './python-round.js';
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
      calls: this.calls,
      rows: this.rows(),
    };
  }
}
