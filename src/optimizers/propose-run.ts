import { Evaluate } from '../evaluate/evaluate.js';
import { metricNameOf, type Metric } from '../evaluate/metric.js';
import type { LM } from '../lm/types.js';
import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { Predictor } from '../modules/parameter.js';
import { context, currentSettings } from '../modules/settings.js';
import type { BudgetLimits, BudgetStopReason, BudgetUsage } from './budget.js';
import { report, type CommonOptimizerOptions, type OptimizationResult } from './optimizer.js';
import {
  evaluateElsewhere,
  evaluationCharge,
  evaluationScore,
  type CandidateEvaluation,
  type CandidateEvaluator,
} from './candidate-evaluator.js';
import { RunJournal, type OptimizerCheckpoint } from './run-journal.js';
import { measured } from './search-kit.js';

/** Options COPRO and MIPROv2 share (DSPy's arguments, camelCased, plus budgets and checkpoints). */
export interface PromptOptimizerOptions extends CommonOptimizerOptions, BudgetLimits {
  /** Scores candidates (and accepts bootstrapped traces in MIPROv2). */
  metric: Metric;
  /** LM that proposes instructions (default: the configured LM). Its calls count as `prompt`. */
  promptModel?: LM;
  /** Error budget of each evaluation (default: settings, else 10). */
  maxErrors?: number;
  /** Progress bars of the evaluations on a TTY (default false). */
  display?: boolean;
  /**
   * Called (and awaited) after every step with the run's JSON-safe checkpoint; pass the last one
   * back as `resumeFrom` to finish an interrupted run exactly as an uninterrupted one would.
   */
  checkpoint?: (checkpoint: OptimizerCheckpoint) => void | Promise<void>;
  /**
   * Scores candidates somewhere else (the runtime spreads them as evaluation shards over its
   * nodes) instead of with a local `Evaluate`; its spend is charged to the run as the task model's.
   */
  evaluator?: CandidateEvaluator;
}

/** What COPRO and MIPROv2 return besides the program. */
export interface PromptOptimizationResult<M extends Module> extends OptimizationResult<M> {
  /** The best score (percentage), as evaluated on the optimizer's evaluation set. */
  score: number;
  /** Spend of the run, task and prompt model apart (replayed steps included). */
  usage: BudgetUsage;
  /** The cap that ended the run early (the program is then the best found so far). */
  stopReason?: BudgetStopReason;
  /** The final checkpoint (what `resumeFrom` takes). */
  checkpoint: OptimizerCheckpoint;
}

/** The name of a signature's last field (DSPy's `*_, last_key = signature.fields.keys()`). */
export function lastFieldName(predictor: Predictor): string {
  const fields = predictor.signature.fields;
  return fields[fields.length - 1]!.name;
}

/** Runs `fn` with `lm` as the configured LM when given (DSPy's `with dspy.context(lm=...)`). */
export function withLm<T>(lm: LM | undefined, fn: () => Promise<T>): Promise<T> {
  return lm === undefined ? fn() : context({ lm }, fn);
}

/** A journaled evaluation of `program` on `devset`: its percentage score, as a `task` step. */
export function evaluateStep(
  journal: RunJournal,
  key: string,
  program: Module,
  devset: readonly Example[],
  options: PromptOptimizerOptions,
): Promise<number> {
  const maxErrors = options.maxErrors ?? currentSettings().maxErrors ?? 10;
  const { evaluator } = options;
  if (evaluator !== undefined) {
    let remote: CandidateEvaluation | undefined;
    return journal.step(
      key,
      'task',
      async () => {
        remote = await evaluateElsewhere(evaluator, program, devset, maxErrors);
        return evaluationScore(remote);
      },
      (_, measured) => (remote === undefined ? measured : evaluationCharge(remote)),
    );
  }
  return journal.step(key, 'task', async () => {
    const evaluation = await new Evaluate({
      devset,
      metric: journal.budget.countingMetric(options.metric),
      metricName: metricNameOf(options.metric),
      concurrency: options.concurrency ?? 1,
      maxErrors,
      display: options.display ?? false,
    }).run(program);
    return evaluation.score;
  });
}

/**
 * Runs a journaled optimizer body: a {@link RunJournal} over the options' caps (resuming from
 * `resumeFrom`), LM calls counted in their own scope, and the shared result fields (spend,
 * final checkpoint, stats) added to what `body` returns.
 */
export async function runJournaled<M extends Module, R extends { program: M }>(
  optimizer: string,
  options: PromptOptimizerOptions,
  resumeFrom: OptimizerCheckpoint | undefined,
  body: (journal: RunJournal) => Promise<R>,
): Promise<R & Omit<PromptOptimizationResult<M>, 'program' | 'score'>> {
  const journal = new RunJournal(optimizer, options, resumeFrom, options.checkpoint);
  // Metric calls are the journal's: replayed steps and evaluations that ran elsewhere count too.
  const result = await measured(
    () => body(journal),
    (_, stats) => ({ ...stats, metricCalls: journal.budget.usage.metricCalls }),
  );
  return { ...result, usage: journal.budget.usage, checkpoint: journal.checkpoint() };
}

/** Emits a step progress event with the run's spend. */
export function reportStep(
  options: PromptOptimizerOptions,
  optimizer: string,
  journal: RunJournal,
  event: {
    phase: 'propose' | 'trial';
    step: string;
    score?: number;
    full?: boolean;
    bestScore?: number;
  },
): void {
  report(options.onProgress, { optimizer, ...event, usage: journal.budget.usage });
}
