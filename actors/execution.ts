import type { LM } from '../src/lm/types.js';
import { context, currentSettings, type Module, type TraceEntry } from '../src/modules/index.js';
import { DspexError } from '../src/errors/index.js';
import type { Kernel } from '../src/kernel/index.js';
import type { Execution, JsonObject, Store } from '../src/store/index.js';
import { ActorError, describeError } from './actor-error.js';
import { CLIENT_POOL } from './client-pool.js';
import type { ProgramCatalog } from './program-catalog.js';
import { materializeProgram } from './program-materialize.js';
import { callActor } from './protocol.js';
import {
  programConfigSchema,
  type ProgramConfig,
  type VariableTable,
} from './variable-registry.js';

/** One execution asked of a program worker (a `dspex-run` job, or `runtime.run`). */
export interface ExecutionRequest {
  /** Transport job id (or the id `run()` made up): the execution record is unique per job id. */
  jobId: string;
  /**
   * The key to record under when a record of another payload already holds `jobId` (an id reused
   * after the queue was obliterated): `<id>@<job creation time>`, stable across the job's attempts.
   */
  fallbackJobId?: string | undefined;
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
  /**
   * The variable registry's table. When given, a program worker reads its configuration from it
   * at the last moment (like an ETS table) instead of subscribing to the registry for
   * `config.changed`: the same freshness without a registry call and a monitor per execution.
   */
  variables?: VariableTable;
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
  if (request.config === undefined)
    return request.version === undefined ? base : { ...base, stateVersion: request.version };
  const overrides = programConfigSchema.safeParse(request.config);
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

/** JSON with sorted keys, to compare payloads whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

/**
 * The job's one execution record (`recordOnce`), made `running` on this node. The record is keyed
 * by the job id, unless a record of another payload already holds it — BullMQ numbers jobs from 1
 * again after a queue is obliterated while the store keeps its records — in which case by
 * `request.fallbackJobId`. (A reused id with the very same program and inputs keeps the old record.)
 */
async function recordExecution(
  store: Store,
  request: ExecutionRequest,
  nodeId: string,
  version: string | undefined,
): Promise<Execution> {
  const input = {
    program: request.program,
    inputs: json<JsonObject>(request.inputs),
    status: 'running' as const,
    node: nodeId,
    ...(version === undefined ? {} : { version }),
  };
  let { execution, created } = await store.executions.recordOnce(request.jobId, input);
  if (
    !created &&
    request.fallbackJobId !== undefined &&
    (execution.program !== request.program ||
      canonical(execution.inputs) !== canonical(input.inputs))
  )
    ({ execution, created } = await store.executions.recordOnce(request.fallbackJobId, input));
  // A job redelivered to another node (its first node died) is now run here: say so.
  if (!created && execution.status !== 'succeeded')
    if (execution.status === 'pending' || execution.node !== nodeId)
      execution = await store.executions.update(
        execution.id,
        { status: 'running', node: nodeId },
        { known: execution },
      );
  return execution;
}

/**
 * Runs one execution: records it once per job id (a retry reuses the record, and a job already
 * succeeded returns its recorded result), runs a materialized copy of the program inside
 * `context({ lm, adapter, trace })`, and records outputs, trace, usage, duration and status. A
 * failure is recorded only when the job will not be retried.
 *
 * The store's active version of the program is read once per execution; the registry's
 * configuration is read again at the last moment, so a change published meanwhile reaches it.
 */
export async function runExecution(
  services: ExecutionServices,
  request: ExecutionRequest,
  readConfig: () => ProgramConfig,
): Promise<ExecutionResult> {
  const { store, catalog, kernel, nodeId } = services;
  const base = catalog.get(request.program);
  const first = readConfig();
  const requested = effectiveConfig(first, request);
  const active =
    requested.stateVersion === undefined
      ? ((await store.programs.find(request.program))?.activeVersion ?? null)
      : null;
  const withActive = (config: ProgramConfig): ProgramConfig =>
    config.stateVersion !== undefined || active === null
      ? config
      : { ...config, stateVersion: active };
  let execution = await recordExecution(store, request, nodeId, withActive(requested).stateVersion);
  if (execution.status === 'succeeded')
    return {
      outputs: (execution.outputs ?? {}) as Record<string, unknown>,
      executionId: execution.id,
      usage: (execution.usage ?? {}) as Record<string, unknown>,
    };
  const report = services.onExecution;
  report?.({
    phase: 'started',
    jobId: request.jobId,
    program: request.program,
    executionId: execution.id,
  });
  try {
    // Read again at the last moment: a change published meanwhile reaches this execution.
    const latest = readConfig();
    let effective = latest === first ? requested : effectiveConfig(latest, request);
    if (effective.stateVersion === undefined && requested.stateVersion !== undefined)
      // Newly unpinned by the registry: fall back to the store's active version.
      effective = await withActiveVersion(store, request.program, effective);
    else effective = withActive(effective);
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
    execution = await store.executions.update(
      execution.id,
      {
        status: 'succeeded',
        outputs: result.outputs as JsonObject,
        usage: result.usage as JsonObject,
        trace: json(traceOf(program.module, trace)),
      },
      { known: execution },
    );
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
        .update(
          execution.id,
          { status: 'failed', error: { code: described.code, message: described.message } },
          { known: execution },
        )
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
