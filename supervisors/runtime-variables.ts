import {
  VARIABLE_REGISTRY,
  installVersion,
  type ConfigVersion,
  type VariableTable,
} from '../actors/index.js';
import {
  ActorError,
  callActor,
  describeProgramVariables,
  evaluatedPointOf,
  materializeProgram,
  objectivesOf,
  recordSpaceSearch,
  runSpaceSearch,
  selectionOf,
  fromExampleData,
  programVariableSpace,
  resolveMetric,
  toExampleData,
  unknownProgram,
  VariableSync,
  type ProgramCatalog,
  type SearchOrigin,
  type SpaceSearchParams,
  type SpaceSearchRecord,
} from '../services/index.js';
import type { OptimizeRequest } from './runtime-types.js';
import type { Metric } from '../src/evaluate/index.js';
import type { Kernel } from '../src/kernel/index.js';
import type { LM } from '../src/lm/types.js';
import { checkConfiguration, context, currentSettings } from '../src/modules/index.js';
import type { OptimizationRun, Store } from '../src/store/index.js';
import {
  VariableError,
  formatFrontTable,
  renderFrontHtml,
  type Configuration,
  type EvaluatedPoint,
  type ObjectiveName,
  type Objectives,
  type SearchBudget,
  type SearchSpend,
  type VariableDescription,
} from '../src/variables/index.js';
import type { Logger } from '../src/telemetry/index.js';
import type { Example } from '../src/modules/index.js';

/** What {@link Runtime.variables} returns: the program's space and what it serves now. */
export interface ProgramVariables {
  program: string;
  /** Version of the space in the store (registered at start). */
  spaceVersion?: string;
  /** Variables in dependency order (names, kinds, ranges or choices, defaults, overridable). */
  variables: VariableDescription[];
  /** The configuration this node serves (revision 0: never deployed). */
  active: ConfigVersion;
}

/** What {@link Runtime.deploy} deploys: a stored configuration, or an optimized state version. */
export interface DeployTarget {
  /** Id of a stored VariableConfiguration of the program (a point of a front). */
  configuration?: string;
  /** A published program version (store), activated and pinned. */
  version?: string;
}

/** What {@link Runtime.deploy} returns. */
export interface DeployOutcome {
  program: string;
  /** The deployment's revision (every node serves it once it has this revision). */
  revision: number;
  configuration?: string;
  variables?: Configuration;
  version?: string;
}

/** Options of {@link Runtime.searchVariables}. */
export interface VariableSearchRequest {
  trainset: readonly (Example | Record<string, unknown>)[];
  /** Held-out examples the front is measured on (default: the trainset). */
  valset?: readonly (Example | Record<string, unknown>)[];
  inputKeys?: readonly string[];
  /** A metric name (built-ins, the runtime's, the programs module's) or a function. */
  metric: string | Metric;
  /** Objectives: names (`['quality', 'cost']`, quality max, the others min) or directions. */
  objectives?: readonly ObjectiveName[] | Objectives;
  /** Bounds a front point must meet (`'cost <= 0.002'`). */
  constraints?: readonly string[];
  budget?: SearchBudget;
  seed?: number;
  /** The chosen point: `best-quality` (default), `cheapest`, `fastest`, or `{ within: points }` (cheapest within that many quality points of the best). */
  select?: 'best-quality' | 'cheapest' | 'fastest' | { within: number };
  /** `pareto` (default), `grid` (brute force) or `random`. */
  algorithm?: 'pareto' | 'grid' | 'random';
  /** Configurations run at once (default 1). */
  concurrency?: number;
  /** How long to wait for a queued search (metric by name) to finish (default 1 h). */
  timeoutMs?: number;
}

/** A front point as stored: the point plus the id `deploy --configuration` takes. */
export interface StoredFrontPoint extends EvaluatedPoint {
  configurationId: string;
}

