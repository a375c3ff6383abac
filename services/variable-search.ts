import type { Metric } from '../src/evaluate/index.js';
import type { LM } from '../src/lm/types.js';
import type { CandidateValues, Example, Module } from '../src/modules/index.js';
import {
  SpaceSearch,
  type SpaceCandidatesOptions,
  type CandidateEvaluator,
  type OptimizerProgress,
} from '../src/optimizers/index.js';
import { StoreError, type Store } from '../src/store/index.js';
import {
  cheapestWithin,
  configurationKey,
  type Configuration,
  type EvaluatedPoint,
  type FrontPointRecord,
  type ObjectiveName,
  type Objectives,
  type SearchBudget,
  type SearchCheckpoint,
  type SearchSpend,
  type SelectionRule,
} from '../src/variables/index.js';
import { ActorError } from './actor-error.js';

export { frontPointsOf, type FrontPointRecord } from '../src/variables/index.js';

/**
 * Options of a space search as JSON (the `params` of a `space-search` optimization run, and of
 * `Runtime.searchVariables`).
 */
export interface SpaceSearchParams {
  /** Objectives: names (`['quality', 'cost']`, quality max, the others min) or directions. */
  objectives?: readonly ObjectiveName[] | Objectives;
  /** Bounds a front point must meet (`'cost <= 0.002'`). */
  constraints?: readonly string[];
  budget?: SearchBudget;
  seed?: number;
  /** `best-quality` (default), `cheapest`, `fastest`, or `{ within: points }` (cheapest within that many quality points of the best). */
  select?: 'best-quality' | 'cheapest' | 'fastest' | `within:${number}` | { within: number };
  /** `pareto` (default), `grid` (brute force) or `random`. */
  algorithm?: 'pareto' | 'grid' | 'random';
  /** Configurations run at once (default 1). */
  concurrency?: number;
  /** Configurations tried by `random` (default 16). */
  samples?: number;
  /**
   * Fill the instruction and demo variables from MIPROv2's proposer and bootstrapped demo sets
   * first (`true` for the defaults). The prompt model is the node's LM. The front points carry
   * the chosen texts and demos, so any node can deploy and serve them.
   */
  candidates?: boolean | SpaceSearchCandidateParams;
}

/** The JSON options of a queued search's candidate filling (`proposeSpaceCandidates`'). */
export interface SpaceSearchCandidateParams {
  numCandidates?: number;
  maxBootstrappedDemos?: number;
  maxLabeledDemos?: number;
  seed?: number;
  metricThreshold?: number;
  concurrency?: number;
}

const CANDIDATE_PARAMS = [
  'numCandidates',
  'maxBootstrappedDemos',
  'maxLabeledDemos',
  'seed',
  'metricThreshold',
  'concurrency',
] as const;

/** Checks `candidates` (unknown keys and non-numbers named in the error). */
function candidateParamsOf(
  c: SpaceSearchParams['candidates'],
): SpaceCandidatesOptions | boolean | undefined {
  if (c === undefined || typeof c === 'boolean') return c;
  if (typeof c !== 'object' || c === null || Array.isArray(c))
    throw new ActorError(
      'bad_message',
      `candidates: expected true, false or an object, got ${JSON.stringify(c)}`,
    );
  for (const [key, value] of Object.entries(c)) {
    if (!(CANDIDATE_PARAMS as readonly string[]).includes(key))
      throw new ActorError(
        'bad_message',
        `candidates.${key}: unknown option (known: ${CANDIDATE_PARAMS.join(', ')})`,
      );
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new ActorError(
        'bad_message',
        `candidates.${key}: expected a number, got ${JSON.stringify(value)}`,
      );
  }
  return { ...c };
}

/** What a space search leaves in its run record's `result` (beside the optimizer's fields). */
export interface SpaceSearchRecord {
  /** The Pareto front, each point with its stored configuration id. */
  front: FrontPointRecord[];
  /** Every configuration run, on however many examples. */
  evaluated: FrontPointRecord[];
  /** Configuration id of the point `select` picked, or null. */
  chosen: string | null;
  spent: SearchSpend;
  budgetExhausted: boolean;
  /** Why the search stopped early: a budget, or `cancelled` (the front is then what it had run). */
  stopReason?: 'budget' | 'cancelled';
  /** Evaluation shards run per node (empty when the search evaluated in its own process). */
  shardsByNode: Record<string, number>;
  /** Per variable, the candidates the prompt optimizers added (with `candidates`). */
  candidatesAdded?: Record<string, unknown[]>;
  /** The deployed state the search started from (`stateVersion`, registry revision). */
  searchedFrom?: SearchOrigin;
}

/** The program state a search started from. */
export interface SearchOrigin {
  /** The variable registry's revision when the run started (0: never deployed). */
  revision: number;
  /** The optimized program version it served (its demos and instructions), if any. */
  stateVersion?: string;
  /** The deployed configuration (id and values), if any. */
  configuration?: string;
  variables?: Configuration;
}

