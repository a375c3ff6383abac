import type { NodeHeartbeat } from '../heartbeat.js';
import type {
  DaemonRuntime,
  JobView,
  OptimizationRunView,
  EvaluationView,
  RuntimeSnapshotView,
} from '../runtime-port.js';

/** Job states listed by the dashboard, in the transport's names. */
const STATES = ['active', 'waiting', 'delayed', 'failed', 'completed'] as const;

/** Most trials of a run's history sent to the page (the latest ones). */
const MAX_HISTORY = 1000;

/** One node as `/api/nodes` lists it. */
export interface DashboardNode {
  nodeId: string;
  mode: 'embedded' | 'redis';
  status: string;
  pid: number;
  /** True for the node serving the page. */
  self: boolean;
  /** Epoch ms of the data: now for this node, the heartbeat's time for the others. */
  seenAt: number;
  snapshot: RuntimeSnapshotView;
}

/** One job as `/api/jobs` lists it: the program's name, never the job's inputs. */
export interface DashboardJob {
  id: string;
  queue: string;
  state: string;
  program: string | null;
  attemptsMade: number;
  attempts: number;
  reason: string | null;
  createdAt: number;
  finishedAt: number | null;
}

/** An evaluation as `/api/evaluations` lists it: the record without its per-example results. */
export type DashboardEvaluation = Omit<EvaluationView, 'examples'>;

/** Where the dashboard reads its data. */
export interface DashboardDataOptions {
  runtime: DaemonRuntime;
  /** Queues whose jobs are listed. */
  queues: readonly string[];
  /** The other nodes of the cluster (Redis mode: their heartbeats). */
  clusterNodes?: () => Promise<readonly NodeHeartbeat[]>;
  /** What `/health` reports for this node. */
  status: () => string;
  now: () => number;
}

/** This node first, then the other live nodes of the cluster sorted by id. */
export async function listNodes(options: DashboardDataOptions): Promise<DashboardNode[]> {
  const { runtime } = options;
  const self: DashboardNode = {
    nodeId: runtime.nodeId,
    mode: runtime.mode,
    status: options.status(),
    pid: process.pid,
    self: true,
    seenAt: options.now(),
    snapshot: runtime.inspect(),
  };
  const others = (await options.clusterNodes?.()) ?? [];
  return [
    self,
    ...others
      .filter((n) => n.nodeId !== runtime.nodeId)
      .map((n) => ({
        nodeId: n.nodeId,
        mode: n.mode,
        status: n.status,
        pid: n.pid,
        self: false,
        seenAt: n.heartbeatAt,
        snapshot: n.snapshot,
      })),
  ];
}

/** The newest `limit` jobs over the dashboard's queues and every state, newest first. */
export async function listJobs(
  options: DashboardDataOptions,
  limit: number,
): Promise<DashboardJob[]> {
  const transport = options.runtime.transport;
  if (transport === undefined) return [];
  const lists = await Promise.all(
    options.queues.flatMap((queue) =>
      STATES.map((state) => transport.listJobs(queue, state, { limit })),
    ),
  );
  return lists
    .flat()
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, limit)
    .map(jobView);
}

function jobView(job: JobView): DashboardJob {
  const data = job.data;
  const program =
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>).program
      : undefined;
  return {
    id: job.id,
    queue: job.queue,
    state: job.state,
    program: typeof program === 'string' ? program : null,
    attemptsMade: job.attemptsMade,
    attempts: Math.max(1, job.attempts),
    reason: job.failedReason ?? null,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt ?? null,
  };
}

/** The newest `limit` optimization runs, newest first (empty without a store). */
export async function listRuns(
  options: DashboardDataOptions,
  limit: number,
): Promise<OptimizationRunView[]> {
  const store = options.runtime.store;
  if (store === undefined) return [];
  const page = await store.optimizationRuns.list({ limit });
  return page.items.map(trimHistory);
}

/** One optimization run, or `undefined`. */
export async function findRun(
  options: DashboardDataOptions,
  id: string,
): Promise<OptimizationRunView | undefined> {
  const run = await options.runtime.store?.optimizationRuns.find(id);
  return run === undefined ? undefined : trimHistory(run);
}

function trimHistory(run: OptimizationRunView): OptimizationRunView {
  return run.history.length <= MAX_HISTORY
    ? run
    : { ...run, history: run.history.slice(-MAX_HISTORY) };
}

/**
 * The newest `limit` evaluations, newest first, without their per-example results (the page polls
 * this list; `/api/evaluations/:id` has them). Empty without a store.
 */
export async function listEvaluations(
  options: DashboardDataOptions,
  limit: number,
): Promise<DashboardEvaluation[]> {
  const store = options.runtime.store;
  if (store === undefined) return [];
  const page = await store.evaluations.list({ limit });
  return page.items.map(({ examples: _examples, ...rest }) => rest);
}

/** One evaluation with its per-example results, or `undefined`. */
export async function findEvaluation(
  options: DashboardDataOptions,
  id: string,
): Promise<EvaluationView | undefined> {
  return options.runtime.store?.evaluations.find(id);
}
