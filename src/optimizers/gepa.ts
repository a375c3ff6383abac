import type { LM } from '../lm/types.js';
import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { Predictor, TraceEntry } from '../modules/parameter.js';
import type { Prediction } from '../modules/prediction.js';
import { context, warn } from '../modules/settings.js';
import {
  runGepa,
  type Candidate,
  type EvaluationBatch,
  type FrontierType,
  type GepaAdapter,
  type GepaIterationLog,
  type GepaState,
  type ObjectiveScores,
} from './gepa-engine.js';
import {
  proposeInstruction,
  reflectionFromLm,
  type ReflectionFn,
  type ReflectiveRecord,
} from './gepa-proposal.js';
import {
  checkConcurrency,
  checkExamples,
  report,
  type CommonOptimizerOptions,
  type OptimizationResult,
  type Optimizer,
} from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom } from './python-random.js';
import { ReplayRng, type RngCheckpoint } from './replay-rng.js';
import { checkInteger, mapInOrder, measured, type StopReason } from './search-kit.js';
import { Budget, type BudgetLimits, type BudgetUsage, type CallRole } from './budget.js';
import { readMetricValue, restoreRun, type TraceEvaluator } from './traced-evaluation.js';

/** What a GEPA metric may return: a score, or a score with textual feedback and objective scores. */
export type GepaMetricValue =
  | number
  | boolean
  | { score: number | boolean; feedback?: string | null; objectiveScores?: ObjectiveScores };

/**
 * DSPy's GEPA feedback metric: `(gold, pred, trace, predName, predTrace)`. When GEPA asks for
 * feedback on one predictor it passes the predictor's name and its trace step; return
 * `{ score, feedback }` to guide the reflection (a plain number gets "This trajectory got a score
 * of …"). `objectiveScores` enable multi-objective Pareto fronts (`frontierType`).
 */
export type GepaMetric = (
  gold: Example,
  pred: Prediction,
  trace?: readonly TraceEntry[],
  predName?: string,
  predTrace?: readonly TraceEntry[],
) => GepaMetricValue | Promise<GepaMetricValue>;

/** DSPy's `AUTO_RUN_SETTINGS`: candidate counts behind the `auto` budgets. */
export const GEPA_AUTO_RUN_SETTINGS = { light: 6, medium: 12, heavy: 18 } as const;

/** DSPy's `GEPA.auto_budget`: the metric calls an `auto` run may spend. */
export function gepaAutoBudget(
  numPreds: number,
  numCandidates: number,
  valsetSize: number,
  minibatchSize = 35,
  fullEvalSteps = 5,
): number {
  const n = Math.trunc(
    Math.max(2 * (numPreds * 2) * Math.log2(numCandidates), 1.5 * numCandidates),
  );
  let total = valsetSize + numCandidates * 5 + n * minibatchSize;
  if (n === 0) return total;
  const periodic = Math.floor((n + 1) / fullEvalSteps) + 1;
  const extraFinal = n < fullEvalSteps ? 1 : 0;
  total += (periodic + extraFinal) * valsetSize;
  return total;
}

/** A custom instruction proposer (GEPA's `ProposalFn`), called in the reflection LM's context. */
export type InstructionProposer = (input: {
  candidate: Candidate;
  reflectiveDataset: Record<string, ReflectiveRecord[]>;
  componentsToUpdate: readonly string[];
}) => Promise<Candidate>;

