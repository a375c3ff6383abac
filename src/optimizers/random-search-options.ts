import type { EvaluationResult } from '../evaluate/evaluation-result.js';
import type { Metric } from '../evaluate/metric.js';
import type { Module, ProgramState } from '../modules/module.js';
import type { BudgetStopReason } from './budget.js';
import type { CandidateEvaluator } from './candidate-evaluator.js';
import type { Settings } from '../modules/settings.js';
import type { CommonOptimizerOptions, CompileOptions, OptimizationResult } from './optimizer.js';

/** Options of `BootstrapFewShotWithRandomSearch` (DSPy's arguments, camelCased). */
export interface RandomSearchOptions extends CommonOptimizerOptions {
  /** Scores candidates on the valset and accepts bootstrapped traces. */
  metric: Metric;
  metricThreshold?: number;
  teacherSettings?: Settings;
  /** Upper bound of the demo count drawn per shuffled candidate (and of the -1 candidate) (default 4). */
  maxBootstrappedDemos?: number;
  maxLabeledDemos?: number;
  maxRounds?: number;
  /** Shuffled bootstrap candidates (seeds 0…N-1) besides the three baselines (default 16). */
  numCandidatePrograms?: number;
  /** Error budget of each bootstrap and each evaluation (default: settings, else 10). */
  maxErrors?: number;
  /** Stop as soon as a candidate scores at least this (percentage). */
  stopAtScore?: number;
  /**
   * Budget of LM calls, checked before each candidate after the first and passed on (what is left)
   * to each bootstrap. Counted as a sequential run would, so results do not depend on
   * `concurrency`; the candidate being scored always finishes its evaluation. Default: unlimited.
   */
  maxLmCalls?: number;
  /** Budget of metric calls, checked like {@link RandomSearchOptions.maxLmCalls}. */
  maxMetricCalls?: number;
  /** Budget in USD (usage × each LM's price), checked like {@link RandomSearchOptions.maxLmCalls}. */
  maxUsd?: number;
  /** Progress bars of the candidate evaluations on a TTY (default true). */
  display?: boolean;
  /**
   * Called (and awaited) after each scored candidate with the run's JSON-safe progress; store it and
   * pass it back as `resumeFrom` to continue an interrupted run without rescoring.
   */
  checkpoint?: (checkpoint: RandomSearchCheckpoint) => void | Promise<void>;
  /**
   * Scores candidates somewhere else (the runtime spreads them as evaluation shards over its
   * nodes) instead of with a local `Evaluate`; its spend is charged like a local evaluation's.
   */
  evaluator?: CandidateEvaluator;
}

/** JSON-safe progress of a random search (what {@link RandomSearchOptions.checkpoint} receives). */
export interface RandomSearchCheckpoint {
  /** Scored candidates in scoring order, each with its program state (`Module.save()`). */
  candidates: {
    seed: number;
    score: number;
    subscores: (number | boolean)[];
    state: ProgramState;
    compiled: boolean;
  }[];
  /** Calls (and dollars; absent in older checkpoints) charged to the budgets so far. */
  used: { lm: number; metric: number; usd?: number };
}

/** Options of `BootstrapFewShotWithRandomSearch.compile` beyond the common ones. */
export interface RandomSearchCompileOptions extends CompileOptions {
  /** Only these candidate seeds (-3…N-1) are built and scored. */
  restrict?: readonly number[];
  /** Whether the -2 (labeled) candidate samples its demos (default true) or takes the first k. */
  labeledSample?: boolean;
  /**
   * A checkpoint of an earlier run with the same options and data: its candidates are restored
   * from their saved state instead of being rebuilt and rescored, and the search goes on from there.
   */
  resumeFrom?: RandomSearchCheckpoint;
}

/** One scored candidate program (DSPy's `candidate_programs` entries). */
export interface CandidateProgram<M extends Module> {
  /** -3 zero-shot, -2 labeled only, -1 unshuffled bootstrap, ≥ 0 shuffled bootstrap of random size. */
  seed: number;
  /** Percentage score on the valset. */
  score: number;
  /** Per-example metric values, in valset order. */
  subscores: (number | boolean)[];
  program: M;
  /** The candidate's evaluation (absent for candidates restored from a checkpoint). */
  evaluation?: EvaluationResult;
}

/** The best program, every candidate sorted by score (best first, ties in seed order), and stats. */
export interface RandomSearchResult<M extends Module> extends OptimizationResult<M> {
  candidates: CandidateProgram<M>[];
  /** Whether `maxLmCalls`, `maxMetricCalls` or `maxUsd` stopped the search before every seed was tried. */
  budgetExhausted: boolean;
  /** The cap that stopped the search early, if one did. */
  stopReason?: BudgetStopReason;
}