/** What {@link Runtime.searchVariables} returns. */
export interface VariableSearchOutcome {
  /** The optimization run record of the search (optimizer `space-search`). */
  runId: string;
  program: string;
  front: StoredFrontPoint[];
  chosen: StoredFrontPoint | undefined;
  /** Every configuration run, on however many examples. */
  evaluated: EvaluatedPoint[];
  spent: SearchSpend;
  budgetExhausted: boolean;
  /** The front as a text table (`*` marks the chosen point). */
  table: string;
  /** A self-contained HTML page charting quality against cost (latency as size and colour). */
  html: string;
  /** The deployed state the search started from. */
  searchedFrom?: SearchOrigin;
  /** Evaluation shards each node ran (empty when the search ran in one process). */
  shardsByNode: Record<string, number>;
}

/** What the variable functions need of the node. */
export interface VariableNode {
  kernel: Kernel;
  store: Store;
  catalog: ProgramCatalog;
  metricTable: ReadonlyMap<string, Metric>;
  defaultLm?: () => LM | undefined;
  /** Queues an optimization run (`dspex-optimize`); without it searches run in this process. */
  submit?: (program: string, request: OptimizeRequest) => Promise<{ runId: string }>;
}

/**
 * Stores each hosted program's space as a variable-space record (a new version only when it
 * changed), so `dspex deploy` can check a configuration without loading the programs.
 */
export async function registerSpaces(
  store: Store,
  catalog: ProgramCatalog,
  logger: Logger,
): Promise<Map<string, string>> {
  const versions = new Map<string, string>();
  for (const name of catalog.names()) {
    try {
      const variables = describeProgramVariables(catalog.get(name));
      if (variables.length === 0) continue;
      versions.set(name, (await store.variableSpaces.register(name, variables)).version);
    } catch (err) {
      logger.error({ err, program: name }, 'the program variable space could not be stored');
    }
  }
  return versions;
}

/**
 * Redis mode: the registry's link to the cluster, started before the tree so a node serves the
 * cluster's deployments from its first job. Versions arriving later go through the registry
 * (`apply`), which tells the running workers.
 */
export async function startVariableSync(args: {
  kernel: Kernel;
  store: Store;
  url: string;
  storePrefix: string;
  table: VariableTable;
  onChange: (v: ConfigVersion) => void;
  logger: Logger;
}): Promise<VariableSync> {
  const { kernel, table, onChange } = args;
  const sync = new VariableSync({
    store: args.store,
    url: args.url,
    storePrefix: args.storePrefix,
    install: (version) => {
      if (kernel.whereis(VARIABLE_REGISTRY) !== undefined)
        kernel.cast(VARIABLE_REGISTRY, { type: 'apply', version });
      else installVersion({ table, kernel, onChange }, version);
    },
    onInvalid: (program, message) =>
      args.logger.warn({ program }, `ignoring a stored deployment: ${message}`),
  });
  await sync.start();
  return sync;
}

/** The program's space, its stored version and the configuration this node serves. */
export async function programVariables(
  node: VariableNode,
  program: string,
): Promise<ProgramVariables> {
  const module = node.catalog.get(program);
  const stored = await node.store.variableSpaces.find(program);
  const active = await callActor<ConfigVersion>(node.kernel, VARIABLE_REGISTRY, {
    type: 'get',
    program,
  });
  return {
    program,
    ...(stored === undefined ? {} : { spaceVersion: stored.version }),
    variables: describeProgramVariables(module),
    active,
  };
}

/**
 * Deploys a stored configuration (checked against the program's space: every value named in an
 * error) and/or activates a published version, through the variable registry: in Redis mode the
 * change is stored and announced, and every node serves it from its next execution.
 */
