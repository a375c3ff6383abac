import {
  ActorError,
  RUN_JOB_SCHEMA,
  SCHEMA_REGISTRY,
  callActor,
  evaluationShardSchema,
  executeOn,
  optimizationJobSchema,
  retryAfterOf,
  unknownProgram,
  validatePayload,
  type ExecutionRequest,
  type ExecutionResult,
  type ProgramCatalog,
  type RunJob,
  type SchemaTable,
  type ShardResult,
  type OptimizationOutcome,
  type TeleprompterServices,
  type ValidationResult,
} from '../actors/index.js';
import { DspexError } from '../src/errors/index.js';
import { KernelError, type Pid } from '../src/kernel/index.js';
import type { Store } from '../src/store/index.js';
import {
  UnrecoverableJobError,
  backoffDelay,
  type BackoffOptions,
  type JobContext,
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
   * The node's job policy: a job sent with fewer attempts (a plain BullMQ producer sends 1) is
   * still retried this many times in all for retryable failures, with this backoff.
   */
  retry: { attempts: number; backoff: BackoffOptions };
  /** The schema registry's table, read directly to validate job data (else a registry call). */
  schemas?: SchemaTable;
  /** Waits between attempts (default: a timer cut short by the job's abort signal); for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
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
 * half-open, a 429's `Retry-After`), so a retry does not hit a circuit
 * that is still open or a provider that asked to wait.
 */
export function retryDelay(
  backoff: BackoffOptions | undefined,
  attemptsMade: number,
  error: unknown,
): number {
  return Math.max(backoffDelay(backoff, attemptsMade), retryAfterOf(error));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
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

/** Runs one execution on a fresh program worker under `program-workers`. */
export async function executeInTree(
  deps: HandlerDeps,
  request: ExecutionRequest,
): Promise<ExecutionResult> {
  const pid = await deps.slots.start(TREE_NAMES.programWorkers, [request]);
  return executeOn(deps.services, pid);
}

/** Validates `dspex-run` data with the schema registry; invalid data or an unknown program is a final failure. */
export async function validateRunJob(deps: HandlerDeps, data: unknown): Promise<RunJob> {
  // The registry's table is read directly when at hand (as an ETS table): no call per job.
  const v =
    deps.schemas !== undefined
      ? validatePayload(deps.schemas, RUN_JOB_SCHEMA, data)
      : await callActor<ValidationResult>(deps.services.kernel, SCHEMA_REGISTRY, {
          type: 'validate',
          name: RUN_JOB_SCHEMA,
          data,
        });
  if (!v.valid)
    throw new ActorError('invalid_job', `invalid job data: ${v.reason}`, {
      details: { issues: v.issues },
    });
  const job = v.data as RunJob;
  if (!deps.catalog.has(job.program)) throw unknownProgram(job.program, deps.catalog.names());
  return job;
}

/**
 * The run bridge's handler (queue `dspex-run`). Retryable failures are rethrown for the transport
 * to retry while the job has attempts left; past them, the node's own policy (`retry`) retries
 * here with its backoff, so a job from a plain producer (1 attempt) survives a transient LM error.
 */
export function runJobHandler(deps: HandlerDeps) {
  const wait = deps.sleep ?? sleep;
  return async (job: Job): Promise<JsonValue> => {
    let data: RunJob;
    try {
      data = await validateRunJob(deps, job.data);
    } catch (error) {
      throw toJobError(error);
    }
    const attempts = Math.max(job.attempts, deps.retry.attempts);
    for (let attempt = job.attempt; ; attempt++) {
      try {
        const result = await executeInTree(deps, {
          jobId: job.id,
          fallbackJobId: fallbackExecutionKey(job),
          program: data.program,
          inputs: data.inputs,
          version: data.version,
          config: data.config,
          attempt,
          attempts,
        });
        return result as unknown as JsonValue;
      } catch (error) {
        const out = toJobError(error);
        if (out instanceof UnrecoverableJobError || attempt >= attempts || job.signal.aborted)
          throw out;
        if (job.attempt < job.attempts) {
          // The transport retries after the job's own backoff; hold the attempt until the
          // failure's retry hint has passed if that backoff is shorter.
          const early = retryAfterOf(error) - backoffDelay(job.backoff, job.attempt);
          if (early > 0) await wait(early, job.signal);
          throw out;
        }
        await wait(retryDelay(deps.retry.backoff, attempt, error), job.signal);
      }
    }
  };
}

/** The eval bridge's handler: one shard on a fresh evaluation worker. */
export function evalJobHandler(deps: HandlerDeps) {
  return async (job: Job): Promise<JsonValue> => {
    try {
      const parsed = evaluationShardSchema.safeParse(job.data);
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

/** The optimize bridge's handler: one run on a fresh teleprompter worker; a final failure is recorded. */
export function optimizeJobHandler(deps: HandlerDeps) {
  return async (job: Job): Promise<JsonValue> => {
    const runId = typeof job.data['runId'] === 'string' ? job.data['runId'] : job.id;
    try {
      const parsed = optimizationJobSchema.safeParse(job.data);
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
