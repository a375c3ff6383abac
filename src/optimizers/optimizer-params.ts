import type {
  BootstrapFewShotOptions,
  COPROOptions,
  GepaOptions,
  LabeledFewShotOptions,
  MIPROv2CompileOptions,
  MIPROv2Options,
  RandomSearchOptions,
  SimbaCompileOptions,
  SimbaOptions,
} from './index.js';

/** JSON options of a `space-search` run (as `services/variable-search.ts` reads them). */
interface SpaceSearchParams {
  metric: unknown;
  objectives: unknown;
  constraints: unknown;
  budget: unknown;
  seed: unknown;
  select: unknown;
  algorithm: unknown;
  concurrency: unknown;
  samples: unknown;
}

/**
 * JSON type of an optimizer option given in `--params`; `string|null` for options DSPy lets you
 * null out (MIPROv2's and GEPA's `auto: null`, to set `numCandidates`/`numTrials` yourself);
 * `count` an integer ≥ 0 (demos, errors, call caps, seeds), `size` an integer ≥ 1 (rounds,
 * candidates, trials, batch sizes, shards, concurrency), `money` a number ≥ 0.
 */
type ParamType =
  'number' | 'boolean' | 'string' | 'object' | 'string|null' | 'count' | 'size' | 'money';

/** Keys the runtime reads itself: how candidate evaluations are split into evaluation shards. */
const SHARD_PARAMS = { shards: 'size', shardConcurrency: 'size' } as const;

/** Budget caps every optimizer honours (`--budget-usd` sets `maxUsd`). */
const BUDGET_PARAMS = { maxLmCalls: 'count', maxMetricCalls: 'count', maxUsd: 'money' } as const;

/** The options of `BootstrapFewShot` a `--params` object may set (`metric` is a metric name). */
const BOOTSTRAP_PARAMS = {
  metric: 'string',
  metricThreshold: 'number',
  maxBootstrappedDemos: 'count',
  maxLabeledDemos: 'count',
  maxRounds: 'size',
  maxErrors: 'count',
  seed: 'count',
  ...BUDGET_PARAMS,
} as const satisfies Partial<Record<keyof BootstrapFewShotOptions, ParamType>>;

/** The options of `BootstrapFewShotWithRandomSearch` (candidates scored as evaluation shards). */
const RANDOM_PARAMS = {
  ...BOOTSTRAP_PARAMS,
  ...SHARD_PARAMS,
  numCandidatePrograms: 'size',
  stopAtScore: 'number',
} as const satisfies Partial<
  Record<keyof RandomSearchOptions | keyof typeof SHARD_PARAMS, ParamType>
>;

/**
 * The JSON options each optimizer takes from `dspex optimize --params` and the HTTP API's `params`, by optimizer name (the
 * names the runtime's optimization jobs accept). The `satisfies` clauses keep each key an option
 * of its optimizer.
 */
