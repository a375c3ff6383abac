import { CallAccounting } from '../evaluate/call-accounting.js';
import { Evaluate } from '../evaluate/evaluate.js';
import type { Metric } from '../evaluate/metric.js';
import type { PriceTable } from '../lm/pricing.js';
import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import {
  applyConfiguration,
  candidateValuesOf,
  programSpace,
  type CandidateValues,
} from '../modules/program-space.js';
import {
  configurationKey,
  gridSearch,
  paretoSearch,
  randomSearch,
  type Configuration,
  type ConfigurationEvaluator,
  type EvaluatedPoint,
  type ExampleOutcome,
  type ParetoSearchOptions,
  type SpaceConstraint,
  type SpaceSearchOptions,
  type SpaceSearchResult,
  type VariableSpace,
} from '../variables/index.js';
import {
  checkConcurrency,
  checkExamples,
  type CompileOptions,
  type OptimizerStats,
} from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import { evaluateElsewhere, exampleSpend, type CandidateEvaluator } from './candidate-evaluator.js';
import {
  proposeSpaceCandidates,
  type SpaceCandidates,
  type SpaceCandidatesOptions,
} from './space-candidates.js';

/** Options of {@link programEvaluator}. */
export interface ProgramEvaluatorOptions {
  /** The space configurations belong to (default `programSpace(program)`). */
  space?: VariableSpace;
  /** Examples run at once within one configuration (default 4). */
  exampleConcurrency?: number;
  /** Latency clock in ms (default `performance.now`). */
  clock?: () => number;
  /** Prices the cost is computed with (default: what each LM reports). */
  prices?: PriceTable;
  /** Counts metric calls. */
  onMetricCall?: () => void;
  /**
   * Runs each configured candidate somewhere else (the runtime: evaluation shards over its
   * nodes) instead of in this call; it must report every example's cost and latency
   * (`outcomes`). The metric is then the evaluator's (`onMetricCall` counts the examples run).
   */
  evaluator?: CandidateEvaluator;
  /** Told which nodes ran each remote evaluation (with `evaluator`). */
  onNodes?: (nodes: readonly string[]) => void;
  /**
   * Variables whose candidates were filled here (`proposeSpaceCandidates`): a remote node knows
   * only the declared ones, so with `evaluator` these travel at their defaults and the chosen
   * instructions and demos travel in the program's state instead.
   */
  filled?: readonly string[];
}

/**
 * The bridge from a program to the searches: runs `applyConfiguration(program, configuration)` on
 * the chosen devset examples with {@link Evaluate} and reports each example's score, cost,
 * latency and LM calls. A failing example scores 0 (it never stops the search).
 *
 * @example
 * ```ts
 * const evaluate = programEvaluator(program, devset, answerExactMatch);
 * await paretoSearch({ space: programSpace(program), evaluate, devsetSize: devset.length });
 * ```
 */
export function programEvaluator(
  program: Module,
  devset: readonly Example[],
  metric: Metric,
  options: ProgramEvaluatorOptions = {},
): ConfigurationEvaluator {
  const space = options.space ?? programSpace(program);
  const configured = new Map<string, Module>();
  const counted: Metric = (example, prediction, trace) => {
    options.onMetricCall?.();
    return metric(example, prediction, trace);
  };
  return async (configuration: Configuration, indices: readonly number[]) => {
    const key = configurationKey(configuration);
    let candidate = configured.get(key);
    if (candidate === undefined) {
      candidate = applyConfiguration(program, configuration, { space });
      configured.set(key, candidate);
    }
    const examples = indices.map((i) => devset[i]!);
    if (options.evaluator !== undefined) {
      const remote = await evaluateElsewhere(
        options.evaluator,
        portable(program, candidate, configuration, space, options.filled ?? []),
        examples,
        examples.length,
      );
      if (remote.outcomes === undefined)
        throw new OptimizerError(
          'invalid_option',
          'the evaluator reported no per-example cost and latency (outcomes)',
        );
      if (remote.nodes !== undefined) options.onNodes?.(remote.nodes);
      for (let i = 0; i < remote.scores.length - remote.errors; i++) options.onMetricCall?.();
      return remote.scores.map((score, i): ExampleOutcome => ({ score, ...remote.outcomes![i]! }));
    }
    const result = await new Evaluate({
      devset: examples,
      metric: counted,
      concurrency: options.exampleConcurrency ?? 4,
      maxErrors: indices.length + 1,
      display: false,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.prices === undefined ? {} : { prices: options.prices }),
    }).run(candidate);
    return result.results.map((r): ExampleOutcome => ({
      score: Number(r.score),
      ...exampleSpend(r),
    }));
  };
}