/** What {@link runSpaceSearch} returns: the chosen program and the points before storing. */
export interface SpaceSearchRun {
  program: Module;
  /** The chosen point's quality (percentage), if any. */
  score?: number;
  front: EvaluatedPoint[];
  evaluated: EvaluatedPoint[];
  chosen: EvaluatedPoint | undefined;
  spent: SearchSpend;
  budgetExhausted: boolean;
  stopReason?: 'budget' | 'cancelled';
  shardsByNode: Record<string, number>;
  /**
   * The chosen instruction texts and demos of each front point (by `configurationKey`), stored
   * with the point so that it deploys on nodes whose programs hold only the declared candidates.
   */
  candidateValues: Record<string, CandidateValues>;
  /** Per variable, the candidates the prompt optimizers added (with `candidates`). */
  candidatesAdded?: Record<string, unknown[]>;
}

/** Checks and converts `objectives` (unknown names are named in the error). */
export function objectivesOf(o: SpaceSearchParams['objectives']): Objectives | undefined {
  if (o === undefined) return undefined;
  if (!Array.isArray(o)) return o as Objectives;
  const out: Objectives = {};
  for (const name of o as readonly string[]) {
    if (name !== 'quality' && name !== 'cost' && name !== 'latency')
      throw new ActorError(
        'bad_message',
        `unknown objective '${name}' (known: quality, cost, latency)`,
      );
    out[name] = name === 'quality' ? 'max' : 'min';
  }
  return out;
}

/** The selection rule of `select`. */
export function selectionOf(s: SpaceSearchParams['select']): SelectionRule<EvaluatedPoint> {
  if (s === undefined) return 'best-quality';
  if (typeof s === 'object') return cheapestWithin(s.within);
  if (s === 'best-quality' || s === 'cheapest' || s === 'fastest') return s;
  const within = /^within:(\d+(?:\.\d+)?)$/.exec(s);
  if (within === null)
    throw new ActorError(
      'bad_message',
      `select: expected best-quality, cheapest, fastest or within:<points>, got '${String(s)}'`,
    );
  return cheapestWithin(Number(within[1]));
}

const ZERO = { lmCalls: 0, promptTokens: 0, completionTokens: 0, usd: 0 };

/**
 * Runs a {@link SpaceSearch} over `student`'s variables with JSON `params`: configurations are
 * built on `student` (so on the state it carries: a deployed version's demos and instructions
 * stay unless a variable sets them), evaluated by `evaluator` when given (evaluation shards over
 * the nodes, each shard told the configuration) or in this process, a checkpoint after every
 * step and a resumed run replaying the checkpoint's outcomes (same seed, same decisions).
 */
export async function runSpaceSearch(
  params: SpaceSearchParams,
  student: Module,
  data: { trainset: readonly Example[]; valset?: readonly Example[] },
  hooks: {
    metric: Metric;
    evaluator?: CandidateEvaluator;
    checkpoint?: (checkpoint: SearchCheckpoint) => Promise<void>;
    resumeFrom?: SearchCheckpoint;
    onProgress?: (p: OptimizerProgress) => void;
    /** The cancel check, asked before every evaluation. */
    shouldStop?: () => boolean;
    /** The LM that proposes instruction candidates (with `candidates`; default the context's). */
    promptModel?: LM;
  },
): Promise<SpaceSearchRun> {
  const candidates = candidateParamsOf(params.candidates);
  const objectives = objectivesOf(params.objectives);
  const shardsByNode: Record<string, number> = {};
  let steps = 0;
  const search = new SpaceSearch({
    metric: hooks.metric,
    ...(objectives === undefined ? {} : { objectives }),
    ...(params.constraints === undefined ? {} : { constraints: params.constraints }),
    ...(params.budget === undefined ? {} : { budget: params.budget }),
    ...(params.seed === undefined ? {} : { seed: params.seed }),
    ...(params.algorithm === undefined ? {} : { algorithm: params.algorithm }),
    ...(params.concurrency === undefined ? {} : { concurrency: params.concurrency }),
    ...(params.samples === undefined ? {} : { samples: params.samples }),
    ...(candidates === undefined || candidates === false
      ? {}
      : {
          candidates: {
            ...(candidates === true ? {} : candidates),
            ...(hooks.promptModel === undefined ? {} : { promptModel: hooks.promptModel }),
          },
        }),
    select: selectionOf(params.select),
    ...(hooks.evaluator === undefined
      ? {}
      : {
          evaluator: hooks.evaluator,
          onNodes: (nodes: readonly string[]) => {
            for (const n of nodes) shardsByNode[n] = (shardsByNode[n] ?? 0) + 1;
          },
        }),
    ...(hooks.checkpoint === undefined ? {} : { onCheckpoint: hooks.checkpoint }),
    ...(hooks.resumeFrom === undefined ? {} : { resumeFrom: hooks.resumeFrom }),
    ...(hooks.shouldStop === undefined ? {} : { shouldStop: hooks.shouldStop }),
    onProgress: (e) =>
      hooks.onProgress?.({
        optimizer: 'space-search',
        phase: 'propose',
        step: `step:${++steps}:${e.configurations}x${e.examples}`,
        usage: {
          task: { ...ZERO, lmCalls: e.spent.lmCalls, usd: e.spent.dollars },
          prompt: ZERO,
          metricCalls: e.spent.examples,
        },
      }),
  });
  const result = await search.optimize(student, {
    trainset: [...data.trainset],
    ...(data.valset === undefined ? {} : { valset: [...data.valset] }),
  });
  return {
    program: result.program,
    ...(result.chosen === undefined ? {} : { score: result.chosen.quality }),
    front: result.front,
    evaluated: result.evaluated,
    chosen: result.chosen,
    spent: result.spent,
    budgetExhausted: result.budgetExhausted,
    ...(result.stopReason === undefined ? {} : { stopReason: result.stopReason }),
    shardsByNode,
    candidateValues: Object.fromEntries(
      result.front.map((p) => [configurationKey(p.configuration), result.candidateValuesOf(p)]),
    ),
    ...(result.candidates === undefined ? {} : { candidatesAdded: result.candidates }),
  };
}

