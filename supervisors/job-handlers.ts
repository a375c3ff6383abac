import {
  RUN_JOB_SCHEMA,
  SCHEMA_REGISTRY,
  evaluationShardSchema,
  executeOn,
  optimizationJobSchema,
  validatePayload,
  type RunJob,
  type SchemaTable,
  type ShardResult,
  type OptimizationOutcome,
  type TeleprompterServices,
  type ValidationResult,
} from '../actors/index.js';
import {
  ActorError,
  callActor,
  retryAfterOf,
  unknownProgram,
  type ExecutionRequest,
  type ExecutionResult,
  type ProgramCatalog,
} from '../services/index.js';
import { inputKeysFor, loadDataset } from '../services/dataset-source.js';
import { DspexError } from '../src/errors/index.js';
import { Dataset } from '../src/evaluate/index.js';
import { KernelError, type Pid } from '../src/kernel/index.js';
import type { DatasetLink, Store } from '../src/store/index.js';
import { activeTraceContext } from '../src/telemetry/index.js';
import {
  DelayJobError,
  UnrecoverableJobError,
  backoffDelay,
  type BackoffOptions,
  type JobContext,
  type JsonObject,
  type JsonValue,
  type Transport,
} from '../src/transport/index.js';
import { TREE_NAMES } from './tree.js';
import type { WorkerSlots } from './worker-slots.js';

type Job = JobContext<{ [key: string]: JsonValue }>;

/** What the handlers share. */
export interface HandlerDeps {
  services: TeleprompterServices;
  catalog: ProgramCatalog;
  slots: WorkerSlots;
  store: Store;
  /** Local teleprompter workers by run id (for `cancelOptimization`). */
  optimizers: Map<string, Pid>;
  transport: Transport;
  /**
   * The node's job policy. The node owns a `dspex-run` job's retries (see supervisors/README.md):
   * a retryable failure is retried `max(job.attempts, attempts)` times in all, the job waiting in
   * the queue for `max(backoff, min(hint, maxRetryAfterMs))` without holding a worker slot.
   */
  retry: { attempts: number; backoff: BackoffOptions; maxRetryAfterMs?: number };
  /** A job still running after this long is stopped and its worker killed. Default: none. */
  deadlineMs?: number;
  /** The schema registry's table, read directly to validate job data (else a registry call). */
  schemas?: SchemaTable;
  /** Runs of `dspex-run` jobs in progress on this node, by job id (a redelivery joins its run). */
  running?: Map<string, Promise<ExecutionResult>>;
}

/**
 * The key a job's execution falls back to when a record of another payload already holds its id
 * (BullMQ numbers jobs from 1 again after a queue is obliterated, while the store keeps its
 * records): `<id>@<job creation time>`, stable across the job's attempts.
 */
export function fallbackExecutionKey(job: Pick<Job, 'id' | 'createdAt'>): string {
  return `${job.id}@${job.createdAt}`;
}

/**
 * How long to wait before retrying after `attemptsMade` failed attempts: the backoff, but never
 * less than the failure's own retry hint ({@link retryAfterOf}: an open circuit's time to
 * half-open, a 429's `Retry-After`), so a retry does not hit a circuit that is still open or a
 * provider that asked to wait. The hint is capped at `maxHintMs` (a `Retry-After: 3600` does not
 * park a job for an hour).
 */
export function retryDelay(
  backoff: BackoffOptions | undefined,
  attemptsMade: number,
  error: unknown,
  maxHintMs = Number.POSITIVE_INFINITY,
): number {
  return Math.max(backoffDelay(backoff, attemptsMade), Math.min(retryAfterOf(error), maxHintMs));
}

/** A failure that retrying cannot fix fails the job at once; others are retried by the transport. */
export function toJobError(error: unknown): unknown {
  // A worker that died mid-call (killed, crashed before replying) is worth another attempt.
  if (error instanceof KernelError) return error;
  if (error instanceof DspexError && !error.retryable)
    return new UnrecoverableJobError(error.message, {
      cause: error,
      details: { code: error.code },
    });
  return error;
}

/**
 * Runs one execution on a fresh program worker under `program-workers`. Past `deadlineMs` the
 * request's signal aborts (LM calls stop) and the worker is terminated by its supervisor, as OTP
 * would kill a hung process: the execution fails with `deadline_exceeded`.
 */
