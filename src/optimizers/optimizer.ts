import type { CallStats } from '../evaluate/call-accounting.js';
import type { BudgetUsage } from './budget.js';
import { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import { OptimizerError } from './optimizer-error.js';
import type { RngFactory } from './python-random.js';

/** What `compile()` takes besides the student (DSPy's keyword arguments). */
export interface CompileOptions {
  /** Training examples, inputs marked with `withInputs(...)`. */
  trainset: readonly Example[];
  /** Validation examples (random search scores candidates on them; defaults to the trainset). */
  valset?: readonly Example[];
  /** The program that produces bootstrapped traces (default: a copy of the student). */
  teacher?: Module;
}

/** A progress event of an optimizer run. */
export type OptimizerProgress =
  | {
      optimizer: string;
      phase: 'bootstrap';
      /** Train examples whose outcome is known (in train order). */
      processed: number;
      total: number;
      bootstrapped: number;
      errors: number;
    }
  | {
      optimizer: string;
      phase: 'candidate';
      /** DSPy's candidate seed: -3 zero-shot, -2 labeled, -1 unshuffled bootstrap, ≥ 0 shuffled. */
      seed: number;
      score: number;
      bestScore: number;
      candidates: number;
      /** What the run spent so far, where the optimizer tracks it (GEPA). */
      usage?: BudgetUsage;
    }
  | {
      optimizer: string;
      /** A journaled step finished: a proposal round (`propose`) or a candidate scored (`trial`). */
      phase: 'propose' | 'trial';
      /** The step's key, e.g. `eval:d1:p0:c3` (COPRO) or `trial:7` (MIPROv2). */
      step: string;
      /** The step's score (trials only; minibatch or full as `full` says). */
      score?: number;
      full?: boolean;
      bestScore?: number;
      /** What the run spent so far, task and prompt model apart. */
      usage: BudgetUsage;
    };

/** Options every optimizer shares. */
export interface CommonOptimizerOptions {
  /** Program runs (and metric calls) in flight at once (default 1; results never depend on it). */
  concurrency?: number;
  /** Random generator factory (default: CPython-compatible {@link PythonRandom}, as DSPy). */
  rng?: RngFactory;
  /** Progress events. */
  onProgress?: (event: OptimizerProgress) => void;
  /**
   * Asked between steps (as the budget caps are): once it returns true the run stops with the best
   * program so far and `stopReason: 'cancelled'`. The runtime's `cancel` uses it.
   */
  shouldStop?: () => boolean;
}

/** What an optimizer run cost: LM calls (cache hits included), usage, metric calls. */
export interface OptimizerStats extends CallStats {
  /** Metric evaluations (bootstrap acceptance checks and candidate scoring). */
  metricCalls: number;
  /** Wall time of the run in ms. */
  durationMs: number;
}

/** A compiled program with the statistics of the run that produced it. */
export interface OptimizationResult<M extends Module> {
  program: M;
  stats: OptimizerStats;
}

/**
 * An optimizer (DSPy's Teleprompter): `compile(student, { trainset, ... })` returns a NEW program;
 * the student is never modified. `optimize()` returns the program with the run's statistics.
 */
export interface Optimizer {
  compile<M extends Module>(student: M, options: CompileOptions): Promise<M>;
  optimize<M extends Module>(student: M, options: CompileOptions): Promise<OptimizationResult<M>>;
}

/** Validates a concurrency option (integer ≥ 1). */
export function checkConcurrency(value: number | undefined): number {
  const c = value ?? 1;
  if (!Number.isInteger(c) || c < 1) {
    throw new OptimizerError('invalid_option', `concurrency must be an integer >= 1, got ${c}`, {
      details: { concurrency: c },
    });
  }
  return c;
}

/** Validates that every example has its inputs marked (needed to call the program). */
export function checkExamples(examples: readonly Example[], name: string): void {
  examples.forEach((ex, index) => {
    if (!(ex instanceof Example) || ex.inputKeys === null) {
      throw new OptimizerError(
        'invalid_option',
        `${name}[${index}] has no inputs marked; use new Example({...}).withInputs('field', ...)`,
        { details: { set: name, index } },
      );
    }
  });
}

/** Emits a progress event; a throwing listener never breaks the run. */
export function report(
  listener: ((event: OptimizerProgress) => void) | undefined,
  event: OptimizerProgress,
): void {
  try {
    listener?.(event);
  } catch {
    // Progress listeners observe; like callbacks, their failures are not the run's.
  }
}
