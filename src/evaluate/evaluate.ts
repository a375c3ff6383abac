import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

import { emitCallback } from '../context/index.js';
import { Example } from '../modules/example.js';
import { Prediction } from '../modules/prediction.js';
import { currentSettings } from '../modules/settings.js';
import { CallAccounting } from './call-accounting.js';
import { EvaluateError } from './evaluate-error.js';
import { EvaluationResult, type ExampleResult } from './evaluation-result.js';
import { metricNameOf, normalizeMetricValue, type Metric } from './metric.js';
import { OrderedPool } from './ordered-pool.js';
import { createProgressDisplay } from './progress-display.js';
import { pythonRound } from './python-round.js';
import { exampleCost } from './program-cost.js';
import type { PriceTable } from '../lm/pricing.js';

/** Anything that can be evaluated: a Module (or any object with the same `call`). */
export interface EvaluableProgram {
  call(inputs: Record<string, unknown>): Promise<Prediction>;
}

/** Progress of an evaluation, reported as each example settles. */
export interface EvaluateProgress {
  completed: number;
  total: number;
  errors: number;
  /** Sum of the metric values of the successful examples so far. */
  scoreSum: number;
}

/** Options of {@link Evaluate}; each can also be overridden per `run()`. */
export interface EvaluateOptions {
  /** The examples, each with its inputs marked (`example.withInputs(...)`). */
  devset: readonly Example[];
  /** `(example, prediction, trace?) => number | boolean | { score }`, possibly async. */
  metric?: Metric;
  /** Examples evaluated at once. Default: `numThreads` from the settings, else 8. */
  concurrency?: number;
  /**
   * Failures (program or metric throwing) tolerated: the evaluation aborts with
   * `EvaluateError('max_errors_exceeded')` when this many have occurred (DSPy's
   * `error_count >= max_errors`). Default: `maxErrors` from the settings, else 10.
   */
  maxErrors?: number;
  /** Score of a failed example (default 0). */
  failureScore?: number;
  /** Progress bar on a TTY (default true; always silent when the stream is not a TTY). */
  display?: boolean;
  /** Prints the result table after the run: `true` for all rows, a number for the first N. */
  displayTable?: boolean | number;
  /** Writes the result rows to this CSV file. */
  saveAsCsv?: string;
  /** Writes the result rows to this JSON file. */
  saveAsJson?: string;
  /** Column name of the metric in tables and exports (default: the metric function's name). */
  metricName?: string;
  /** Called as each example settles (completion order). */
  onProgress?: (progress: EvaluateProgress) => void;
  /** Stream of the progress bar (default `process.stderr`). */
  progressStream?: NodeJS.WriteStream;
  /** Where `displayTable` prints (default `console.log`). */
  print?: (text: string) => void;
  /** Clock of the per-example latency, in ms (default `performance.now`); inject one in tests. */
  clock?: () => number;
  /**
   * Prices (USD per 1M tokens) the program's cost is computed with from its token usage; default:
   * the cost each LM reported (its `prices` option or the global table).
   */
  prices?: PriceTable;
}

/**
 * Runs a program over a devset and scores it with a metric (DSPy's `dspy.Evaluate`, §2.8):
 * bounded concurrency, an error budget, a failure score, a percentage score rounded as Python
 * does, a progress bar, a result table and JSON/CSV export. Results keep devset order whatever the
 * concurrency. LM calls and usage of the run are counted in their own context scope.
 *
 * @example
 * ```ts
 * const evaluate = new Evaluate({ devset, metric: answerExactMatch, concurrency: 4 });
 * const result = await evaluate.run(program);
 * console.log(result.score, result.calls.lmCalls); // 66.67 3
 * ```
 */
export class Evaluate {
  constructor(readonly options: EvaluateOptions) {}

  /** Evaluates `program`; `overrides` replace options for this run only. */
  async run(
    program: EvaluableProgram,
    overrides: Partial<EvaluateOptions> = {},
  ): Promise<EvaluationResult> {
    const opts: EvaluateOptions = { ...this.options, ...definedOnly(overrides) };
    const callId = randomUUID();
    emitCallback('onEvaluateStart', callId, this, {
      program,
      devset: opts.devset,
      metric: opts.metric,
    });
    try {
      const result = await this.evaluate(program, opts);
      emitCallback('onEvaluateEnd', callId, result, undefined);
      return result;
    } catch (error) {
      emitCallback('onEvaluateEnd', callId, undefined, error);
      throw error;
    }
  }