export function executeInTree(
  deps: HandlerDeps,
  request: ExecutionRequest,
): Promise<ExecutionResult> {
  const deadlineMs = deps.deadlineMs;
  // The execution's spans join the caller's trace (a job's consumer span, a local run's span).
  const traceContext = request.traceContext ?? activeTraceContext();
  if (deadlineMs === undefined)
    return deps.slots
      .start(TREE_NAMES.programWorkers, [Object.assign({}, request, { traceContext })])
      .then((pid) => executeOn(deps.services, pid));
  const controller = new AbortController();
  const outer = request.signal;
  const onOuter = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuter, { once: true });
  const clock = deps.services.kernel.clock;
  let timer: unknown;
  // Past the deadline the worker is killed: its result rejects at once (a task) or its call
  // fails (an actor), and the caller sees `deadline_exceeded` instead of how it died.
  let expired: ActorError | undefined;
  const cleanup = (): void => {
    clock.clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  };
  return deps.slots
    .start(TREE_NAMES.programWorkers, [
      Object.assign({}, request, { traceContext, signal: controller.signal }),
    ])
    .then((pid) => {
      timer = clock.setTimeout(() => {
        expired = new ActorError(
          'deadline_exceeded',
          `program '${request.program}' ran past the job deadline of ${deadlineMs} ms; its worker was killed`,
          { details: { deadlineMs } },
        );
        controller.abort(expired);
        deps.slots.kill(TREE_NAMES.programWorkers, pid);
      }, deadlineMs);
      return executeOn(deps.services, pid);
    })
    .then(
      (result) => {
        cleanup();
        return result;
      },
      (error: unknown) => {
        cleanup();
        throw expired ?? error;
      },
    );
}

/**
 * Validates `dspex-run` data with the schema registry; invalid data or an unknown program is a
 * final failure. With the registry's table at hand (a node) the answer is synchronous: no promise
 * per job; otherwise a registry call.
 */
export function validateRunJob(deps: HandlerDeps, data: unknown): RunJob | Promise<RunJob> {
  // The registry's table is read directly when at hand (as an ETS table): no call per job.
  if (deps.schemas !== undefined)
    return checkedRunJob(deps, validatePayload(deps.schemas, RUN_JOB_SCHEMA, data));
  return callActor<ValidationResult>(deps.services.kernel, SCHEMA_REGISTRY, {
    type: 'validate',
    name: RUN_JOB_SCHEMA,
    data,
  }).then((v) => checkedRunJob(deps, v));
}

function checkedRunJob(deps: HandlerDeps, v: ValidationResult): RunJob {
  if (!v.valid)
    throw new ActorError('invalid_job', `invalid job data: ${v.reason}`, {
      details: { issues: v.issues },
    });
  const job = v.data as RunJob;
  if (!deps.catalog.has(job.program)) throw unknownProgram(job.program, deps.catalog.names());
  return job;
}

/**
 * Runs a job's execution, or joins the run of the same job already in progress on this node: a
 * job redelivered after its lock was lost (event loop blocked, node paused) while its first run
 * still goes on must not call the LM a second time. Its outcome goes through `onResult` and
 * `onError` in the one `.then` that also forgets the run it started.
 */
function runOnce<T>(
  deps: HandlerDeps,
  request: ExecutionRequest,
  onResult: (result: ExecutionResult) => T,
  onError: (error: unknown) => never,
): Promise<T> {
  const running = deps.running;
  const current = running?.get(request.jobId);
  if (current !== undefined) return current.then(onResult, onError);
  const run = executeInTree(deps, request);
  if (running === undefined) return run.then(onResult, onError);
  running.set(request.jobId, run);
  const forget = (): void => {
    if (running.get(request.jobId) === run) running.delete(request.jobId);
  };
  return run.then(
    (result) => {
      forget();
      return onResult(result);
    },
    (error: unknown) => {
      forget();
      return onError(error);
    },
  );
}

/**
 * The run bridge's handler (queue `dspex-run`). The node is the one owner of a job's retries: a
 * retryable failure with runs left puts the job back in the queue (`DelayJobError`: `delayed`, no
 * slot held) for `max(backoff, min(retry hint, maxRetryAfterMs))`, the job's own backoff when its
 * producer set one, else the node's; past its runs, or for a failure retrying cannot fix, the job
 * fails at once (the transport never retries it on its own).
 */
