import {
  ActorError,
  VARIABLE_REGISTRY,
  callActor,
  describeProgramVariables,
  fromExampleData,
  installVersion,
  programVariableSpace,
  resolveMetric,
  toExampleData,
  unknownProgram,
  VariableSync,
  type ConfigVersion,
  type ProgramCatalog,
  type VariableTable,
} from '../actors/index.js';
import type { Metric } from '../src/evaluate/index.js';
import type { Kernel } from '../src/kernel/index.js';
import type { LM } from '../src/lm/types.js';
import { context, currentSettings } from '../src/modules/index.js';
import { SpaceSearch } from '../src/optimizers/index.js';
import type { Store, VariableConfigurationRecord } from '../src/store/index.js';
import {
  VariableError,
  cheapestWithin,
  formatFrontTable,
  renderFrontHtml,
  type Configuration,
  type EvaluatedPoint,
  type ObjectiveName,
  type Objectives,
  type SearchBudget,
  type SearchSpend,
  type SelectionRule,
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
}

/** What the variable functions need of the node. */
export interface VariableNode {
  kernel: Kernel;
  store: Store;
  catalog: ProgramCatalog;
  metricTable: ReadonlyMap<string, Metric>;
  defaultLm?: () => LM | undefined;
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
    try {
      variables = programVariableSpace(node.catalog.get(program)).validateConfiguration(
        record.values,
      );
    } catch (error) {
      if (!(error instanceof VariableError)) throw error;
      throw new ActorError(
        'bad_message',
        `configuration ${record.id} does not fit program '${program}': ${error.message}`,
      );
    }
    Object.assign(config, { configuration: record.id, variables });
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

function objectivesOf(o: VariableSearchRequest['objectives']): Objectives | undefined {
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

function selectionOf(s: VariableSearchRequest['select']): SelectionRule<EvaluatedPoint> {
  if (s === undefined) return 'best-quality';
  return typeof s === 'object' ? cheapestWithin(s.within) : s;
}

/**
 * Searches the program's variable space on this node (`SpaceSearch`), records the search as an
 * optimization run (`space-search`) and every front point as a VariableConfiguration (id
 * `<runId>-<i>`, the chosen one marked), and returns the front with its table and chart.
 */
export async function searchVariables(
  node: VariableNode,
  program: string,
  request: VariableSearchRequest,
): Promise<VariableSearchOutcome> {
  const base = node.catalog.get(program);
  const inputKeys =
    request.inputKeys ?? base.namedPredictors()[0]?.[1].signature.inputFields.map((f) => f.name);
  const trainset = fromExampleData(toExampleData(request.trainset, inputKeys));
  const valset =
    request.valset === undefined
      ? undefined
      : fromExampleData(toExampleData(request.valset, inputKeys));
  const metric =
    typeof request.metric === 'string'
      ? resolveMetric(node.metricTable, request.metric)
      : request.metric;
  const objectives = objectivesOf(request.objectives);
  const search = new SpaceSearch({
    metric,
    space: programVariableSpace(base),
    ...(objectives === undefined ? {} : { objectives }),
    ...(request.constraints === undefined ? {} : { constraints: request.constraints }),
    ...(request.budget === undefined ? {} : { budget: request.budget }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.algorithm === undefined ? {} : { algorithm: request.algorithm }),
    ...(request.concurrency === undefined ? {} : { concurrency: request.concurrency }),
    select: selectionOf(request.select),
  });
  const run = await node.store.optimizationRuns.create({
    program,
    optimizer: 'space-search',
    status: 'running',
    params: JSON.parse(
      JSON.stringify({ ...request, trainset: undefined, valset: undefined, metric: undefined }),
    ) as Record<string, never>,
  });
  try {
    const lm = node.defaultLm?.() ?? currentSettings().lm;
    const result = await context(lm === undefined ? {} : { lm }, () =>
      search.optimize(base, { trainset, ...(valset === undefined ? {} : { valset }) }),
    );
    const stored: StoredFrontPoint[] = [];
    for (const [i, point] of result.front.entries())
      stored.push({
        ...point,
        configurationId: (
          await storePoint(node.store, run.id, program, point, i, point === result.chosen)
        ).id,
      });
    const chosen = stored[result.front.indexOf(result.chosen as EvaluatedPoint)];
    await node.store.optimizationRuns.update(run.id, {
      status: 'succeeded',
      progress: { done: result.evaluated.length, total: result.evaluated.length },
      bestScore: Math.max(...result.front.map((p) => p.quality), 0),
      result: JSON.parse(
        JSON.stringify({
          front: stored.map((p) => p.configurationId),
          chosen: chosen?.configurationId ?? null,
          spent: result.spent,
        }),
      ) as Record<string, never>,
    });
    return {
      runId: run.id,
      program,
      front: stored,
      chosen,
      evaluated: result.evaluated,
      spent: result.spent,
      budgetExhausted: result.budgetExhausted,
      table: formatFrontTable(result.front, { chosen: result.chosen }),
      html: renderFrontHtml(result.front, {
        title: `${program}: quality against cost`,
        evaluated: result.evaluated,
        chosen: result.chosen,
      }),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await node.store.optimizationRuns
      .update(run.id, { status: 'failed', error: { code: 'execution_failed', message } })
      .catch(() => undefined);
    throw error;
  }
}

function storePoint(
  store: Store,
  runId: string,
  program: string,
  point: EvaluatedPoint,
  index: number,
  chosen: boolean,
): Promise<VariableConfigurationRecord> {
  return store.variableConfigurations.create({
    id: `${runId}-${index}`,
    program,
    values: point.configuration,
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
    ...(chosen ? { chosen: true } : {}),
  });
}