export const OPTIMIZER_PARAMS: Readonly<Record<string, Readonly<Record<string, ParamType>>>> = {
  'labeled-few-shot': {
    k: 'count',
    sample: 'boolean',
    seed: 'count',
  } satisfies Partial<Record<keyof LabeledFewShotOptions, ParamType>>,
  'bootstrap-few-shot': BOOTSTRAP_PARAMS,
  'random-search': RANDOM_PARAMS,
  bootstrap: BOOTSTRAP_PARAMS,
  random: RANDOM_PARAMS,
  copro: {
    ...BUDGET_PARAMS,
    ...SHARD_PARAMS,
    metric: 'string',
    breadth: 'size',
    depth: 'size',
    initTemperature: 'number',
    trackStats: 'boolean',
    maxErrors: 'count',
    concurrency: 'size',
  } satisfies Partial<Record<keyof COPROOptions | keyof typeof SHARD_PARAMS, ParamType>>,
  mipro: {
    ...BUDGET_PARAMS,
    ...SHARD_PARAMS,
    metric: 'string',
    auto: 'string|null',
    numCandidates: 'size',
    seed: 'count',
    initTemperature: 'number',
    metricThreshold: 'number',
    maxBootstrappedDemos: 'count',
    maxLabeledDemos: 'count',
    maxErrors: 'count',
    concurrency: 'size',
    numTrials: 'size',
    minibatch: 'boolean',
    minibatchSize: 'size',
    minibatchFullEvalSteps: 'size',
    programAwareProposer: 'boolean',
    dataAwareProposer: 'boolean',
    viewDataBatchSize: 'size',
    tipAwareProposer: 'boolean',
    fewshotAwareProposer: 'boolean',
  } satisfies Partial<
    Record<
      keyof MIPROv2Options | keyof MIPROv2CompileOptions | keyof typeof SHARD_PARAMS,
      ParamType
    >
  >,
  simba: {
    ...BUDGET_PARAMS,
    metric: 'string',
    bsize: 'size',
    numCandidates: 'size',
    maxSteps: 'size',
    maxDemos: 'count',
    demoInputFieldMaxlen: 'size',
    temperatureForSampling: 'number',
    temperatureForCandidates: 'number',
    seed: 'count',
    concurrency: 'size',
  } satisfies Partial<Record<keyof SimbaOptions | keyof SimbaCompileOptions, ParamType>>,
  gepa: {
    ...BUDGET_PARAMS,
    metric: 'string',
    auto: 'string|null',
    maxFullEvals: 'size',
    reflectionMinibatchSize: 'size',
    candidateSelectionStrategy: 'string',
    skipPerfectScore: 'boolean',
    componentSelector: 'string',
    useMerge: 'boolean',
    maxMergeInvocations: 'count',
    failureScore: 'number',
    perfectScore: 'number',
    frontierType: 'string',
    mergeValOverlapFloor: 'count',
    seed: 'count',
    concurrency: 'size',
  } satisfies Partial<Record<keyof GepaOptions, ParamType>>,
  /** A search over the program's variables (objects: `objectives`, `budget`, `constraints`, `select`). */
  'space-search': {
    ...SHARD_PARAMS,
    metric: 'string',
    objectives: 'object',
    constraints: 'object',
    budget: 'object',
    seed: 'count',
    select: 'string',
    algorithm: 'string',
    concurrency: 'size',
    samples: 'size',
  } satisfies Partial<Record<keyof SpaceSearchParams | keyof typeof SHARD_PARAMS, ParamType>>,
};

/** Why a run's `params` do not fit a built-in optimizer: the offending key and a sentence. */
export interface OptimizerParamsProblem {
  key: string;
  message: string;
}

/**
 * Checks the JSON `params` of a built-in optimizer before anything runs: an unknown key names the
 * key and the keys that optimizer takes; a value of the wrong JSON type says which type it needs.
 * Undefined when they fit, or when the optimizer is not built in (a programs module's own
 * optimizer takes its own params). `deploy` (every run's) is not checked here.
 *
 * @example
 * ```ts
 * optimizerParamsProblem('bootstrap', { maxDemos: 2 })?.message;
 * // "unknown option 'maxDemos' for bootstrap (it takes: metric, metricThreshold, …)"
 * ```
 */
export function optimizerParamsProblem(
  optimizer: string,
  params: Readonly<Record<string, unknown>>,
): OptimizerParamsProblem | undefined {
  const known = OPTIMIZER_PARAMS[optimizer];
  if (known === undefined) return undefined;
  for (const [key, value] of Object.entries(params)) {
    if (key === 'deploy') continue;
    const type = known[key];
    if (type === undefined)
      return {
        key,
        message: `unknown option '${key}' for ${optimizer} (it takes: ${Object.keys(known).join(', ')})`,
      };
    const wanted = fits(type, value);
    if (wanted !== undefined)
      return {
        key,
        message: `option '${key}' of ${optimizer} must be ${wanted}, got ${JSON.stringify(value)}`,
      };
  }
  return undefined;
}

/** What `value` should have been (`a number`, `an integer ≥ 1`, …), or undefined when it fits. */
function fits(type: ParamType, value: unknown): string | undefined {
  const isNumber = typeof value === 'number' && Number.isFinite(value);
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null ? undefined : 'an object';
    case 'string|null':
      return value === null || typeof value === 'string' ? undefined : 'a string or null';
    case 'count':
      return isNumber && Number.isInteger(value) && value >= 0 ? undefined : 'an integer ≥ 0';
    case 'size':
      return isNumber && Number.isInteger(value) && value >= 1 ? undefined : 'an integer ≥ 1';
    case 'money':
      return isNumber && value >= 0 ? undefined : 'a number ≥ 0';
    case 'number':
      return isNumber ? undefined : 'a number';
    default:
      return typeof value === type ? undefined : `a ${type}`;
  }
}