export function runJobHandler(deps: HandlerDeps) {
  return (job: Job): Promise<JsonValue> => {
    let validated: RunJob | Promise<RunJob>;
    try {
      validated = validateRunJob(deps, job.data);
    } catch (error) {
      return Promise.reject(toJobError(error));
    }
    if (validated instanceof Promise)
      return validated.then(
        (data) => runJob(deps, job, data),
        (error: unknown) => {
          throw toJobError(error);
        },
      );
    return runJob(deps, job, validated);
  };
}

/** A valid `dspex-run` job's run (see {@link runJobHandler}): one `.then` on the execution. */
function runJob(deps: HandlerDeps, job: Job, data: RunJob): Promise<JsonValue> {
  const attempts = Math.max(job.attempts, deps.retry.attempts);
  // Runs that ended (failed, or delayed for a retry); runs lost with a dead node are stalls.
  const attempt = Math.max(1, job.started - job.stalls);
  return runOnce(
    deps,
    {
      jobId: job.id,
      fallbackJobId: fallbackExecutionKey(job),
      program: data.program,
      inputs: data.inputs,
      version: data.version,
      config: data.config,
      attempt,
      attempts,
      stalls: job.stalls,
      signal: job.signal,
      firstDelivery: job.started === 1 && job.stalls === 0,
    },
    (result) => result as unknown as JsonValue,
    (error) => {
      throw runFailure(deps, job, error, attempt, attempts);
    },
  );
}

/** What a failed run of a `dspex-run` job becomes: a final failure or a delayed retry. */
function runFailure(
  deps: HandlerDeps,
  job: Job,
  error: unknown,
  attempt: number,
  attempts: number,
): unknown {
  const out = toJobError(error);
  if (out instanceof UnrecoverableJobError || job.signal.aborted) return out;
  const message = (error as Error).message ?? String(error);
  if (attempt >= attempts)
    return new UnrecoverableJobError(`${message} (after ${attempt} attempt(s))`, {
      cause: error,
      details: { attempts: attempt },
    });
  const delay = retryDelay(
    job.backoff ?? deps.retry.backoff,
    attempt,
    error,
    deps.retry.maxRetryAfterMs,
  );
  return new DelayJobError(
    delay,
    `attempt ${attempt} of ${attempts} failed (${message}); retrying in ${delay} ms`,
    { cause: error },
  );
}

/** The eval bridge's handler: one shard on a fresh evaluation worker. */
export function evalJobHandler(deps: HandlerDeps) {
  return async (job: Job): Promise<JsonValue> => {
    try {
      const parsed = evaluationShardSchema.safeParse(await shardData(deps, job.data));
      if (!parsed.success)
        throw new ActorError('invalid_job', `invalid evaluation shard: ${parsed.error.message}`);
      if (!deps.catalog.has(parsed.data.program))
        throw unknownProgram(parsed.data.program, deps.catalog.names());
      const pid = await deps.slots.start(TREE_NAMES.evaluationWorkers, [parsed.data]);
      const result = await callActor<ShardResult>(
        deps.services.kernel,
        pid,
        { type: 'execute' },
        'infinity',
      );
      return result as unknown as JsonValue;
    } catch (error) {
      throw toJobError(error);
    }
  };
}

/** Where a job names a stored dataset: the reference, its split, the examples field it fills. */
type DatasetFields = readonly (readonly [
  ref: 'dataset' | 'valDataset',
  split: string,
  field: string,
])[];
const OPTIMIZE_DATASETS: DatasetFields = [
  ['dataset', 'split', 'trainset'],
  ['valDataset', 'valSplit', 'valset'],
];
const SHARD_DATASETS: DatasetFields = [['dataset', 'split', 'examples']];

/**
 * A job may name stored datasets instead of carrying examples: an optimization job `dataset`
 * (and `valDataset`) as `name[@version]`, with an optional `split` (`valSplit`); an evaluation
 * shard `dataset` and `split`. They are read from the shared store and put in as `trainset`
 * (`valset`, `examples`), inputs being the job's `inputKeys`, then the dataset's, then the
 * program's first signature inputs. An unknown one fails the job for good (`unknown_dataset`,
 * naming what exists). Resolves with the job data and the links of the versions read.
 */