export async function deploy(
  node: VariableNode,
  program: string,
  target: DeployTarget,
): Promise<DeployOutcome> {
  if (!node.catalog.has(program)) throw unknownProgram(program, node.catalog.names());
  if (target.configuration === undefined && target.version === undefined)
    throw new ActorError('bad_message', 'deploy needs a configuration id or a version');
  const config: Record<string, unknown> = {};
  let variables: Configuration | undefined;
  if (target.configuration !== undefined) {
    const record = await node.store.variableConfigurations.find(target.configuration);
    if (record === undefined || record.program !== program)
      throw new ActorError(
        'bad_message',
        `configuration ${JSON.stringify(target.configuration)} ${record === undefined ? 'not found' : `belongs to program '${record.program}', not '${program}'`}`,
      );
    const module = node.catalog.get(program);
    try {
      variables = checkConfiguration(module, record.values, {
        space: programVariableSpace(module),
        ...(record.candidates === undefined ? {} : { candidates: record.candidates }),
      });
    } catch (error) {
      if (!(error instanceof VariableError)) throw error;
      throw new ActorError(
        'bad_message',
        `configuration ${record.id} does not fit program '${program}': ${error.message}`,
      );
    }
    // The chosen instruction texts and demos travel with the values: every node serves them.
    Object.assign(config, {
      configuration: record.id,
      variables,
      ...(record.candidates === undefined ? {} : { candidates: record.candidates }),
    });
  }
  if (target.version !== undefined) {
    await node.store.programs.activate(program, target.version);
    config['stateVersion'] = target.version;
  }
  const v = await callActor<ConfigVersion>(node.kernel, VARIABLE_REGISTRY, {
    type: 'set',
    program,
    config,
  });
  return {
    program,
    revision: v.revision,
    ...(target.configuration === undefined ? {} : { configuration: target.configuration }),
    ...(variables === undefined ? {} : { variables }),
    ...(target.version === undefined ? {} : { version: target.version }),
  };
}

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Searches the program's variable space as an optimization run (optimizer `space-search`),
 * starting from the program's deployed state (its active configuration and optimized version:
 * the run records which in `result.searchedFrom`). With a metric name the run is a
 * `dspex-optimize` job: whichever node takes it sends each configuration's evaluations out as
 * `dspex-eval` shards, so every node's evaluation workers take a share, and a node's death only
 * hands the run (and its checkpoint) to another node. A metric function cannot travel, so the
 * search then runs in this process. Every front point is stored as a VariableConfiguration (id
 * `<runId>-<i>`, the chosen one marked) and the run's `result` keeps the points themselves
 * (front, evaluated, chosen) for the CLI and the dashboard.
 */
export async function searchVariables(
  node: VariableNode,
  program: string,
  request: VariableSearchRequest,
): Promise<VariableSearchOutcome> {
  const base = node.catalog.get(program);
  const inputKeys =
    request.inputKeys ?? base.namedPredictors()[0]?.[1].signature.inputFields.map((f) => f.name);
  const params = searchParams(request);
  // Checked here so that a bad request fails before a run exists.
  objectivesOf(params.objectives);
  selectionOf(params.select);
  if (typeof request.metric === 'string' && node.submit !== undefined) {
    resolveMetric(node.metricTable, request.metric);
    const { runId } = await node.submit(program, {
      optimizer: 'space-search',
      trainset: request.trainset,
      ...(request.valset === undefined ? {} : { valset: request.valset }),
      ...(inputKeys === undefined ? {} : { inputKeys }),
      params: { ...params, metric: request.metric, deploy: false },
    });
    const run = await waitForFinalRun(node.store, runId, request.timeoutMs ?? 3_600_000);
    if (run.status !== 'succeeded') {
      const error = run.error as { code?: string; message?: string } | undefined;
      throw new ActorError(
        error?.code === 'bad_message' || error?.code === 'unknown_metric'
          ? error.code
          : 'execution_failed',
        `space search run ${runId} ${run.status}: ${error?.message ?? 'no reason recorded'}`,
      );
    }
    return outcomeOf(program, runId, run.result as unknown as SpaceSearchRecord);
  }
  return searchHere(node, program, request, params, inputKeys);
}

function searchParams(request: VariableSearchRequest): SpaceSearchParams {
  return JSON.parse(
    JSON.stringify({
      objectives: request.objectives,
      constraints: request.constraints,
      budget: request.budget,
      seed: request.seed,
      select: request.select,
      algorithm: request.algorithm,
      concurrency: request.concurrency,
    }),
  ) as SpaceSearchParams;
}

