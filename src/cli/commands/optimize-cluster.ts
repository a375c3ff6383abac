import { QUEUES, flattenIssues, issuesText, optimizationJobSchema } from '../../contracts/index.js';
import type { DatasetLinkView } from '../../contracts/index.js';
import { readClusterNodes } from '../../daemon/index.js';
import type { Store } from '../../store/index.js';
import { BullMQTransport, type JsonObject } from '../../transport/index.js';
import type { CliDeps } from '../cli-deps.js';
import { CliError } from '../cli-error.js';
import { openRedis, redactRedisUrl } from '../redis-access.js';
import { unknownProgramError } from '../runtime-errors.js';
import { programTools } from './program-tools.js';

/** The cluster an optimization is handed to. */
export interface ClusterTarget {
  url: string;
  prefix: string;
  /** Attempts of the job (a node that dies hands the run to another). */
  attempts: number;
}

/** What `dspex optimize` submits to the cluster. */
export interface ClusterOptimization {
  program: string;
  optimizer: string;
  trainset: Record<string, unknown>[];
  valset?: Record<string, unknown>[];
  /** Input fields of the examples (else those the dataset names, else the program's signature's). */
  inputKeys?: string[];
  params: JsonObject;
  dataset?: DatasetLinkView;
  valDataset?: DatasetLinkView;
}

/**
 * Fails fast unless a live node (a heartbeat in Redis) hosts `program`: `daemon_not_running`
 * (exit 3) naming `dspex start` and `--local` when no node is alive, `unknown_program` (exit 4)
 * when none hosts it; and, when the live nodes advertise the names they accept, `usage` (exit 2)
 * for an `optimizer` or `metric` none of them knows, before any run record exists. Returns the
 * live nodes' ids.
 */
export async function requireLiveNode(
  target: ClusterTarget,
  program: string,
  names: { optimizer?: string; metric?: unknown } = {},
): Promise<string[]> {
  const redis = await openRedis(target.url);
  try {
    const nodes = await readClusterNodes(redis, target.prefix);
    if (nodes.length === 0)
      throw new CliError(
        'daemon_not_running',
        `no live dspex node in Redis ${redactRedisUrl(target.url)} (prefix ${target.prefix}) to run the optimization: start one with \`dspex start\`, or pass --local to run it in this process`,
        { details: { prefix: target.prefix } },
      );
    const known = [...new Set(nodes.flatMap((n) => n.programs))].sort();
    if (!known.includes(program)) throw unknownProgramError(program, known);
    const hosts = nodes.filter((n) => n.programs.includes(program));
    const check = (kind: 'optimizers' | 'metrics', what: string, name: unknown): void => {
      // Only when every node that could take the run says what it accepts (older nodes do not).
      if (typeof name !== 'string' || hosts.some((n) => n.names === undefined)) return;
      const accepted = [...new Set(hosts.flatMap((n) => n.names?.[kind] ?? []))].sort();
      if (!accepted.includes(name))
        throw new CliError(
          'usage',
          `unknown ${what} '${name}' (the live nodes accept: ${accepted.join(', ')})`,
          { details: { [what]: name, accepted } },
        );
    };
    check('optimizers', 'optimizer', names.optimizer);
    check('metrics', 'metric', names.metric);
    return nodes.map((n) => n.nodeId);
  } finally {
    redis.disconnect();
  }
}

/** The examples' input fields: given, or the program's first predictor's (its programs module). */
async function inputKeysOf(
  deps: CliDeps,
  request: ClusterOptimization,
  configPath: string | undefined,
): Promise<string[]> {
  if (request.inputKeys !== undefined && request.inputKeys.length > 0) return request.inputKeys;
  try {
    const tools = await programTools(deps, request.program, configPath);
    const inputs = tools.fields?.(request.program).inputs ?? [];
    if (inputs.length > 0) return inputs;
    throw new Error(`cannot read the signature of ${request.program}`);
  } catch (cause) {
    throw new CliError(
      'usage',
      `pass --input-keys: the examples' input fields could not be read from the programs module here (${(cause as Error).message})`,
      { cause },
    );
  }
}

/**
 * Hands an optimization to the cluster as the runtime's own `optimize` does: a run record in the
 * cluster's store, then a job on `dspex-optimize` (id = run id) whose payload the contracts'
 * schema has checked. Returns the run id; the caller follows the run record.
 */
export async function submitOptimization(
  deps: CliDeps,
  store: Store,
  target: ClusterTarget,
  request: ClusterOptimization,
  configPath: string | undefined,
): Promise<string> {
  const inputs = await inputKeysOf(deps, request, configPath);
  const asData = (examples: Record<string, unknown>[]) =>
    examples.map((data) => ({ data, inputs: [...inputs] }));
  const data = {
    runId: 'pending',
    program: request.program,
    optimizer: request.optimizer,
    trainset: asData(request.trainset),
    ...(request.valset === undefined ? {} : { valset: asData(request.valset) }),
    params: request.params,
  };
  const checked = optimizationJobSchema.safeParse(data);
  if (!checked.success)
    throw new CliError(
      'usage',
      `invalid optimization job: ${issuesText(flattenIssues(checked.error))}`,
      {
        details: { issues: flattenIssues(checked.error) },
      },
    );
  const run = await store.optimizationRuns.create({
    program: request.program,
    optimizer: request.optimizer,
    params: request.params,
    ...(request.dataset === undefined ? {} : { dataset: request.dataset }),
    ...(request.valDataset === undefined ? {} : { valDataset: request.valDataset }),
  });
  const transport = new BullMQTransport({ url: target.url, prefix: target.prefix });
  try {
    await transport.enqueue(
      QUEUES.optimize,
      JSON.parse(JSON.stringify({ ...checked.data, runId: run.id })) as JsonObject,
      {
        jobId: run.id,
        attempts: target.attempts,
        backoff: { type: 'exponential', delay: 1_000 },
      },
    );
  } finally {
    await transport.close();
  }
  return run.id;
}