async function inlineDatasets(
  deps: HandlerDeps,
  data: Job['data'],
  fields: DatasetFields,
): Promise<{ data: Job['data']; links: { dataset?: DatasetLink; valDataset?: DatasetLink } }> {
  const links: { dataset?: DatasetLink; valDataset?: DatasetLink } = {};
  if (fields.every(([ref]) => typeof data[ref] !== 'string')) return { data, links };
  const out: Job['data'] = { ...data };
  const program = typeof data['program'] === 'string' ? data['program'] : '';
  if (!deps.catalog.has(program)) throw unknownProgram(program, deps.catalog.names());
  const given = Array.isArray(data['inputKeys']) ? (data['inputKeys'] as string[]) : undefined;
  for (const [ref, split, field] of fields) {
    const name = data[ref];
    if (typeof name !== 'string') continue;
    if (data[field] !== undefined)
      throw new ActorError('invalid_job', `give either ${field} or ${ref}, not both`);
    const splitName = data[split];
    const source = await loadDataset(
      deps.store,
      name,
      typeof splitName === 'string' ? splitName : undefined,
    );
    const inputs = inputKeysFor(given, source, deps.catalog.get(program)) ?? [];
    out[field] = source.examples.map((e) => ({ data: e, inputs }));
    if (source.link !== undefined) links[ref] = source.link;
  }
  return { data: out, links };
}

/**
 * An evaluation shard naming a dataset: the dataset (split) read on this node, then this shard's
 * part of it (`Dataset.partition(shards)[shard]`: contiguous, sizes within one).
 */
async function shardData(deps: HandlerDeps, data: Job['data']): Promise<Job['data']> {
  const { data: out } = await inlineDatasets(deps, data, SHARD_DATASETS);
  if (out === data) return data;
  const { shard, shards } = data;
  if (typeof shard !== 'number' || typeof shards !== 'number' || shard >= shards || shard < 0)
    throw new ActorError(
      'invalid_job',
      `shard ${String(shard)} is not one of ${String(shards)} shards`,
    );
  const part = Dataset.from(out['examples'] as JsonObject[]).partition(shards)[shard];
  return { ...out, examples: part?.toArray() ?? [] };
}

/**
 * Records the dataset versions a job resolved on its run record, as `runtime.optimize` does: a
 * record without them gets them; a raw job whose producer made no record gets one (queued).
 */
async function linkDatasets(
  deps: HandlerDeps,
  data: Job['data'],
  links: { dataset?: DatasetLink; valDataset?: DatasetLink },
): Promise<void> {
  const runId = data['runId'];
  if (typeof runId !== 'string' || Object.keys(links).length === 0) return;
  const runs = deps.store.optimizationRuns;
  const run = await runs.find(runId);
  if (run === undefined) {
    await runs
      .create({
        id: runId,
        program: String(data['program']),
        optimizer: String(data['optimizer']),
        params: (data['params'] ?? {}) as JsonObject,
        ...links,
      })
      .catch(() => undefined); // another attempt made it first
    return;
  }
  if (run.dataset === undefined && run.valDataset === undefined) await runs.update(runId, links);
}

/** The optimize bridge's handler: one run on a fresh teleprompter worker; a final failure is recorded. */
export function optimizeJobHandler(deps: HandlerDeps) {
  return async (job: Job): Promise<JsonValue> => {
    const runId = typeof job.data['runId'] === 'string' ? job.data['runId'] : job.id;
    try {
      const { data, links } = await inlineDatasets(deps, job.data, OPTIMIZE_DATASETS);
      await linkDatasets(deps, data, links);
      const parsed = optimizationJobSchema.safeParse(data);
      if (!parsed.success)
        throw new ActorError('invalid_job', `invalid optimization job: ${parsed.error.message}`);
      if (!deps.catalog.has(parsed.data.program))
        throw unknownProgram(parsed.data.program, deps.catalog.names());
      const pid = await deps.slots.start(TREE_NAMES.teleprompterWorkers, [parsed.data]);
      deps.optimizers.set(runId, pid);
      try {
        const outcome = await callActor<OptimizationOutcome>(
          deps.services.kernel,
          pid,
          { type: 'execute' },
          'infinity',
        );
        return outcome as unknown as JsonValue;
      } finally {
        deps.optimizers.delete(runId);
      }
    } catch (error) {
      const out = toJobError(error);
      const final = out instanceof UnrecoverableJobError || job.attempt >= job.attempts;
      if (final) {
        const run = await deps.store.optimizationRuns.find(runId).catch(() => undefined);
        if (run !== undefined && !['succeeded', 'failed', 'cancelled'].includes(run.status))
          await deps.store.optimizationRuns
            .update(runId, {
              status: 'failed',
              error: {
                code: (error as { code?: string }).code ?? 'error',
                message: (error as Error).message ?? String(error),
              },
            })
            .catch(() => undefined);
      }
      throw out;
    }
  };
}