/** `candidate` as a node that knows only the declared candidates can rebuild it. */
function portable(
  program: Module,
  candidate: Module,
  configuration: Configuration,
  space: VariableSpace,
  filled: readonly string[],
): Module {
  if (!filled.some((name) => name in configuration)) return candidate;
  const declared: Configuration = { ...configuration };
  for (const name of filled) delete declared[name];
  return applyConfiguration(program, declared, { space }).load(candidate.save());
}

/** Options of {@link SpaceSearch}. */
export interface SpaceSearchOptimizerOptions
  extends
    Omit<ParetoSearchOptions, 'space' | 'evaluate' | 'devsetSize' | 'candidates'>,
    Omit<ProgramEvaluatorOptions, 'space' | 'onMetricCall'> {
  metric: Metric;
  /** `pareto` (default): successive halving with NSGA-II proposals; `grid`: brute force; `random`. */
  algorithm?: 'pareto' | 'grid' | 'random';
  /** Configurations tried by `random` (default 16). */
  samples?: number;
  /** The space (default: `programSpace(program)` with `spaceConstraints`). */
  space?: VariableSpace;
  /** Cross-variable constraints added to the program's space. */
  spaceConstraints?: readonly SpaceConstraint[];
  /**
   * Fill the program's instruction and demo variables from the prompt optimizers first (MIPROv2's
   * grounded proposals, bootstrapped demo sets; see `proposeSpaceCandidates`), from the trainset,
   * so one search covers the whole program. Their LM calls and dollars count against `budget`
   * (`spent.candidates` tells them apart, prompt-model calls apart). `true` for the defaults.
   */
  candidates?: SpaceCandidatesOptions | boolean;
}

/** What {@link SpaceSearch.optimize} returns. */
export interface SpaceSearchOutcome<M extends Module> extends SpaceSearchResult {
  /** The program configured with the chosen point (the student's default configuration if none). */
  program: M;
  /** Builds the configured program of any point (of the front or not). */
  programFor(point: EvaluatedPoint | Configuration): M;
  /**
   * The chosen instruction texts and demos of any point (`candidateValuesOf` on the searched,
   * possibly filled, program): what a stored configuration carries to deploy on other nodes.
   */
  candidateValuesOf(point: EvaluatedPoint | Configuration): CandidateValues;
  stats: OptimizerStats;
  /** Per variable, the candidates the prompt optimizers added (with `candidates`). */
  candidates?: Record<string, unknown[]>;
}

/**
 * The optimizer over a program's whole variable space (model, strategy, temperature,
 * instructions, demos …, all modules at once) for quality, cost and latency together. Returns the
 * Pareto front and the program configured with the point the `select` rule picks.
 *
 * @example
 * ```ts
 * const search = new SpaceSearch({
 *   metric: answerExactMatch, objectives: { quality: 'max', cost: 'min' },
 *   budget: { evaluations: 24 }, select: cheapestWithin(2), seed: 1,
 * });
 * const { front, chosen, program: best } = await search.optimize(program, { trainset: devset });
 * console.log(formatFrontTable(front, { chosen }));
 * ```
 */
export class SpaceSearch {
  constructor(private readonly options: SpaceSearchOptimizerOptions) {
    checkConcurrency(options.concurrency);
    if (options.exampleConcurrency !== undefined) checkConcurrency(options.exampleConcurrency);
  }