/** Options of {@link GEPA} (DSPy's arguments, camelCased). Exactly one budget must be given. */
export interface GepaOptions extends CommonOptimizerOptions {
  metric: GepaMetric;
  auto?: 'light' | 'medium' | 'heavy';
  maxFullEvals?: number;
  maxMetricCalls?: number;
  /** Cap on LM calls (task and reflection), checked before each iteration. */
  maxLmCalls?: number;
  /** Cap in dollars (usage × the LMs' pricing), checked before each iteration. */
  maxUsd?: number;
  /** Training examples per reflective step (default 3). */
  reflectionMinibatchSize?: number;
  candidateSelectionStrategy?: 'pareto' | 'current_best';
  /** The model that reads the feedback and writes new instructions. */
  reflectionLm?: LM;
  instructionProposer?: InstructionProposer;
  /** Skip reflection when the minibatch is already perfect (default true). */
  skipPerfectScore?: boolean;
  componentSelector?: 'round_robin' | 'all';
  /** Merge Pareto programs with a common ancestor (default true, as DSPy). */
  useMerge?: boolean;
  maxMergeInvocations?: number;
  /** Score of an example whose program run failed (default 0). */
  failureScore?: number;
  /** The metric's maximum (default 1). */
  perfectScore?: number;
  /** Which scores form the Pareto fronts (GEPA's `frontier_type`, default `'instance'`). */
  frontierType?: FrontierType;
  /** Minimum shared validation ids for a merge (default 5). */
  mergeValOverlapFloor?: number;
  /** Warn once when the per-predictor score differs from the program score (default true). */
  warnOnScoreMismatch?: boolean;
  seed?: number;
  /** Called (and awaited) after the seed evaluation and after every iteration. */
  checkpoint?: (checkpoint: GepaCheckpoint) => void | Promise<void>;
  /**
   * Runs the evaluations elsewhere (the runtime: evaluation shards returning outputs, traces and
   * the metric's values); the metric must be the evaluator's, by name. Reflection, the feedback
   * per predictor and the proposals stay here. Same candidates and scores as a local run.
   */
  traceEvaluator?: TraceEvaluator;
  /**
   * Batches smaller than this are evaluated here even with a `traceEvaluator` (default 1: every
   * batch goes out). Minibatches of a few examples gain little from shards and pay a job's
   * round trip each.
   */
  traceEvaluatorMinBatch?: number;
}

/** JSON-safe progress of a GEPA run. */
export interface GepaCheckpoint {
  state: GepaState;
  /** Spend so far (task model, reflection model, metric calls). */
  usage: BudgetUsage;
}

/** Options of `GEPA.compile`. */
export interface GepaCompileOptions {
  trainset: readonly Example[];
  /** Examples tracked on the Pareto fronts (default: the trainset). */
  valset?: readonly Example[];
  resumeFrom?: GepaCheckpoint;
}

/** The result of a GEPA run (DSPy's `DspyGEPAResult`, plus the run's statistics). */
export interface GepaResult<M extends Module> extends OptimizationResult<M> {
  /** Every accepted candidate as a program. */
  candidates: M[];
  /** The component texts of every candidate. */
  candidateTexts: Candidate[];
  /** Parents of each candidate (`[null]` for the student). */
  parents: (number | null)[][];
  valAggregateScores: number[];
  /** Per candidate, the score of each validation example. */
  valSubscores: number[][];
  /** Per candidate, each objective averaged over the valset (multi-objective metrics). */
  valAggregateSubscores: ObjectiveScores[];
  /** Per validation example, the candidates with its best score. */
  perValInstanceBestCandidates: number[][];
  objectiveParetoFront: ObjectiveScores;
  perObjectiveBestCandidates: Record<string, number[]>;
  discoveryEvalCounts: number[];
  totalMetricCalls: number;
  numFullValEvals: number;
  bestIdx: number;
  log: GepaIterationLog[];
  stopReason: StopReason;
  /** LM calls made by the reflection model (also in `stats.lmCalls`). */
  reflectionLmCalls: number;
  /** Spend of the whole run (including before a resume): task and reflection model apart. */
  usage: BudgetUsage;
}

interface Trajectory {
  example: Example;
  prediction: Prediction | undefined;
  trace: TraceEntry[];
  score: number;
}

/** Python's `str()` of a metric score. */
function pyScore(value: number | boolean): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/** DSPy's `DspyAdapter`: evaluates programs built from candidates and reflects on their traces. */
class ModuleAdapter implements GepaAdapter<Example, Trajectory> {
  readonly rng: ReplayRng;
  private warnMismatch: boolean;

