import type { Metric } from '../src/evaluate/index.js';
import type { LM } from '../src/lm/types.js';
import { isModule, type Example, type Module } from '../src/modules/index.js';
import { unknownExtension, type ExtensionRegistry } from '../src/extensions/index.js';
import {
  BootstrapFewShot,
  BootstrapFewShotWithRandomSearch,
  COPRO,
  GEPA,
  LabeledFewShot,
  MIPROv2,
  SIMBA,
  type BudgetUsage,
  type CandidateEvaluator,
  type GepaMetric,
  type OptimizerProgress,
  type TraceEvaluator,
} from '../src/optimizers/index.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../src/contracts/index.js';
import { ActorError } from './actor-error.js';
import { runSpaceSearch, type SpaceSearchParams, type SpaceSearchRun } from './variable-search.js';

// Optimizers a run may name (a job-payload contract; `bootstrap` and `random` are short names).
export { OPTIMIZER_NAMES };
export type { OptimizerName };

/**
 * Keys of a run's `params` the runtime reads itself; every other key is an option of the
 * optimizer (DSPy's arguments, camelCased, JSON).
 */
export const RUN_PARAM_KEYS = ['metric', 'deploy', 'shards', 'shardConcurrency'] as const;

/** `compile()` arguments of MIPROv2 that a run's params may set (the rest go to the constructor). */
const MIPRO_COMPILE_KEYS = [
  'numTrials',
  'minibatch',
  'minibatchSize',
  'minibatchFullEvalSteps',
  'programAwareProposer',
  'dataAwareProposer',
  'viewDataBatchSize',
  'tipAwareProposer',
  'fewshotAwareProposer',
] as const;

/** What the runtime gives an optimizer besides its JSON options. */
export interface OptimizerHooks {
  metric: Metric | undefined;
  onProgress: (p: OptimizerProgress) => void;
  /** The cancel check: asked between steps. */
  shouldStop: () => boolean;
  /** Candidate evaluations as evaluation shards (optimizers that score whole candidates). */
  evaluator: CandidateEvaluator | undefined;
  /** Evaluations with outputs, traces and feedback as evaluation shards (GEPA). */
  traceEvaluator?: TraceEvaluator | undefined;
  /** Stores the optimizer's checkpoint (awaited after every step). */
  checkpoint: (checkpoint: unknown) => Promise<void>;
  /** The last stored checkpoint of this run, if it is being resumed. */
  resumeFrom: unknown;
  /** The model that proposes instructions when the options name none (the program's LM). */
  promptModel: LM | undefined;
  /** The node's extensions: a run naming no built-in optimizer runs the one registered there. */
  extensions?: ExtensionRegistry;
}

/** What an optimizer run produced. */
export interface OptimizerOutcome {
  program: Module;
  /** The best program's score (percentage) where the optimizer reports one. */
  score?: number;
  /** Why the run stopped early (a budget cap, or `cancelled`). */
  stopReason?: string;
  usage?: BudgetUsage;
  /** A `space-search` run's points (front, every evaluated one, the chosen, the spend). */
  search?: Omit<SpaceSearchRun, 'program' | 'score'>;
}

type Json = Record<string, unknown>;

function pick(from: Json, keys: readonly string[]): [Json, Json] {
  const picked: Json = {};
  const rest: Json = {};
  for (const [k, v] of Object.entries(from)) (keys.includes(k) ? picked : rest)[k] = v;
  return [picked, rest];
}

function needMetric(name: string, metric: Metric | undefined): Metric {
  if (metric === undefined) throw new ActorError('unknown_metric', `${name} needs params.metric`);
  return metric;
}

function stopped(reason: string | undefined): { stopReason?: string } {
  return reason === undefined || reason === 'completed' ? {} : { stopReason: reason };
}

/**
 * Builds the named optimizer from a run's params and runs it on `student`, with the runtime's
 * hooks: progress, the cancel check, evaluation shards (random search, COPRO, MIPROv2; GEPA's
 * with traces) and a
 * checkpoint after every step (a bootstrapped train example, a random-search candidate, a COPRO,
 * MIPROv2, SIMBA or GEPA step), resuming from the stored one.
 */