/** Whether two points are one configuration (points may have been through JSON). */
function same(a: EvaluatedPoint, b: EvaluatedPoint | undefined): boolean {
  return b !== undefined && configurationKey(a.configuration) === configurationKey(b.configuration);
}

function pointRecord(point: EvaluatedPoint, configurationId?: string): FrontPointRecord {
  return {
    ...(configurationId === undefined ? {} : { configurationId }),
    configuration: point.configuration,
    quality: point.quality,
    cost: point.cost,
    latencyMs: point.latency,
    latencyP95Ms: point.latencyP95,
    evaluations: point.evaluations,
    examples: point.examples,
    complete: point.complete,
    lmCalls: point.lmCalls,
    dollars: point.dollars,
  };
}

/** The {@link EvaluatedPoint} of a recorded point (the table and chart functions take those). */
export function evaluatedPointOf(p: FrontPointRecord): EvaluatedPoint {
  return {
    configuration: p.configuration,
    quality: p.quality,
    cost: p.cost,
    latency: p.latencyMs,
    latencyP95: p.latencyP95Ms,
    examples: p.examples,
    evaluations: p.evaluations,
    complete: p.complete,
    lmCalls: p.lmCalls,
    dollars: p.dollars,
  };
}

/**
 * Stores every front point of a search as a VariableConfiguration (id `<runId>-<i>`, the chosen
 * one marked; a point stored before, by a run taken over, is kept) and returns the record the run
 * keeps in its `result`.
 */
export async function recordSpaceSearch(
  store: Store,
  runId: string,
  program: string,
  run: Omit<SpaceSearchRun, 'program' | 'score'>,
  searchedFrom?: SearchOrigin,
): Promise<SpaceSearchRecord> {
  const front: FrontPointRecord[] = [];
  for (const [i, point] of run.front.entries()) {
    const id = `${runId}-${i}`;
    const candidates = run.candidateValues[configurationKey(point.configuration)];
    const none = candidates === undefined || Object.keys(candidates).length === 0;
    await store.variableConfigurations
      .create({
        id,
        program,
        values: point.configuration,
        ...(none ? {} : { candidates }),
        source: 'optimization',
        runId,
        objectives: {
          quality: point.quality,
          cost: point.cost,
          latencyMs: point.latency,
          latencyP95Ms: point.latencyP95,
          examples: point.examples,
          evaluations: point.evaluations,
        },
        ...(same(point, run.chosen) ? { chosen: true } : {}),
      })
      .catch((e: unknown) => {
        if (!(e instanceof StoreError && e.code === 'conflict')) throw e;
      });
    front.push({ ...pointRecord(point, id), ...(none ? {} : { candidates }) });
  }
  const at = run.front.findIndex((p) => same(p, run.chosen));
  return JSON.parse(
    JSON.stringify({
      front,
      evaluated: run.evaluated.map((p) => pointRecord(p)),
      chosen: at < 0 ? null : (front[at]?.configurationId ?? null),
      spent: run.spent,
      budgetExhausted: run.budgetExhausted,
      ...(run.stopReason === undefined ? {} : { stopReason: run.stopReason }),
      shardsByNode: run.shardsByNode,
      ...(run.candidatesAdded === undefined ? {} : { candidatesAdded: run.candidatesAdded }),
      ...(searchedFrom === undefined ? {} : { searchedFrom }),
    }),
  ) as SpaceSearchRecord;
}