  constructor(
    private readonly student: Module,
    private readonly options: GepaOptions,
    private readonly metricCalls: { count: number },
    private readonly reflection: { fn: ReflectionFn | undefined; lm: LM | undefined },
    private readonly budget: Budget,
    rng: RngCheckpoint | undefined,
  ) {
    const factory = options.rng ?? pythonRandom;
    this.rng = rng ? ReplayRng.restore(factory, rng) : new ReplayRng(factory, options.seed ?? 0);
    this.warnMismatch = options.warnOnScoreMismatch ?? true;
  }

  build(candidate: Candidate): Module {
    const program = this.student.deepCopy();
    for (const [name, predictor] of program.namedPredictors()) {
      const text = candidate[name];
      if (text !== undefined) predictor.signature = predictor.signature.withInstructions(text);
    }
    return program;
  }

  /** Runs `fn` charging its LM calls, dollars and metric calls to `role`. */
  private charged<T>(role: CallRole, fn: () => Promise<T>): Promise<T> {
    const before = this.metricCalls.count;
    return this.budget
      .measure(role, fn, (_, m) => ({ ...m, metricCalls: this.metricCalls.count - before }))
      .then((r) => r.value);
  }

  evaluate(
    batch: readonly Example[],
    candidate: Candidate,
    captureTraces: boolean,
  ): Promise<EvaluationBatch<Trajectory>> {
    const elsewhere = this.options.traceEvaluator;
    // Charged with the evaluator's reported spend only: shards may run in this process too.
    if (elsewhere !== undefined && batch.length >= (this.options.traceEvaluatorMinBatch ?? 1))
      return this.evaluateElsewhere(elsewhere, this.build(candidate), batch, captureTraces);
    return this.charged('task', () => this.evaluateBatch(batch, candidate, captureTraces));
  }

  makeReflectiveDataset(
    candidate: Candidate,
    evaluation: EvaluationBatch<Trajectory>,
    components: readonly string[],
  ): Promise<Record<string, ReflectiveRecord[]>> {
    return this.charged('task', () => this.reflectiveDataset(candidate, evaluation, components));
  }

  private async evaluateBatch(
    batch: readonly Example[],
    candidate: Candidate,
    captureTraces: boolean,
  ): Promise<EvaluationBatch<Trajectory>> {
    const program = this.build(candidate);
    const failure = this.options.failureScore ?? 0;
    const runs = await mapInOrder(
      batch.length,
      checkConcurrency(this.options.concurrency),
      async (i) => {
        const example = batch[i]!;
        const trace: TraceEntry[] = [];
        let prediction: Prediction | undefined;
        try {
          prediction = await context({ trace }, () => program.call(example.inputs().toDict()));
        } catch {
          return {
            example,
            prediction: undefined,
            trace: [...trace],
            score: failure,
            objectives: undefined,
          };
        }
        this.metricCalls.count++;
        const value = readMetricValue(await this.options.metric(example, prediction));
        return {
          example,
          prediction,
          trace: [...trace],
          score: value.score,
          objectives: value.objectives,
        };
      },
    );
    const objectives = runs.map((r) => r.objectives ?? {});
    return {
      outputs: runs.map((r) => r.prediction),
      scores: runs.map((r) => r.score),
      trajectories: captureTraces
        ? runs.map(({ example, prediction, trace, score }) => ({
            example,
            prediction,
            trace,
            score,
          }))
        : undefined,
      objectiveScores: objectives.some((o) => Object.keys(o).length > 0) ? objectives : undefined,
    };
  }