async function waitForFinalRun(
  store: Store,
  runId: string,
  timeoutMs: number,
): Promise<OptimizationRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await store.optimizationRuns.get(runId);
    if (FINAL.has(run.status)) return run;
    if (Date.now() > deadline)
      throw new ActorError(
        'deadline_exceeded',
        `space search run ${runId} not finished in ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A search with a metric function: in this process, from the deployed state. */
async function searchHere(
  node: VariableNode,
  program: string,
  request: VariableSearchRequest,
  params: SpaceSearchParams,
  inputKeys: readonly string[] | undefined,
): Promise<VariableSearchOutcome> {
  const trainset = fromExampleData(toExampleData(request.trainset, inputKeys));
  const valset =
    request.valset === undefined
      ? undefined
      : fromExampleData(toExampleData(request.valset, inputKeys));
  const metric =
    typeof request.metric === 'string'
      ? resolveMetric(node.metricTable, request.metric)
      : request.metric;
  const run = await node.store.optimizationRuns.create({
    program,
    optimizer: 'space-search',
    status: 'running',
    params: params as Record<string, never>,
  });
  try {
    const registry = await callActor<ConfigVersion>(node.kernel, VARIABLE_REGISTRY, {
      type: 'get',
      program,
    });
    const deployed = await materializeProgram({
      name: program,
      base: node.catalog.get(program),
      config: registry.config,
      store: node.store,
      contextLm: node.defaultLm?.() ?? currentSettings().lm,
      pool: (lm: LM) => Promise.resolve(lm),
    });
    const lm = deployed.lm;
    const {
      program: _p,
      score: _s,
      ...search
    } = await context(lm === undefined ? {} : { lm }, () =>
      runSpaceSearch(
        params,
        deployed.module,
        { trainset, ...(valset === undefined ? {} : { valset }) },
        { metric },
      ),
    );
    const { configuration, variables } = registry.config;
    const record = await recordSpaceSearch(node.store, run.id, program, search, {
      revision: registry.revision,
      ...(deployed.stateVersion === undefined ? {} : { stateVersion: deployed.stateVersion }),
      ...(configuration === undefined ? {} : { configuration }),
      ...(variables === undefined ? {} : { variables: variables as Configuration }),
    });
    await node.store.optimizationRuns.update(run.id, {
      status: 'succeeded',
      progress: { done: search.evaluated.length, total: search.evaluated.length },
      bestScore: Math.max(...search.front.map((p) => p.quality), 0),
      result: { runId: run.id, deployed: false, ...(record as unknown as Record<string, never>) },
    });
    return outcomeOf(program, run.id, record);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await node.store.optimizationRuns
      .update(run.id, { status: 'failed', error: { code: 'execution_failed', message } })
      .catch(() => undefined);
    throw error;
  }
}

/** The outcome of a finished search from its run record's result. */
function outcomeOf(
  program: string,
  runId: string,
  record: SpaceSearchRecord,
): VariableSearchOutcome {
  const front = record.front.map((p): StoredFrontPoint => ({
    ...evaluatedPointOf(p),
    configurationId: p.configurationId as string,
  }));
  const chosen = front.find((p) => p.configurationId === record.chosen);
  const evaluated = record.evaluated.map(evaluatedPointOf);
  return {
    runId,
    program,
    front,
    chosen,
    evaluated,
    spent: record.spent,
    budgetExhausted: record.budgetExhausted,
    ...(record.searchedFrom === undefined ? {} : { searchedFrom: record.searchedFrom }),
    shardsByNode: record.shardsByNode,
    table: formatFrontTable(front, chosen === undefined ? {} : { chosen }),
    html: renderFrontHtml(front, {
      title: `${program}: quality against cost`,
      evaluated,
      ...(chosen === undefined ? {} : { chosen }),
    }),
  };
}
