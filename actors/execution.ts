import type { LM } from '../src/lm/types.js';
import { context, currentSettings, type Module, type TraceEntry } from '../src/modules/index.js';
import { DspexError } from '../src/errors/index.js';
import type { Kernel } from '../src/kernel/index.js';
import type { Store } from '../src/store/index.js';
import { ActorError, describeError } from './actor-error.js';
import { CLIENT_POOL } from './client-pool.js';
import type { ProgramCatalog } from './program-catalog.js';
import { materializeProgram } from './program-materialize.js';
import { callActor } from './protocol.js';
import { programConfigSchema, type ProgramConfig } from './variable-registry.js';

/** One execution asked of a program worker (a `dspex-run` job, or `runtime.run`). */
export interface ExecutionRequest {
  /** Transport job id (or the id `run()` made up): the execution record is unique per job id. */
  jobId: string;
  program: string;
  inputs: Record<string, unknown>;
  /** Optimized state version to run (default: the registry's `stateVersion`). */
  version?: string | undefined;
  /** Per-job configuration overrides (fields of `ProgramConfig`). */
  config?: Record<string, unknown> | undefined;
  /** This attempt and the job's total attempts (a failure is recorded only on the last one). */
  attempt: number;
  attempts: number;
}

/** What an execution returns: the `dspex-run` job's return value (DESIGN §5). */
export interface ExecutionResult {
  outputs: Record<string, unknown>;
  executionId: string;
  usage: Record<string, unknown>;
}

/** What executions need from the node. */
export interface ExecutionServices {
  kernel: Kernel;
  store: Store;
  catalog: ProgramCatalog;
  nodeId: string;
  /** The LM to use when the program has none of its own (default: the configured one). */
  defaultLm?: () => LM | undefined;
  /** Told when an execution starts and ends (runtime events). */
  onExecution?: (e: {
    phase: 'started' | 'succeeded' | 'failed';
    jobId: string;
    program: string;
    executionId: string;
    error?: string;
  }) => void;
}

/** JSON-safe copy (drops functions and undefined, turns Examples into their fields). */
function json<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value ?? null)) as T;
}

function traceOf(module: Module, trace: readonly TraceEntry[]): unknown[] {
  const names = new Map(module.namedPredictors().map(([n, p]) => [p, n] as const));
  return trace.map((t) => ({
    predictor: names.get(t.predictor) ?? null,
    inputs: t.inputs,
    outputs: t.prediction.toDict(),
  }));
}

/** The configuration of this execution: the registry's, overridden by the job's own. */
export function effectiveConfig(base: ProgramConfig, request: ExecutionRequest): ProgramConfig {
  const overrides = programConfigSchema.safeParse(request.config ?? {});
  if (!overrides.success)
    throw new ActorError(
      'invalid_job',
      `invalid job config: ${overrides.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  const merged: ProgramConfig = { ...base, ...overrides.data };
  if (request.version !== undefined) merged.stateVersion = request.version;
  return merged;
}

/**
 * Fills `stateVersion` from the store's active version of the program when the configuration does
 * not pin one: a version activated by any node (e.g. an optimization run elsewhere) reaches every
 * node through the shared store.
 */
export async function withActiveVersion(
  store: Store,
  program: string,
  config: ProgramConfig,
): Promise<ProgramConfig> {
  if (config.stateVersion !== undefined) return config;
  const active = (await store.programs.find(program))?.activeVersion ?? null;
  return active === null ? config : { ...config, stateVersion: active };
}

/**
 * Runs one execution: records it once per job id (a retry reuses the record, and a job already
 * succeeded returns its recorded result), runs a materialized copy of the program inside
 * `context({ lm, adapter, trace })`, and records outputs, trace, usage, duration and status. A
 * failure is recorded only when the job will not be retried.
 */
export async function runExecution(
  services: ExecutionServices,
  request: ExecutionRequest,
  readConfig: () => ProgramConfig,
): Promise<ExecutionResult> {
  const { store, catalog, kernel, nodeId } = services;
  const base = catalog.get(request.program);
  const early = await withActiveVersion(
    store,
    request.program,
    effectiveConfig(readConfig(), request),
  );
  const { execution } = await store.executions.recordOnce(request.jobId, {
    program: request.program,
    inputs: json(request.inputs),
    status: 'running',
    node: nodeId,
    ...(early.stateVersion === undefined ? {} : { version: early.stateVersion }),
  });
  if (execution.status === 'succeeded')
    return {
      outputs: (execution.outputs ?? {}) as Record<string, unknown>,
      executionId: execution.id,
      usage: (execution.usage ?? {}) as Record<string, unknown>,
    };
  // A job redelivered to another node (its first node died) is now run here: say so.
  if (execution.status === 'pending' || execution.node !== nodeId)
    await store.executions.update(execution.id, { status: 'running', node: nodeId });
  const report = services.onExecution;
  report?.({
    phase: 'started',
    jobId: request.jobId,
    program: request.program,
    executionId: execution.id,
  });
  try {
    // Read again at the last moment: a change published meanwhile reaches this execution.
    const effective = await withActiveVersion(
      store,
      request.program,
      effectiveConfig(readConfig(), request),
    );
    const program = await materializeProgram({
      name: request.program,
      base,
      config: effective,
      store,
      contextLm: services.defaultLm?.() ?? currentSettings().lm,
      pool: (lm) => callActor<LM>(kernel, CLIENT_POOL, { type: 'acquire', lm }),
    });
    const trace: TraceEntry[] = [];
    const prediction = await context(
      {
        trace,
        ...(program.lm === undefined ? {} : { lm: program.lm }),
        ...(program.adapter === undefined ? {} : { adapter: program.adapter }),
      },
      () => program.module.call(request.inputs),
    );
    const result: ExecutionResult = {
      outputs: json(prediction.toDict()),
      executionId: execution.id,
      usage: json(prediction.usage ?? {}),
    };
    await store.executions.update(execution.id, {
      status: 'succeeded',
      outputs: json(result.outputs),
      usage: json(result.usage),
      trace: json(traceOf(program.module, trace)),
    });
    report?.({
      phase: 'succeeded',
      jobId: request.jobId,
      program: request.program,
      executionId: execution.id,
    });
    return result;
  } catch (error) {
    const retryable = error instanceof DspexError && error.retryable;
    const final = !retryable || request.attempt >= request.attempts;
    const described = describeError(error);
    if (final)
      await store.executions
        .update(execution.id, {
          status: 'failed',
          error: { code: described.code, message: described.message },
        })
        .catch(() => undefined);
    report?.({
      phase: 'failed',
      jobId: request.jobId,
      program: request.program,
      executionId: execution.id,
      error: described.message,
    });
    throw error;
  }
}