  /** {@link GepaOptions.traceEvaluator}'s runs as a local evaluation's (spend charged here). */
  private async evaluateElsewhere(
    evaluator: TraceEvaluator,
    program: Module,
    batch: readonly Example[],
    captureTraces: boolean,
  ): Promise<EvaluationBatch<Trajectory>> {
    const { runs, spend } = await evaluator(program, batch);
    if (runs.length !== batch.length)
      throw new OptimizerError(
        'invalid_option',
        `the trace evaluator returned ${runs.length} runs for ${batch.length} examples`,
        { details: { runs: runs.length, examples: batch.length } },
      );
    const failure = this.options.failureScore ?? 0;
    let metricCalls = 0;
    const trajectories = runs.map((run, i): Trajectory => {
      const { prediction, trace } = restoreRun(program, run);
      if (prediction !== undefined) metricCalls++;
      return { example: batch[i]!, prediction, trace, score: prediction ? run.score : failure };
    });
    this.metricCalls.count += metricCalls;
    this.budget.charge({ role: 'task', ...spend, metricCalls });
    const objectives = runs.map((r) => (r.error === undefined ? (r.objectives ?? {}) : {}));
    return {
      outputs: trajectories.map((t) => t.prediction),
      scores: trajectories.map((t) => t.score),
      trajectories: captureTraces ? trajectories : undefined,
      objectiveScores: objectives.some((o) => Object.keys(o).length > 0) ? objectives : undefined,
    };
  }

  private async reflectiveDataset(
    candidate: Candidate,
    evaluation: EvaluationBatch<Trajectory>,
    components: readonly string[],
  ): Promise<Record<string, ReflectiveRecord[]>> {
    const program = this.build(candidate);
    const out: Record<string, ReflectiveRecord[]> = {};
    for (const name of components) {
      const module = program.namedPredictors().find(([n]) => n === name)?.[1];
      if (module === undefined) {
        throw new OptimizerError('invalid_option', `Predictor not found: ${name}`, {
          details: { name },
        });
      }
      const items: ReflectiveRecord[] = [];
      for (const data of evaluation.trajectories ?? []) {
        const instances = data.trace.filter((t) => t.predictor.signature.equals(module.signature));
        if (instances.length === 0 || data.prediction === undefined) continue;
        const selected = this.rng.choice(instances);
        const inputs = Object.fromEntries(
          Object.entries(selected.inputs).map(([k, v]) => [k, asText(v)]),
        );
        const outputs = Object.fromEntries(
          selected.prediction.items().map(([k, v]) => [k, asText(v)]),
        );
        this.metricCalls.count++;
        const fb = readMetricValue(
          await this.options.metric(data.example, data.prediction, data.trace, name, [selected]),
        );
        if (fb.score !== data.score && this.warnMismatch) {
          warn(
            'The score returned by the metric with predName differs from the program-level score; GEPA uses the program-level score.',
            { predictor: name },
          );
          this.warnMismatch = false;
        }
        items.push({
          Inputs: inputs,
          'Generated Outputs': outputs,
          Feedback: fb.feedback ?? `This trajectory got a score of ${pyScore(fb.score)}.`,
        });
      }
      if (items.length === 0) continue; // DSPy logs "No valid reflective examples found"
      out[name] = items;
    }
    if (Object.keys(out).length === 0)
      throw new Error('No valid predictions found for any module.');
    return out;
  }

  proposeNewTexts(
    candidate: Candidate,
    dataset: Record<string, ReflectiveRecord[]>,
    components: readonly string[],
  ): Promise<Candidate> {
    const { fn, lm } = this.reflection;
    const scope = lm === undefined ? {} : { lm };
    return this.charged('prompt', () =>
      context(scope, async () => {
        if (this.options.instructionProposer !== undefined) {
          return this.options.instructionProposer({
            candidate,
            reflectiveDataset: dataset,
            componentsToUpdate: components,
          });
        }
        const out: Candidate = {};
        for (const name of components) {
          const records = dataset[name];
          if (records === undefined) throw new Error(`no reflective data for ${name}`);
          out[name] = await proposeInstruction(fn!, candidate[name]!, records);
        }
        return out;
      }),
    );
  }

  saveState(): unknown {
    return this.rng.checkpoint();
  }
}