  private async evaluate(
    program: EvaluableProgram,
    opts: EvaluateOptions,
  ): Promise<EvaluationResult> {
    const { devset } = opts;
    const metric = opts.metric;
    if (metric === undefined) {
      throw new EvaluateError(
        'invalid_option',
        'Evaluate needs a metric (in the options or the run overrides)',
      );
    }
    if (devset.length === 0) throw new EvaluateError('invalid_option', 'The devset is empty');
    devset.forEach((ex, index) => {
      if (!(ex instanceof Example) || ex.inputKeys === null) {
        throw new EvaluateError(
          'invalid_option',
          `devset[${index}] has no inputs marked; build examples with new Example({...}).withInputs('field', ...)`,
          { details: { index } },
        );
      }
    });
    const settings = currentSettings();
    const concurrency = opts.concurrency ?? settings.numThreads ?? 8;
    const maxErrors = opts.maxErrors ?? settings.maxErrors ?? 10;
    const failureScore = opts.failureScore ?? 0;
    const metricName = opts.metricName ?? metricNameOf(metric);
    const clock = opts.clock ?? (() => performance.now());
    const started = clock();

    const accounting = new CallAccounting();
    const progress = createProgressDisplay(
      devset.length,
      opts.display ?? true,
      opts.progressStream,
    );
    const settled: (ExampleResult | undefined)[] = new Array<ExampleResult | undefined>(
      devset.length,
    );
    const failedIndices: number[] = [];
    let lastError: unknown;
    let completed = 0;
    let scoreSum = 0;
    let okCount = 0;

    const pool = new OrderedPool<{
      prediction: Prediction;
      score: number | boolean;
      latencyMs: number;
      cost: number;
    }>(
      devset.length,
      (index) =>
        accounting.run(async () => {
          const example = devset[index]!;
          const t0 = clock();
          const prediction = await program.call(example.inputs().toDict());
          const latencyMs = clock() - t0;
          const score = normalizeMetricValue(await metric(example, prediction));
          return { prediction, score, latencyMs, cost: exampleCost(prediction, opts.prices) };
        }),
      {
        concurrency,
        onSettled: (index, outcome) => {
          completed++;
          const example = devset[index]!;
          if (outcome.ok) {
            okCount++;
            scoreSum += Number(outcome.value.score);
            settled[index] = { index, example, ...outcome.value };
          } else {
            failedIndices.push(index);
            lastError = outcome.error;
            settled[index] = {
              index,
              example,
              prediction: new Prediction(),
              score: failureScore,
              error: outcome.error,
            };
            if (failedIndices.length >= maxErrors) pool.stop();
          }
          const pct = okCount === 0 ? 0 : pythonRound((100 * scoreSum) / okCount, 1);
          progress.update(
            completed,
            `Average Metric: ${scoreSum.toFixed(2)} / ${okCount} (${pct}%)`,
          );
          try {
            opts.onProgress?.({
              completed,
              total: devset.length,
              errors: failedIndices.length,
              scoreSum,
            });
          } catch {
            // A progress listener observes; its failure is not the evaluation's.
          }
        },
      },
    );

    try {
      for await (const _ of pool.results()) {
        if (pool.isStopped) break;
      }
      await pool.drain();
    } finally {
      progress.stop();
    }

    if (failedIndices.length >= maxErrors && failedIndices.length > 0) {
      throw new EvaluateError(
        'max_errors_exceeded',
        `Evaluation stopped after ${failedIndices.length} failed examples (maxErrors ${maxErrors}): ${errorText(lastError)}`,
        {
          cause: lastError,
          details: {
            errors: failedIndices.length,
            maxErrors,
            failedIndices: [...failedIndices].sort((a, b) => a - b),
          },
        },
      );
    }

    const results = settled as ExampleResult[];
    let total = 0;
    // Summed in devset order, as DSPy does, so float totals are bit-identical to sequential runs.
    for (const r of results) total += Number(r.score);
    const score = pythonRound((100 * total) / results.length, 2);
    const result = new EvaluationResult(
      score,
      results,
      metricName,
      accounting.stats(),
      clock() - started,
    );

    const displayTable = opts.displayTable ?? false;
    if (displayTable !== false) {
      const print = opts.print ?? ((text: string) => console.log(text));
      print(result.toTable(displayTable === true ? undefined : displayTable));
    }
    if (opts.saveAsCsv !== undefined) await writeFile(opts.saveAsCsv, result.toCsv(), 'utf8');
    if (opts.saveAsJson !== undefined)
      await writeFile(opts.saveAsJson, result.toJsonRows(), 'utf8');
    return result;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
