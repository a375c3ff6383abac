import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MemoryStore, RedisStore, type Store } from '../../store/index.js';
import type { CliDeps } from '../cli-deps.js';
import { resolveQueueTarget } from '../cli-config.js';
import { CliError } from '../cli-error.js';
import { readExamplesFile } from '../jsonl-file.js';
import { trainingExamples } from '../dataset-store.js';
import { withOneshotRuntime, type OneshotOptions } from '../oneshot-runtime.js';
import { assertRedisReachable, redactRedisUrl } from '../redis-access.js';
import type { VariableSearchRequestView, VariableSearchView } from '../runtime-port.js';

/** Options of `dspex optimize --objectives` (a search over the program's variables). */
export interface OptimizeFrontOptions extends OneshotOptions {
  trainset?: string;
  /** A stored dataset instead of `trainset` (`name[@version]`), optionally one `split` of it. */
  dataset?: string;
  split?: string;
  valset?: string;
  inputKeys?: string[];
  /** `quality,cost` or `quality,cost,latency`. */
  objectives: string[];
  /** Metric name (default `exact_match`). */
  metric?: string;
  /** Budget in full-devset evaluations. */
  budget?: number;
  seed?: number;
  /** `best-quality`, `cheapest`, `fastest` or `within:<points>`. */
  select?: string;
  /** `pareto` (default), `grid` or `random`. */
  algorithm?: string;
  /** Objective constraints (`cost<=0.001`). */
  constraint?: string[];
  /** Where the HTML chart goes (default `dspex-front-<program>.html`). */
  chart?: string;
  json?: boolean;
  redis?: string;
  prefix?: string;
}

const OBJECTIVES = new Set(['quality', 'cost', 'latency']);

function parseObjectives(list: readonly string[]): VariableSearchRequestView['objectives'] {
  for (const o of list)
    if (!OBJECTIVES.has(o))
      throw new CliError(
        'usage',
        `--objectives: unknown objective '${o}' (quality, cost, latency)`,
      );
  if (!list.includes('quality'))
    throw new CliError('usage', '--objectives needs quality (e.g. quality,cost)');
  return list as VariableSearchRequestView['objectives'];
}

function parseSelect(value: string | undefined): VariableSearchRequestView['select'] {
  if (value === undefined) return undefined;
  if (value === 'best-quality' || value === 'cheapest' || value === 'fastest') return value;
  const within = /^within:(\d+(?:\.\d+)?)$/.exec(value);
  if (within !== null) return { within: Number(within[1]) };
  throw new CliError(
    'usage',
    `--select: expected best-quality, cheapest, fastest or within:<points>, got '${value}'`,
  );
}

function parseAlgorithm(value: string | undefined): VariableSearchRequestView['algorithm'] {
  if (value === undefined || value === 'pareto' || value === 'grid' || value === 'random')
    return value;
  throw new CliError('usage', `--algorithm: expected pareto, grid or random, got '${value}'`);
}

/** The cluster's store (Redis: front points outlive the command) or a memory one. */
async function frontStore(
  deps: CliDeps,
  options: OptimizeFrontOptions,
): Promise<{ store: Store; where: string }> {
  const cluster = await resolveQueueTarget(deps.io, options);
  if (cluster.redisUrl === undefined)
    return { store: new MemoryStore(), where: "this command's memory (no Redis configured)" };
  await assertRedisReachable(cluster.redisUrl);
  return {
    store: new RedisStore({ redis: cluster.redisUrl, prefix: `${cluster.prefix}:store` }),
    where: `Redis ${redactRedisUrl(cluster.redisUrl)} (prefix ${cluster.prefix})`,
  };
}

/**
 * `dspex optimize <program> --objectives quality,cost --trainset FILE [--valset FILE] …`: searches
 * the program's variable space on a one-off runtime, prints the Pareto front as a table (`*` marks
 * the chosen point) with the configuration id of each point, writes an HTML chart (quality against
 * cost, latency as size and colour) to `--chart` and prints its path. The points are stored as
 * configurations in the cluster's store (Redis) so `dspex deploy <program> --configuration ID`
 * deploys one on every node; without Redis they live only as long as the command.
 */
export async function optimizeFrontCommand(
  deps: CliDeps,
  program: string,
  options: OptimizeFrontOptions,
): Promise<number> {
  const { io } = deps;
  const objectives = parseObjectives(options.objectives);
  const select = parseSelect(options.select);
  const algorithm = parseAlgorithm(options.algorithm);
  const train = await trainingExamples(io, options);
  const trainset = train.examples;
  const inputKeys = options.inputKeys ?? train.inputKeys;
  const valset =
    options.valset === undefined ? undefined : readExamplesFile(options.valset, io.cwd);
  const { store, where } = await frontStore(deps, options);
  let result: VariableSearchView;
  try {
    result = await withOneshotRuntime(deps, program, { ...options, store }, async (runtime) => {
      if (runtime.searchVariables === undefined)
        throw new CliError('usage', 'this runtime cannot search program variables');
      io.stderr.write(`searching the variables of ${program} for ${objectives.join(', ')}…\n`);
      return runtime.searchVariables(program, {
        trainset,
        ...(valset === undefined ? {} : { valset }),
        ...(inputKeys === undefined ? {} : { inputKeys }),
        metric: options.metric ?? 'exact_match',
        objectives,
        ...(options.constraint === undefined ? {} : { constraints: options.constraint }),
        ...(options.budget === undefined ? {} : { budget: { evaluations: options.budget } }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(select === undefined ? {} : { select }),
        ...(algorithm === undefined ? {} : { algorithm }),
      });
    });
  } finally {
    await store.close();
  }
  const chart = resolve(io.cwd, options.chart ?? `dspex-front-${program}.html`);
  try {
    writeFileSync(chart, result.html);
  } catch (cause) {
    throw new CliError('usage', `cannot write --chart ${chart}: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (options.json === true) {
    const { html: _html, table: _table, ...data } = result;
    io.stdout.write(`${JSON.stringify({ ...data, chart }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${result.table}\n\n`);
  const ids = [...result.front].sort((a, b) => a.cost - b.cost || b.quality - a.quality);
  for (const p of ids)
    io.stdout.write(
      `${p === result.chosen ? '*' : ' '} ${p.configurationId}  quality ${p.quality.toFixed(2)}  ${JSON.stringify(p.configuration)}\n`,
    );
  io.stdout.write(`\nchart: ${chart}\n`);
  io.stderr.write(
    `run ${result.runId}: ${result.front.length} front point(s) of ${result.evaluated.length} configuration(s) tried, ${result.spent.evaluations.toFixed(1)} evaluations${result.budgetExhausted ? ' (budget exhausted)' : ''}; kept in ${where}` +
      (result.chosen === undefined
        ? '\n'
        : `; deploy the chosen one with: dspex deploy ${program} --configuration ${result.chosen.configurationId}\n`),
  );
  return 0;
}