/**
 * DSPy's GEPA (reflective prompt evolution, DSPy 3.3.1 `dspy.GEPA` on gepa-ai/gepa's engine): a
 * candidate is the instructions of every predictor. Each iteration picks a parent from the
 * per-validation-instance Pareto fronts, runs it on a training minibatch with traces, asks the
 * metric for feedback per predictor, and lets the reflection LM rewrite one predictor's
 * instructions with GEPA's prompt; a child that improves the minibatch is scored on the valset and
 * joins the pool. Merges combine Pareto programs that improved different predictors of a common
 * ancestor. The budget is `auto`, `maxFullEvals` or `maxMetricCalls` (exactly one); `maxLmCalls`
 * caps LM calls. The result carries every candidate, its parents and per-instance scores.
 *
 * @example
 * ```ts
 * const metric: GepaMetric = (gold, pred) => ({
 *   score: gold.answer === pred.answer ? 1 : 0,
 *   feedback: gold.answer === pred.answer ? 'Correct.' : `Expected ${gold.answer}.`,
 * });
 * const gepa = new GEPA({ metric, auto: 'light', reflectionLm: openai({ model: 'gpt-4.1' }) });
 * const { program, valAggregateScores, parents } = await gepa.optimize(student, { trainset, valset });
 * ```
 */
export class GEPA implements Optimizer {
  constructor(private readonly options: GepaOptions) {
    const budgets = [options.auto, options.maxFullEvals, options.maxMetricCalls].filter(
      (b) => b !== undefined,
    );
    if (budgets.length !== 1) {
      throw new OptimizerError(
        'invalid_option',
        `Exactly one of maxMetricCalls, maxFullEvals, auto must be set. You set maxMetricCalls=${options.maxMetricCalls}, maxFullEvals=${options.maxFullEvals}, auto=${options.auto}.`,
        {
          details: {
            auto: options.auto,
            maxFullEvals: options.maxFullEvals,
            maxMetricCalls: options.maxMetricCalls,
          },
        },
      );
    }
    if (options.auto !== undefined && !(options.auto in GEPA_AUTO_RUN_SETTINGS)) {
      throw new OptimizerError(
        'invalid_option',
        `auto must be light, medium or heavy, got ${options.auto}`,
        {
          details: { auto: options.auto },
        },
      );
    }
    if (options.reflectionLm === undefined && options.instructionProposer === undefined) {
      throw new OptimizerError(
        'invalid_option',
        'GEPA requires a reflection language model (reflectionLm) or a custom instructionProposer.',
      );
    }
    if (options.maxMetricCalls !== undefined)
      checkInteger('maxMetricCalls', options.maxMetricCalls, 0);
    if (options.maxFullEvals !== undefined) checkInteger('maxFullEvals', options.maxFullEvals, 0);
    checkInteger('reflectionMinibatchSize', options.reflectionMinibatchSize ?? 3, 1);
    checkConcurrency(options.concurrency);
  }

  /** The metric-call budget of a run on these sets (DSPy's computation). */
  metricBudget(student: Module, trainSize: number, valSize: number | undefined): number {
    const o = this.options;
    if (o.auto !== undefined) {
      return gepaAutoBudget(
        Math.max(student.namedPredictors().length, 1),
        GEPA_AUTO_RUN_SETTINGS[o.auto],
        valSize ?? trainSize,
      );
    }
    if (o.maxFullEvals !== undefined) return o.maxFullEvals * (trainSize + (valSize ?? 0));
    return o.maxMetricCalls!;
  }