export async function runOptimizer(
  name: string,
  params: Json,
  student: Module,
  data: { trainset: readonly Example[]; valset?: readonly Example[] },
  hooks: OptimizerHooks,
): Promise<OptimizerOutcome> {
  const [, options] = pick(params, RUN_PARAM_KEYS);
  const { trainset, valset } = data;
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(name)) {
    const registry = hooks.extensions;
    const custom = registry?.extension('optimizers', name);
    if (custom === undefined)
      throw new ActorError(
        'unknown_optimizer',
        unknownExtension('optimizers', name, registry?.names('optimizers') ?? OPTIMIZER_NAMES)
          .message,
        { details: { optimizer: name } },
      );
    const out = await custom({
      student,
      trainset,
      ...(valset === undefined ? {} : { valset }),
      metric: hooks.metric,
      params: options,
      onProgress: hooks.onProgress,
      shouldStop: hooks.shouldStop,
    });
    return isModule(out) ? { program: out } : out;
  }
  const common = { onProgress: hooks.onProgress, shouldStop: hooks.shouldStop };
  const resume = hooks.resumeFrom === undefined ? {} : { resumeFrom: hooks.resumeFrom as never };
  const evaluator = hooks.evaluator === undefined ? {} : { evaluator: hooks.evaluator };
  const promptModel = hooks.promptModel === undefined ? {} : { promptModel: hooks.promptModel };
  switch (name as OptimizerName) {
    case 'labeled-few-shot':
      return new LabeledFewShot(options).optimize(student, { trainset });
    case 'bootstrap':
    case 'bootstrap-few-shot': {
      const r = await new BootstrapFewShot({
        ...options,
        ...common,
        ...(hooks.metric === undefined ? {} : { metric: hooks.metric }),
        checkpoint: hooks.checkpoint,
      }).optimize(student, { trainset, ...resume });
      return { program: r.program, ...stopped(r.bootstrap.stopReason) };
    }
    case 'random':
    case 'random-search': {
      const r = await new BootstrapFewShotWithRandomSearch({
        ...options,
        ...common,
        ...evaluator,
        metric: needMetric(name, hooks.metric),
        display: false,
        checkpoint: hooks.checkpoint,
      }).optimize(student, { trainset, ...(valset === undefined ? {} : { valset }), ...resume });
      return {
        program: r.program,
        ...(r.candidates[0] === undefined ? {} : { score: r.candidates[0].score }),
        ...stopped(r.stopReason),
      };
    }
    case 'copro': {
      const r = await new COPRO({
        ...promptModel,
        ...options,
        ...common,
        ...evaluator,
        metric: needMetric(name, hooks.metric),
        checkpoint: hooks.checkpoint,
      }).optimize(student, { trainset, ...resume });
      return { program: r.program, score: r.score, usage: r.usage, ...stopped(r.stopReason) };
    }
    case 'mipro': {
      const [compile, ctor] = pick(options, MIPRO_COMPILE_KEYS);
      const r = await new MIPROv2({
        ...promptModel,
        ...ctor,
        ...common,
        ...evaluator,
        metric: needMetric(name, hooks.metric),
        checkpoint: hooks.checkpoint,
      }).optimize(student, {
        trainset,
        ...(valset === undefined ? {} : { valset }),
        ...compile,
        ...resume,
      });
      return { program: r.program, score: r.score, usage: r.usage, ...stopped(r.stopReason) };
    }
    case 'simba': {
      const [compile, ctor] = pick(options, ['seed']);
      const r = await new SIMBA({
        ...promptModel,
        ...ctor,
        ...common,
        ...evaluator,
        metric: needMetric(name, hooks.metric),
        checkpoint: hooks.checkpoint,
      }).optimize(student, { trainset, ...compile, ...resume });
      const best = r.candidates[0];
      return {
        program: r.program,
        ...(best === undefined ? {} : { score: best.score * 100 }),
        usage: r.usage,
        ...stopped(r.stopReason),
      };
    }
    case 'gepa': {
      const r = await new GEPA({
        ...(hooks.promptModel === undefined ? {} : { reflectionLm: hooks.promptModel }),
        // Minibatches (3 examples by default) stay on the run's node; full evaluations go out.
        ...(hooks.traceEvaluator === undefined
          ? {}
          : { traceEvaluator: hooks.traceEvaluator, traceEvaluatorMinBatch: 8 }),
        ...options,
        ...common,

        metric: needMetric(name, hooks.metric) as GepaMetric,
        checkpoint: hooks.checkpoint,
      }).optimize(student, { trainset, ...(valset === undefined ? {} : { valset }), ...resume });
      const best = r.valAggregateScores[r.bestIdx];
      return {
        program: r.program,
        ...(best === undefined ? {} : { score: best * 100 }),
        usage: r.usage,
        ...stopped(r.stopReason),
      };
    }
    case 'space-search': {
      const { program, score, ...search } = await runSpaceSearch(
        options as SpaceSearchParams,
        student,
        data,
        {
          metric: needMetric(name, hooks.metric),
          ...evaluator,
          checkpoint: hooks.checkpoint,
          ...(resume as { resumeFrom?: never }),
          onProgress: hooks.onProgress,
          shouldStop: hooks.shouldStop,
          ...promptModel,
        },
      );
      return {
        program,
        ...(score === undefined ? {} : { score }),
        search,
        ...(search.stopReason === undefined ? {} : { stopReason: search.stopReason }),
      };
    }
  }
}