  /** The program configured with the chosen point. */
  async compile<M extends Module>(student: M, options: CompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  /** Searches the space of `student` on `valset` (default the trainset). */
  async optimize<M extends Module>(
    student: M,
    { trainset, valset }: CompileOptions,
  ): Promise<SpaceSearchOutcome<M>> {
    const devset = valset !== undefined && valset.length > 0 ? valset : trainset;
    if (devset.length === 0)
      throw new OptimizerError('invalid_option', 'SpaceSearch needs a non-empty devset');
    checkExamples(devset, 'valset');
    const o = this.options;
    const started = performance.now();
    const accounting = new CallAccounting();
    const filled = await accounting.run(() => this.fill(student, trainset, devset.length));
    const program = filled?.program ?? student;
    const space =
      o.space ??
      programSpace(
        program,
        o.spaceConstraints === undefined ? {} : { constraints: o.spaceConstraints },
      );
    if (space.names().length === 0)
      throw new OptimizerError(
        'invalid_option',
        'The program declares no variables; give some module parameter a variable (v.float, v.model …)',
      );
    const metricCalls = { count: filled?.record.spend.metricCalls ?? 0 };
    const evaluate = programEvaluator(program, devset, o.metric, {
      ...(filled === undefined ? {} : { filled: Object.keys(filled.added) }),
      space,
      onMetricCall: () => void metricCalls.count++,
      ...(o.exampleConcurrency === undefined ? {} : { exampleConcurrency: o.exampleConcurrency }),
      ...(o.clock === undefined ? {} : { clock: o.clock }),
      ...(o.prices === undefined ? {} : { prices: o.prices }),
      ...(o.evaluator === undefined ? {} : { evaluator: o.evaluator }),
      ...(o.onNodes === undefined ? {} : { onNodes: o.onNodes }),
    });
    const {
      metric: _m,
      evaluator: _e,
      onNodes: _n,
      algorithm = 'pareto',
      samples = 16,
      space: _s,
      spaceConstraints: _c,
      candidates: _f,
      ...rest
    } = o;
    const searchOptions: SpaceSearchOptions & ParetoSearchOptions = {
      ...rest,
      space,
      evaluate,
      devsetSize: devset.length,
      ...(filled === undefined ? {} : { candidates: filled.record }),
    };
    const result = await accounting.run(() =>
      algorithm === 'grid'
        ? gridSearch(searchOptions)
        : algorithm === 'random'
          ? randomSearch({ ...searchOptions, samples })
          : paretoSearch(searchOptions),
    );
    const programFor = (point: EvaluatedPoint | Configuration): M =>
      applyConfiguration(program, isPoint(point) ? point.configuration : point, { space });
    return {
      ...result,
      ...(filled?.stopReason === 'cancelled' ? { stopReason: 'cancelled' as const } : {}),
      program: programFor(result.chosen?.configuration ?? {}),
      programFor,
      candidateValuesOf: (point) =>
        candidateValuesOf(program, isPoint(point) ? point.configuration : point, { space }),
      stats: {
        ...accounting.stats(),
        metricCalls: metricCalls.count,
        durationMs: performance.now() - started,
      },
      ...(filled === undefined ? {} : { candidates: filled.added }),
    };
  }

  /** Fills the instruction and demo candidates when asked to (resuming a checkpoint's filling). */
  private async fill<M extends Module>(
    student: M,
    trainset: readonly Example[],
    devsetSize: number,
  ): Promise<SpaceCandidates<M> | undefined> {
    const o = this.options;
    if (o.candidates === undefined || o.candidates === false) return undefined;
    const options = o.candidates === true ? {} : o.candidates;
    const { lmCalls, dollars } = o.budget ?? {};
    const onCheckpoint = o.onCheckpoint;
    return proposeSpaceCandidates(student, trainset, {
      ...options,
      metric: options.metric ?? o.metric,
      limits: {
        ...(lmCalls === undefined ? {} : { maxLmCalls: lmCalls }),
        ...(dollars === undefined ? {} : { maxUsd: dollars }),
        ...(o.shouldStop === undefined ? {} : { shouldStop: o.shouldStop }),
      },
      ...(o.resumeFrom?.candidates === undefined
        ? {}
        : { resumeFrom: o.resumeFrom.candidates.checkpoint }),
      ...(onCheckpoint === undefined
        ? {}
        : {
            checkpoint: (candidates) =>
              onCheckpoint({
                version: 1,
                algorithm: o.algorithm ?? 'pareto',
                seed: o.seed ?? 0,
                devsetSize,
                observations: o.resumeFrom?.observations ?? [],
                candidates,
              }),
          }),
    });
  }
}

function isPoint(value: EvaluatedPoint | Configuration): value is EvaluatedPoint {
  return (
    typeof value['quality'] === 'number' &&
    typeof value['configuration'] === 'object' &&
    value['configuration'] !== null
  );
}