  async compile<M extends Module>(student: M, options: GepaCompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  async optimize<M extends Module>(
    student: M,
    options: GepaCompileOptions,
  ): Promise<GepaResult<M>> {
    const { trainset, resumeFrom } = options;
    if (trainset.length === 0) {
      throw new OptimizerError('invalid_option', 'Trainset must be provided and non-empty');
    }
    checkExamples(trainset, 'trainset');
    const valset =
      options.valset !== undefined && options.valset.length > 0 ? options.valset : trainset;
    checkExamples(valset, 'valset');
    const o = this.options;
    const budget = this.metricBudget(student, trainset.length, options.valset?.length);
    const metricCalls = { count: 0 };
    const limits: BudgetLimits = {};
    if (o.maxLmCalls !== undefined) limits.maxLmCalls = o.maxLmCalls;
    if (o.maxUsd !== undefined) limits.maxUsd = o.maxUsd;
    if (o.shouldStop !== undefined) limits.shouldStop = o.shouldStop;
    const spend = new Budget(limits, resumeFrom?.usage);
    const adapter = new ModuleAdapter(
      student,
      o,
      metricCalls,
      { fn: o.reflectionLm ? reflectionFromLm(o.reflectionLm) : undefined, lm: o.reflectionLm },
      spend,
      resumeFrom?.state.adapter as RngCheckpoint | undefined,
    );
    const seed: Candidate = Object.fromEntries(
      student
        .namedPredictors()
        .map(([name, p]: [string, Predictor]) => [name, p.signature.instructions]),
    );
    const { stats, ...run } = await measured(
      () =>
        runGepa(adapter, seed, trainset, valset, {
          maxMetricCalls: budget,
          seed: o.seed ?? 0,
          ...(o.rng ? { rng: o.rng } : {}),
          candidateSelectionStrategy: o.candidateSelectionStrategy ?? 'pareto',
          frontierType: o.frontierType ?? 'instance',
          skipPerfectScore: o.skipPerfectScore ?? true,
          perfectScore: o.perfectScore ?? 1,
          reflectionMinibatchSize: o.reflectionMinibatchSize ?? 3,
          componentSelector: o.componentSelector ?? 'round_robin',
          useMerge: o.useMerge ?? true,
          maxMergeInvocations: o.maxMergeInvocations ?? 5,
          mergeValOverlapFloor: o.mergeValOverlapFloor ?? 5,
          stop: () => spend.exhausted(),
          ...(resumeFrom ? { resumeFrom: resumeFrom.state } : {}),
          ...(o.checkpoint
            ? { checkpoint: (state: GepaState) => o.checkpoint!({ state, usage: spend.usage }) }
            : {}),
          onIteration: (entry, state) => {
            const scores = state.valScores.map((s) => s.reduce((a, b) => a + b, 0) / s.length);
            report(o.onProgress, {
              optimizer: 'GEPA',
              phase: 'candidate',
              seed: entry.i,
              score:
                entry.newIdx !== undefined ? scores[entry.newIdx]! : Math.max(0, ...entry.after),
              bestScore: Math.max(...scores),
              candidates: state.candidates.length,
              usage: spend.usage,
            });
          },
        }),
      // The budget's counts: evaluations that ran elsewhere (shards) are not in this scope.
      (_, measuredStats) => ({
        ...measuredStats,
        lmCalls: spend.lmCalls,
        metricCalls: spend.usage.metricCalls,
      }),
    );
    const s = run.state;
    const candidates = s.candidates.map((c) => adapter.build(c) as M);
    return {
      program: candidates[run.bestIdx]!.deepCopy(),
      candidates,
      candidateTexts: s.candidates,
      parents: s.parents,
      valAggregateScores: run.valAggregateScores,
      valSubscores: s.valScores,
      valAggregateSubscores: s.objectiveAggregates,
      perValInstanceBestCandidates: s.programsAtValset,
      objectiveParetoFront: s.objectivePareto,
      perObjectiveBestCandidates: s.programsAtObjective,
      discoveryEvalCounts: s.discoveryMetricCalls,
      totalMetricCalls: s.totalMetricCalls,
      numFullValEvals: s.fullValEvals,
      bestIdx: run.bestIdx,
      log: s.log,
      stopReason: run.stopReason,
      reflectionLmCalls: spend.usage.prompt.lmCalls,
      usage: spend.usage,
      stats,
    };
  }
}
