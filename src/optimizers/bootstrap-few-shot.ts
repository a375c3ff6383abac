import { CallAccounting } from '../evaluate/call-accounting.js';
import type { Metric } from '../evaluate/metric.js';
import { OrderedPool } from '../evaluate/ordered-pool.js';
import { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import { currentSettings, type Settings } from '../modules/settings.js';
import {
  Budget,
  budgetLimitsOf,
  chargeOf,
  checkBudgetLimits,
  type BudgetStopReason,
  type Charge,
} from './budget.js';
import { LabeledFewShot } from './labeled-few-shot.js';
import {
  checkConcurrency,
  checkExamples,
  report,
  type CommonOptimizerOptions,
  type CompileOptions,
  type OptimizationResult,
  type Optimizer,
} from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import { predictorNames } from './bootstrap-trace.js';
import { pythonRandom, type RngFactory } from './python-random.js';
import { measured } from './search-kit.js';
import { runTeacherRound, type RoundOutcome } from './teacher-round.js';

/** Options of {@link BootstrapFewShot} (DSPy's constructor arguments, camelCased). */
export interface BootstrapFewShotOptions extends CommonOptimizerOptions {
  /** Accepts a teacher trace; called with the trace. Without one every trace is accepted. */
  metric?: Metric;
  /** With a numeric metric: accept when `score >= metricThreshold` (0/unset: truthiness, as DSPy). */
  metricThreshold?: number;
  /** Settings applied while the teacher runs (e.g. `{ lm: biggerLm }`), DSPy's `teacher_settings`. */
  teacherSettings?: Settings;
  /** Bootstrapped demos per predictor, and the number of successful examples to collect (default 4). */
  maxBootstrappedDemos?: number;
  /** Total demos per predictor, filled up with raw train examples (default 16). */
  maxLabeledDemos?: number;
  /** Attempts per train example; rounds after the first use temperature 1.0 and a rollout id (default 1). */
  maxRounds?: number;
  /** Errors tolerated while bootstrapping; the one reaching it aborts (default: settings, else 10). */
  maxErrors?: number;
  /** Seed of the shuffles and samples (default 0, as DSPy). */
  seed?: number;
  /**
   * Budget of LM calls: no train example is started once the examples before it used this many.
   * Counted as a sequential run would (speculative concurrent runs do not count), so the demos do
   * not depend on `concurrency`. An example's rounds always complete. Default: unlimited.
   */
  maxLmCalls?: number;
  /** Budget of metric calls, checked like {@link BootstrapFewShotOptions.maxLmCalls}. */
  maxMetricCalls?: number;
  /** Budget in USD (usage × each LM's price), checked like `maxLmCalls`. */
  maxUsd?: number;
  /**
   * Called (and awaited) after every train example whose outcome counted, with the outcomes so
   * far; pass it back as `resumeFrom` to continue an interrupted run without rerunning them.
   */
  checkpoint?: (checkpoint: BootstrapCheckpoint) => void | Promise<void>;
}

/** One train example's outcome in a {@link BootstrapCheckpoint} (JSON). */
export type BootstrapRoundRecord =
  | { kind: 'success'; demos: Record<string, Record<string, unknown>[]> }
  | { kind: 'failure' }
  | { kind: 'error'; message: string };

/** JSON-safe progress of a bootstrap: the outcomes of the first train examples, in order. */
export interface BootstrapCheckpoint {
  outcomes: { rounds: BootstrapRoundRecord[]; charge: Charge }[];
}

/** `compile()` options of {@link BootstrapFewShot}. */
export interface BootstrapCompileOptions extends CompileOptions {
  /** A checkpoint of an interrupted run with the same options and trainset. */
  resumeFrom?: BootstrapCheckpoint;
}

function recordOf(round: RoundOutcome): BootstrapRoundRecord {
  if (round.kind === 'failure') return { kind: 'failure' };
  if (round.kind === 'error') return { kind: 'error', message: errorText(round.error) };
  const demos: Record<string, Record<string, unknown>[]> = {};
  for (const [name, list] of round.demos)
    demos[name] = list.map(
      (d) => JSON.parse(JSON.stringify(d.toDict())) as Record<string, unknown>,
    );
  return { kind: 'success', demos };
}

function outcomeOf(record: BootstrapCheckpoint['outcomes'][number]): ExampleOutcome {
  return {
    charge: record.charge,
    rounds: record.rounds.map((r): RoundOutcome => {
      if (r.kind === 'failure') return { kind: 'failure' };
      if (r.kind === 'error') return { kind: 'error', error: new Error(r.message) };
      return {
        kind: 'success',
        demos: new Map(
          Object.entries(r.demos).map(([n, list]) => [n, list.map((d) => new Example(d))]),
        ),
      };
    }),
  };
}

/** Statistics of a bootstrap run, on top of the LM-call counts. */
export interface BootstrapStats {
  /** Train examples whose trace was accepted. */
  bootstrapped: number;
  /** Teacher runs whose outcome counted (DSPy's `bootstrap_attempts`). */
  attempts: number;
  /** Failed attempts (program or metric threw). */
  errors: number;
  /** LM calls of the examples whose outcome counted (what a sequential run makes). */
  lmCalls: number;
  /** Metric calls of the examples whose outcome counted. */
  metricCalls: number;
  /** Dollars of the examples whose outcome counted. */
  usd: number;
  /** Whether `maxLmCalls`, `maxMetricCalls` or `maxUsd` ended bootstrapping early. */
  budgetExhausted: boolean;
  /** The cap that ended bootstrapping early, if one did. */
  stopReason?: BudgetStopReason;
}

interface ExampleOutcome {
  rounds: RoundOutcome[];
  charge: Charge;
}

/**
 * DSPy's `BootstrapFewShot` (§3.2): a teacher (default: a copy of the student holding
 * LabeledFewShot demos) runs on the train examples in order, each with its own trace; traces the
 * metric accepts become `augmented` demos of the predictors that produced them, until
 * `maxBootstrappedDemos` examples succeeded. Every student predictor then gets those demos plus a
 * seeded sample of the remaining (shuffled) train examples up to `maxLabeledDemos`.
 *
 * With `concurrency > 1` up to that many train examples run at once, but outcomes are applied in
 * train order and the run stops at the same example, so the demos are exactly those of
 * `concurrency: 1` (extra LM calls may be spent on examples past the stopping point).
 *
 * @example
 * ```ts
 * const optimizer = new BootstrapFewShot({ metric: answerExactMatch, maxBootstrappedDemos: 2 });
 * const { program, stats } = await optimizer.optimize(new ChainOfThought('question -> answer'), { trainset });
 * console.log(stats.lmCalls, program.predictors()[0]?.demos.length);
 * ```
 */
export class BootstrapFewShot implements Optimizer {
  readonly maxBootstrappedDemos: number;
  readonly maxLabeledDemos: number;
  readonly maxRounds: number;
  private readonly rng: RngFactory;
  private readonly seed: number;
  private lastStats: BootstrapStats = emptyStats();

  constructor(private readonly options: BootstrapFewShotOptions = {}) {
    this.maxBootstrappedDemos = nonNegative(
      'maxBootstrappedDemos',
      options.maxBootstrappedDemos ?? 4,
    );
    this.maxLabeledDemos = nonNegative('maxLabeledDemos', options.maxLabeledDemos ?? 16);
    this.maxRounds = nonNegative('maxRounds', options.maxRounds ?? 1);
    checkConcurrency(options.concurrency);
    checkBudgetLimits(options);
    this.rng = options.rng ?? pythonRandom;
    this.seed = options.seed ?? 0;
  }

  /** Counts of the last run (bootstrapped examples, attempts, errors). */
  get bootstrapStats(): BootstrapStats {
    return { ...this.lastStats };
  }

  async compile<M extends Module>(student: M, options: BootstrapCompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  async optimize<M extends Module>(
    student: M,
    options: BootstrapCompileOptions,
  ): Promise<OptimizationResult<M> & { bootstrap: BootstrapStats }> {
    const result = await measured((metricCalls) => this.run(student, options, metricCalls));
    this.lastStats = result.bootstrap;
    return result;
  }

  private async run<M extends Module>(
    student: M,
    { trainset, teacher, resumeFrom }: BootstrapCompileOptions,
    metricCalls: { count: number },
  ): Promise<{ program: M; bootstrap: BootstrapStats }> {
    checkExamples(trainset, 'trainset');
    // Prepare student and teacher (DSPy `_prepare_student_and_teacher`).
    const studentCopy = student.resetCopy();
    if (studentCopy.compiled) {
      throw new OptimizerError('already_compiled', 'Student must be uncompiled.');
    }
    let teacherCopy: Module = (teacher ?? student).deepCopy();
    if (this.maxLabeledDemos > 0 && !teacherCopy.compiled) {
      teacherCopy = new LabeledFewShot({
        k: this.maxLabeledDemos,
        rng: this.rng,
        seed: this.seed,
      }).apply(teacherCopy.resetCopy(), trainset);
    }
    const names = predictorNames(studentCopy, teacherCopy);

    const { traces, bootstrappedIndices, stats } = await this.bootstrap(
      teacherCopy,
      names,
      trainset,
      metricCalls,
      resumeFrom,
    );

    // Unbootstrapped train examples, shuffled: the raw demos (DSPy `self.validation`).
    const validation = trainset.filter((_, i) => !bootstrappedIndices.has(i));
    this.rng(this.seed).shuffle(validation);

    // DSPy `_train`. Note `raw` is re-bound to each predictor's sample, so later predictors sample
    // from the previous one's sample; kept as is so demos match DSPy.
    const rng = this.rng(this.seed);
    let raw: Example[] = validation;
    for (const [name, predictor] of studentCopy.namedPredictors()) {
      const augmented = (traces.get(name) ?? []).slice(0, this.maxBootstrappedDemos);
      const size = Math.max(0, Math.min(this.maxLabeledDemos - augmented.length, raw.length));
      raw = rng.sample(raw, size);
      predictor.demos = [...augmented, ...raw];
    }
    studentCopy.compiled = true;
    return { program: studentCopy, bootstrap: stats };
  }

  private async bootstrap(
    teacher: Module,
    names: ReadonlySet<string>,
    trainset: readonly Example[],
    metricCalls: { count: number },
    resumeFrom: BootstrapCheckpoint | undefined,
  ): Promise<{
    traces: Map<string, Example[]>;
    bootstrappedIndices: Set<number>;
    stats: BootstrapStats;
  }> {
    const maxBootstraps = this.maxBootstrappedDemos;
    const maxErrors = this.options.maxErrors ?? currentSettings().maxErrors ?? 10;
    const concurrency = checkConcurrency(this.options.concurrency);
    const traces = new Map<string, Example[]>([...names].map((n) => [n, []]));
    const bootstrappedIndices = new Set<number>();
    const stats = emptyStats();
    // Charged with what a sequential run spends: the examples whose outcome counted.
    const budget = new Budget(budgetLimitsOf(this.options));
    if (maxBootstraps <= 0 || trainset.length === 0) return { traces, bootstrappedIndices, stats };
    const before = budget.exhausted();
    if (before !== undefined) {
      stats.budgetExhausted = true;
      stats.stopReason = before;
      return { traces, bootstrappedIndices, stats };
    }

    // A resumed run replays the recorded outcomes (no LM calls) and goes on from the next example.
    const restored = (resumeFrom?.outcomes ?? []).slice(0, trainset.length);
    const saved: BootstrapCheckpoint['outcomes'] = [];
    const pool = new OrderedPool<ExampleOutcome>(
      trainset.length,
      (index) => {
        const record = restored[index];
        if (record === undefined)
          return this.attemptExample(teacher, trainset[index]!, metricCalls);
        metricCalls.count += record.charge.metricCalls;
        return Promise.resolve(outcomeOf(record));
      },
      { concurrency, window: concurrency },
    );
    let processed = 0;
    try {
      for await (const [index, outcome] of pool.results()) {
        // attemptExample never throws: failures are outcomes, replayed here in train order.
        const rounds = outcome.ok
          ? outcome.value.rounds
          : [{ kind: 'error' as const, error: outcome.error }];
        if (outcome.ok) {
          budget.charge(outcome.value.charge);
          stats.lmCalls += outcome.value.charge.lmCalls;
          stats.metricCalls += outcome.value.charge.metricCalls;
          stats.usd += outcome.value.charge.usd;
        }
        for (const round of rounds) {
          stats.attempts++;
          if (round.kind === 'error') {
            stats.errors++;
            if (stats.errors >= maxErrors) {
              throw new OptimizerError(
                'max_errors_exceeded',
                `Bootstrapping stopped after ${stats.errors} errors (maxErrors ${maxErrors}) at train example ${index}: ${errorText(round.error)}`,
                { cause: round.error, details: { errors: stats.errors, maxErrors, index } },
              );
            }
          } else if (round.kind === 'success') {
            bootstrappedIndices.add(index);
            for (const [name, demos] of round.demos) traces.get(name)?.push(...demos);
            break;
          }
        }
        processed++;
        stats.bootstrapped = bootstrappedIndices.size;
        saved.push({
          rounds: rounds.map(recordOf),
          charge: outcome.ok
            ? outcome.value.charge
            : chargeOf('task', { lmCalls: 0, cachedCalls: 0, failedCalls: 0, usage: {} }),
        });
        if (this.options.checkpoint !== undefined && index >= restored.length)
          await this.options.checkpoint({ outcomes: [...saved] });
        report(this.options.onProgress, {
          optimizer: 'BootstrapFewShot',
          phase: 'bootstrap',
          processed,
          total: trainset.length,
          bootstrapped: stats.bootstrapped,
          errors: stats.errors,
        });
        if (bootstrappedIndices.size >= maxBootstraps) break;
        const reason = budget.exhausted();
        if (reason !== undefined) {
          stats.budgetExhausted = index < trainset.length - 1;
          if (stats.budgetExhausted) stats.stopReason = reason;
          break;
        }
      }
    } finally {
      pool.stop();
      await pool.drain();
    }
    return { traces, bootstrappedIndices, stats };
  }

  /** Up to `maxRounds` teacher runs on one example, stopping at the first accepted trace. */
  private async attemptExample(
    teacher: Module,
    example: Example,
    metricCalls: { count: number },
  ): Promise<ExampleOutcome> {
    // Counted per example, so the budget can charge exactly the examples a sequential run makes.
    const accounting = new CallAccounting();
    const own = { count: 0 };
    const rounds = await accounting.run(async () => {
      const outcomes: RoundOutcome[] = [];
      for (let round = 0; round < this.maxRounds; round++) {
        const outcome = await runTeacherRound(teacher, example, round, this.options, own);
        outcomes.push(outcome);
        if (outcome.kind === 'success') break;
      }
      return outcomes;
    });
    metricCalls.count += own.count;
    return { rounds, charge: chargeOf('task', accounting.stats(), own.count) };
  }
}

function emptyStats(): BootstrapStats {
  return {
    bootstrapped: 0,
    attempts: 0,
    errors: 0,
    lmCalls: 0,
    metricCalls: 0,
    usd: 0,
    budgetExhausted: false,
  };
}

function nonNegative(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new OptimizerError('invalid_option', `${name} must be an integer >= 0, got ${value}`, {
      details: { [name]: value },
    });
  }
  return value;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
