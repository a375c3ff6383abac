import type { LM } from '../src/lm/types.js';
import {
  Prediction,
  StreamListener,
  contextWithUsage,
  currentSettings,
  streamify,
  type Module,
  type TraceEntry,
} from '../src/modules/index.js';
import { UsageTracker } from '../src/context/index.js';
import { DspexError } from '../src/errors/index.js';
import { runTrapped, type Kernel } from '../src/kernel/index.js';
import {
  canonicalJson,
  isJsonValue,
  type Execution,
  type JsonObject,
  type Store,
} from '../src/store/index.js';
import {
  activeTraceContext,
  inSpan,
  otelRegistered,
  tracingEnabled,
  type TraceContext,
} from '../src/telemetry/index.js';
import type {
  FieldDelta,
  RuntimeEvent,
  StreamPiece,
  ToolCallDelta,
} from '../src/contracts/index.js';
import { ActorError, describeError } from './actor-error.js';
import type { ActiveVersions } from './active-versions.js';
import { SpanCallback } from './span-callback.js';
import { CLIENT_POOL } from './names.js';
import type { ProgramCatalog } from './program-catalog.js';
import { materializeProgram, type ProgramCache } from './program-materialize.js';
import { checkVariableOverrides } from './program-variables.js';
import { callActor } from './protocol.js';
import { programConfigSchema, type ProgramConfig } from '../src/contracts/index.js';
import { currentConfig, type VariableTable } from './variable-table.js';

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
  /**
   * Times the job was taken back from a node that died or hung while running it (lost lock). At
   * {@link JobPolicy.maxCrashes} the job is failed as a poison job instead of run again.
   */
  stalls?: number | undefined;
  /** Aborted at the job's deadline (or when the node gives up on it): LM calls inside stop. */
  signal?: AbortSignal | undefined;
  /**
   * Streams the run: every output field of every predictor is listened to, and each piece (and
   * each native tool call, whole) is passed here as the LM streams it (`runtime.stream`). Local
   * runs only (not JSON). Method syntax: a caller typed for field deltas alone still fits.
   */
  onDelta?(piece: StreamPiece): void;
  /** The trace context the execution's spans belong to (default: the active one). */
  traceContext?: TraceContext | undefined;
  /**
   * The job's first delivery (never started before, never taken back from a node): no run of it
   * can have recorded anything yet, so the execution record is written once, when the run ends,
   * instead of `running` first and final after (see {@link runExecution}).
   */
  firstDelivery?: boolean | undefined;
}

// Streamed pieces (output field pieces, native tool calls): runtime contracts (src/contracts).
export type { FieldDelta, StreamPiece, ToolCallDelta };

/** What the node allows a job, and how long it may run (config `jobs`). */
export interface JobPolicy {
  /** Lost-lock redeliveries a job may cause before it is failed as a poison job. */
  maxCrashes: number;
  /** Models a job's `config.model` may name besides the program's own. */
  models: readonly string[];
  /** Largest `config.maxTokens` a job may ask for. */
  maxTokens: number;
}

/** What an execution returns: the `dspex-run` job's return value (DESIGN §5). */
export interface ExecutionResult {
  outputs: Record<string, unknown>;
  executionId: string;
  usage: Record<string, unknown>;
}

/** An execution's start or end: the runtime event `execution` without its `type` and `at`. */
export type ExecutionEvent = Omit<Extract<RuntimeEvent, { type: 'execution' }>, 'type' | 'at'>;

/** Where execution events go (the node's runtime events). */
export interface ExecutionEvents {
  /** Whether anyone listens now; read at each event, so it must be live (a getter), not a copy. */
  readonly observed: boolean;
  /** Delivers one event to the listeners. */
  emit(event: ExecutionEvent): void;
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
  /** What jobs may override and how often they may take a node down (default: no limit). */
  policy?: JobPolicy;
  /** Record each execution's trace (default true). */
  recordTrace?: boolean;
  /** Materialized programs by configuration (default: materialize one per execution). */
  programs?: ProgramCache;
  /** The store's active versions, reused between executions (default: read per execution). */
  activeVersions?: ActiveVersions;
  /** Wraps an LM in the client pool directly (default: an `acquire` call to the pool actor). */
  pool?: { lmFor(lm: LM): LM };
  /** The LM to use when the program has none of its own (default: the configured one). */
  defaultLm?: () => LM | undefined;
  /**
   * Told when an execution starts and ends (runtime events). Asked at each event whether anyone
   * listens ({@link ExecutionEvents.observed}): a listener added after the node started is told,
   * and with none no event is built.
   */
  executionEvents?: ExecutionEvents;
}

/**
 * Runs `module` streamed: a listener on every output field of every predictor; each field piece
 * and each native tool call goes to `onDelta`, and the final prediction is returned.
 */
async function streamedCall(
  module: Module,
  inputs: Record<string, unknown>,
  onDelta: (piece: StreamPiece) => void,
): Promise<Prediction> {
  const listeners = module
    .namedPredictors()
    .flatMap(([name, predict]) =>
      predict.signature.outputFields.map(
        (f) => new StreamListener(f.name, { predict, predictName: name }),
      ),
    );
  const run = streamify(module, { listeners, statusMessages: false });
  let final: Prediction | undefined;
  for await (const event of run(inputs)) {
    if (event instanceof Prediction) final = event;
    else if (event.type === 'field_chunk')
      onDelta({
        type: 'delta',
        predictor: event.predictName,
        field: event.signatureFieldName,
        text: event.chunk,
        last: event.isLastChunk,
      });
    else if (event.type === 'tool_call')
      onDelta({
        type: 'tool_call',
        predictor: event.predictName ?? null,
        id: event.toolCall.id,
        name: event.toolCall.name,
        arguments: event.toolCall.arguments,
      });
  }
  if (final === undefined)
    throw new ActorError('execution_failed', 'the streamed run ended without a prediction');
  return final;
}

/**
 * Runs the materialized program in its invocation context (LM, adapter, trace, signal) in a fault
 * scope; streamed when the request asks for deltas; with span callbacks when tracing is enabled.
 * The context is also the job's usage scope, so the job opens one AsyncLocalStorage scope of
 * settings, not one more per `Module.call`; the prediction gets the job's usage per model.
 */
function runProgram(
  program: Awaited<ReturnType<typeof materializeProgram>>,
  request: ExecutionRequest,
  trace: TraceEntry[],
): Promise<Prediction> {
  const usage = new UsageTracker();
  return runTrapped(() =>
    contextWithUsage(
      {
        trace,
        ...(program.lm === undefined ? {} : { lm: program.lm }),
        ...(program.adapter === undefined ? {} : { adapter: program.adapter }),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
        ...(tracingEnabled()
          ? { callbacks: [...currentSettings().callbacks, new SpanCallback(activeTraceContext())] }
          : {}),
      },
      usage,
      () =>
        request.onDelta === undefined
          ? program.module.call(request.inputs)
          : streamedCall(program.module, request.inputs, (piece) => request.onDelta?.(piece)),
    ),
  ).then((prediction) => {
    prediction.setLmUsage(usage.perModel());
    return prediction;
  });
}

/**
 * `value` as JSON: itself when it already is JSON (a job's inputs, plain outputs: checked in place,
 * no copy; the store serializes it once when recording), else a JSON-safe copy (drops functions
 * and undefined, turns Examples into their fields).
 */
function json<T>(value: unknown): T {
  if (value !== undefined && isJsonValue(value)) return value as T;
  return JSON.parse(JSON.stringify(value ?? null)) as T;
}

/** Predictor names per program module, walked once per module rather than once per job. */
const predictorNames = new WeakMap<Module, Map<unknown, string>>();

function namesOf(module: Module, trace: readonly TraceEntry[]): Map<unknown, string> {
  const known = predictorNames.get(module);
  // A predictor the walk did not see (a module that changed its parts) walks again.
  if (known !== undefined && trace.every((t) => known.has(t.predictor))) return known;
  const names = new Map<unknown, string>(module.namedPredictors().map(([n, p]) => [p, n] as const));
  predictorNames.set(module, names);
  return names;
}

function traceOf(module: Module, trace: readonly TraceEntry[]): unknown[] {
  if (trace.length === 0) return [];
  const names = namesOf(module, trace);
  return trace.map((t) => ({
    predictor: names.get(t.predictor) ?? null,
    inputs: t.inputs,
    outputs: t.prediction.toDict(),
  }));
}

/**
 * The configuration of this execution: the registry's, overridden by the job's own. A job's
 * `config.variables` may set only the variables `program` declares overridable, within their
 * constraints (checked against the deployed values); `config.configuration` is a deploy's, never
 * a job's.
 */
export function effectiveConfig(
  base: ProgramConfig,
  request: ExecutionRequest,
  policy?: OverridePolicy,
  program?: Module,
): ProgramConfig {
  if (request.config === undefined)
    return request.version === undefined
      ? base
      : Object.assign({}, base, { stateVersion: request.version });
  const overrides = programConfigSchema.safeParse(request.config);
  if (!overrides.success)
    throw new ActorError(
      'invalid_job',
      `invalid job config: ${overrides.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  if (policy !== undefined) checkOverrides(overrides.data, base, policy);
  if (overrides.data.configuration !== undefined)
    throw new ActorError(
      'invalid_job',
      `invalid job config: configuration ${JSON.stringify(overrides.data.configuration)} cannot be chosen per job (deploy it: dspex deploy --configuration); set overridable variables in config.variables instead`,
    );
  if (overrides.data.candidates !== undefined)
    throw new ActorError(
      'invalid_job',
      `invalid job config: candidates (${Object.keys(overrides.data.candidates).join(', ')}) come with a deployed configuration, never a job's (deploy it: dspex deploy --configuration)`,
    );
  const merged: ProgramConfig = { ...base, ...overrides.data };
  if (overrides.data.variables !== undefined)
    merged.variables =
      program === undefined
        ? overrides.data.variables
        : checkVariableOverrides(
            program,
            base.variables ?? {},
            overrides.data.variables,
            policy?.maxTokens,
          );
  if (request.version !== undefined) merged.stateVersion = request.version;
  return merged;
}

/**
 * Checks a job's `version` and `config` against this node as {@link runExecution} will, before the
 * job is queued (so a producer hears at once what a node would refuse): the config schema, the
 * node's override policy (allowed models, `maxTokens` limit) and the program's overridable
 * variables. Throws `ActorError` `invalid_job` naming the field, or `unknown_program`.
 */
export function checkJobConfig(
  services: Pick<ExecutionServices, 'catalog' | 'kernel' | 'policy' | 'defaultLm'> & {
    variables: VariableTable;
  },
  request: Pick<ExecutionRequest, 'program' | 'config' | 'version'>,
): void {
  const program = services.catalog.get(request.program);
  const base = currentConfig(services.variables, request.program, services.kernel.clock.now());
  effectiveConfig(base.config, request as ExecutionRequest, overridePolicyOf(services), program);
}

/** {@link JobPolicy}'s override limits, and the model the program runs with when not overridden. */
export interface OverridePolicy {
  models: readonly string[];
  maxTokens: number;
  /** The program's own model (its LM's), always allowed. */
  programModel?: string | undefined;
}

/**
 * Rejects job overrides the node does not allow: a model that is neither the program's (the
 * registry's or its LM's) nor listed in `jobs.overrides.models` (each model is a client-pool key
 * and a metrics series, so the set is closed), or `maxTokens` above `jobs.overrides.maxTokens`.
 */
export function checkOverrides(
  overrides: ProgramConfig,
  base: ProgramConfig,
  policy: OverridePolicy,
): void {
  const model = overrides.model;
  if (
    model !== undefined &&
    model !== base.model &&
    model !== policy.programModel &&
    !policy.models.includes(model)
  ) {
    const allowed = [base.model ?? policy.programModel, ...policy.models].filter(
      (m): m is string => m !== undefined,
    );
    throw new ActorError(
      'invalid_job',
      `invalid job config: model ${JSON.stringify(model)} is not allowed for this program (allowed: ${allowed.join(', ') || 'none'}; list more in the config's jobs.overrides.models)`,
    );
  }
  if (overrides.maxTokens !== undefined && overrides.maxTokens > policy.maxTokens)
    throw new ActorError(
      'invalid_job',
      `invalid job config: maxTokens ${overrides.maxTokens} is above the node's limit of ${policy.maxTokens} (config jobs.overrides.maxTokens)`,
    );
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
  return active === null ? config : pinned(config, active);
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
  id?: string,
): Promise<Execution> {
  const input = {
    ...(id === undefined ? {} : { id }),
    program: request.program,
    inputs: json<JsonObject>(request.inputs),
    status: 'running' as const,
    node: nodeId,
    ...(version === undefined ? {} : { version }),
  };
  let { execution, created } = await store.executions.recordOnce(request.jobId, input);
  if (!created && request.fallbackJobId !== undefined && !samePayload(execution, request))
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

/** Whether a record found under the job's id is of this job's payload (not of a reused id's). */
function samePayload(execution: Execution, request: ExecutionRequest): boolean {
  return (
    execution.program === request.program &&
    canonicalJson(execution.inputs) === canonicalJson(json<JsonObject>(request.inputs))
  );
}

/**
 * How long a first delivery's run goes on before its `running` record is written (ms): a run that
 * ends sooner is recorded once, already final (see {@link runExecution}).
 */
export const RUNNING_RECORD_AFTER_MS = 200;

/**
 * Records a first delivery's finished run in one write (`recordSucceeded`). Another run of the
 * same job may have recorded first (redelivered to another node after a lost lock): its final
 * result stands; a record it left `running` is taken over by {@link recordSuccess}. A record of
 * another payload under the job's id (an id reused after the queue was obliterated) sends the
 * record to `request.fallbackJobId`.
 */
function recordFirstRun(
  store: Store,
  request: ExecutionRequest,
  fields: { id: string; node: string; version: string | undefined; durationMs: number },
  result: ExecutionResult,
  trace: unknown[] | undefined,
): Promise<RunRecord> {
  const input = {
    id: fields.id,
    program: request.program,
    inputs: json<JsonObject>(request.inputs),
    node: fields.node,
    ...(fields.version === undefined ? {} : { version: fields.version }),
    outputs: result.outputs as JsonObject,
    usage: result.usage as JsonObject,
    ...(trace === undefined ? {} : { trace: json<JsonObject[]>(trace) }),
    durationMs: fields.durationMs,
  };
  const outcome = (r: Recorded): RunRecord | Promise<RunRecord> => {
    const { execution } = r;
    if (r.created)
      return { execution, result: Object.assign({}, result, { executionId: execution.id }) };
    if (execution.status === 'succeeded') return { execution, result: recordedResult(execution) };
    return recordSuccess(store, execution, result, trace, fields.version);
  };
  // One `.then` on the write; a second write only when the job id was reused.
  return store.executions.recordSucceeded(request.jobId, input).then((first) => {
    if (
      first.created ||
      request.fallbackJobId === undefined ||
      samePayload(first.execution, request)
    )
      return outcome(first);
    return store.executions.recordSucceeded(request.fallbackJobId, input).then(outcome);
  });
}

/** A job's record and whether this run wrote it. */
type Recorded = { execution: Execution; created: boolean };
/** The record a run ends with, and the result the caller gets. */
type RunRecord = { execution: Execution; result: ExecutionResult };

/** The recorded result of a succeeded execution record. */
function recordedResult(execution: Execution): ExecutionResult {
  return {
    outputs: (execution.outputs ?? {}) as Record<string, unknown>,
    executionId: execution.id,
    usage: (execution.usage ?? {}) as Record<string, unknown>,
  };
}

/** The node's override limits for jobs, with the program's own model (always allowed). */
function overridePolicyOf(
  services: Pick<ExecutionServices, 'policy' | 'defaultLm'>,
): OverridePolicy | undefined {
  const { policy } = services;
  if (policy === undefined) return undefined;
  return { ...policy, programModel: (services.defaultLm?.() ?? currentSettings().lm)?.model };
}

/**
 * Writes the final `succeeded` status. Another run of the same job (redelivered after this node
 * lost the job's lock, on another node) may have finished first: then its recorded result stands
 * and is returned, and this run's outputs are dropped, so a job never fails for having run twice.
 */
async function recordSuccess(
  store: Store,
  execution: Execution,
  result: ExecutionResult,
  trace: unknown[] | undefined,
  version: string | undefined,
): Promise<{ execution: Execution; result: ExecutionResult }> {
  const patch = {
    status: 'succeeded' as const,
    ...(version === undefined || version === execution.version ? {} : { version }),
    outputs: result.outputs as JsonObject,
    usage: result.usage as JsonObject,
    ...(trace === undefined ? {} : { trace: json<JsonObject[]>(trace) }),
  };
  try {
    return {
      execution: await store.executions.update(execution.id, patch, { known: execution }),
      result,
    };
  } catch (error) {
    const now = await store.executions.find(execution.id);
    if (now?.status === 'succeeded') return { execution: now, result: recordedResult(now) };
    if (now?.status !== 'running') throw error;
    // Taken over by a redelivery still running elsewhere: this run finished first.
    return { execution: await store.executions.update(execution.id, patch), result };
  }
}

const pinnedConfigs = new WeakMap<ProgramConfig, ProgramConfig>();

/**
 * `config` with `stateVersion` set to the store's active version: the same object for the same
 * configuration and version, so the program cache finds it by identity (no key built per job).
 */
function pinned(config: ProgramConfig, version: string): ProgramConfig {
  const hit = pinnedConfigs.get(config);
  if (hit?.stateVersion === version) return hit;
  const out = Object.assign({}, config, { stateVersion: version });
  pinnedConfigs.set(config, out);
  return out;
}

/**
 * Runs one execution: records it once per job id (a retry reuses the record, and a job already
 * succeeded returns its recorded result without running), runs a materialized copy of the program
 * inside `context({ lm, adapter, trace, signal })` in a fault scope (an exception thrown
 * asynchronously by the program fails this execution, not the node), and records outputs, trace,
 * usage, duration and status. A failure is recorded only when the job will not be retried.
 *
 * The store's active version of the program is read once per execution (through
 * `services.activeVersions` when given: reused for a second unless the registry's configuration
 * changed); the registry's configuration is read again at the last moment, so a change published
 * meanwhile reaches it.
 */
export async function runExecution(
  services: ExecutionServices,
  request: ExecutionRequest,
  readConfig: () => ProgramConfig,
): Promise<ExecutionResult> {
  const { store, catalog, kernel, nodeId, policy } = services;
  const base = catalog.get(request.program);
  // Read with the program: a hot reload swaps both at once, so a run never mixes versions.
  const extensions = catalog.extensions;
  // Only a job that overrides its configuration is checked against the node's policy.
  const overridePolicy = request.config === undefined ? undefined : overridePolicyOf(services);
  const first = readConfig();
  const requested = effectiveConfig(first, request, overridePolicy, base);
  // A first delivery has no record yet: it is written once, at the end (or `running` if the run
  // takes long). Otherwise the store's active version and the job's record are read in parallel
  // (two Redis round trips become one wait): a version the record does not know yet is written
  // with the final status.
  const lazy = request.firstDelivery === true;
  const activeVersion = (): Promise<string | null> =>
    requested.stateVersion !== undefined
      ? Promise.resolve(null)
      : (services.activeVersions?.get(request.program, first) ??
        store.programs.find(request.program).then((p) => p?.activeVersion ?? null));
  // The common case, a first delivery whose active version is already known, waits for nothing.
  const known = !lazy
    ? undefined
    : requested.stateVersion !== undefined
      ? null
      : services.activeVersions?.peek(request.program, first);
  const [active, recorded] =
    known !== undefined
      ? [known, undefined]
      : await Promise.all([
          activeVersion(),
          lazy ? undefined : recordExecution(store, request, nodeId, requested.stateVersion),
        ]);
  let execution = recorded;
  if (execution?.status === 'succeeded') return recordedResult(execution);
  const executionId = execution?.id ?? store.executions.newId();
  const withActive = (config: ProgramConfig): ProgramConfig =>
    config.stateVersion !== undefined || active === null ? config : pinned(config, active);
  let version = withActive(requested).stateVersion;
  const clock = kernel.clock;
  const startedAt = clock.now();
  // A first delivery still running after a while is recorded `running` (seen by operators, and by
  // a redelivery on another node); `running` is then the record the end writes to.
  let runningRecord: Promise<Execution> | undefined;
  const timer = lazy
    ? clock.setTimeout(() => {
        runningRecord = recordExecution(store, request, nodeId, version, executionId);
        runningRecord.catch(() => undefined); // awaited at the end; a failure surfaces there
      }, RUNNING_RECORD_AFTER_MS)
    : undefined;
  /** The run's record: the one read at the start or written by the timer (none yet otherwise). */
  const recordNow = (): Promise<Execution | undefined> | Execution | undefined => {
    if (timer !== undefined) clock.clearTimeout(timer);
    return execution ?? runningRecord;
  };
  const events = services.executionEvents;
  if (events?.observed === true)
    events.emit({
      phase: 'started',
      jobId: request.jobId,
      program: request.program,
      executionId,
    });
  try {
    const stalls = request.stalls ?? 0;
    if (policy !== undefined && stalls > 0 && stalls >= policy.maxCrashes)
      throw new ActorError(
        'poison_job',
        `poison job: it was running on a node that died or hung ${stalls} time(s) (lost its lock); failed without another run so it cannot take down more nodes`,
        { details: { stalls } },
      );
    // Read again at the last moment: a change published meanwhile reaches this execution.
    const latest = readConfig();
    let effective =
      latest === first ? requested : effectiveConfig(latest, request, overridePolicy, base);
    if (effective.stateVersion === undefined && requested.stateVersion !== undefined)
      // Newly unpinned by the registry: fall back to the store's active version.
      effective = await withActiveVersion(store, request.program, effective);
    else effective = withActive(effective);
    version = effective.stateVersion;
    const contextLm = services.defaultLm?.() ?? currentSettings().lm;
    const direct = services.pool;
    const build = (): ReturnType<typeof materializeProgram> =>
      materializeProgram({
        name: request.program,
        base,
        config: effective,
        store,
        contextLm,
        extensions,
        pool:
          direct === undefined
            ? (lm) => callActor<LM>(kernel, CLIENT_POOL, { type: 'acquire', lm })
            : (lm) => Promise.resolve(direct.lmFor(lm)),
      });
    const program = await (services.programs?.get(
      request.program,
      base,
      effective,
      contextLm,
      build,
    ) ?? build());
    const trace: TraceEntry[] = [];
    // Without an OpenTelemetry SDK the span would be a no-op: not even its name and attributes.
    const prediction = await (!otelRegistered()
      ? runProgram(program, request, trace)
      : inSpan(
          `program ${request.program}`,
          {
            parent: request.traceContext ?? activeTraceContext(),
            attributes: {
              'dspex.program': request.program,
              'dspex.execution_id': executionId,
              'dspex.node': nodeId,
              'dspex.job_id': request.jobId,
            },
          },
          () => runProgram(program, request, trace),
        ));
    const result: ExecutionResult = {
      outputs: json(prediction.toDict()),
      executionId,
      usage: json(prediction.usage ?? {}),
    };
    const recordedTrace =
      services.recordTrace === false ? undefined : traceOf(program.module, trace);
    // Mostly no record yet (a first delivery that ended soon): nothing to wait for.
    const now = recordNow();
    execution = now instanceof Promise ? await now : now;
    const done =
      execution === undefined
        ? await recordFirstRun(
            store,
            request,
            { id: executionId, node: nodeId, version, durationMs: clock.now() - startedAt },
            result,
            recordedTrace,
          )
        : await recordSuccess(store, execution, result, recordedTrace, version);
    execution = done.execution;
    if (events?.observed === true)
      events.emit({
        phase: 'succeeded',
        jobId: request.jobId,
        program: request.program,
        executionId: execution.id,
      });
    return done.result;
  } catch (error) {
    const retryable = error instanceof DspexError && error.retryable;
    const final = !retryable || request.attempt >= request.attempts;
    const described = describeError(error);
    // A failure is recorded only when final; a first delivery's run that wrote nothing yet writes
    // its record now (two writes: the failure path is not the one kept lean).
    const failed = !final
      ? undefined
      : ((await Promise.resolve(recordNow()).catch(() => undefined)) ??
        (await recordExecution(store, request, nodeId, version, executionId).catch(
          () => undefined,
        )));
    // Another run of the job succeeded meanwhile (redelivered elsewhere): its result stands.
    if (failed?.status === 'succeeded') return recordedResult(failed);
    if (failed !== undefined && failed.status !== 'failed')
      await store.executions
        .update(
          failed.id,
          {
            status: 'failed',
            error: { code: described.code, message: described.message },
            ...(version === undefined || version === failed.version ? {} : { version }),
          },
          { known: failed },
        )
        .catch(() => undefined);
    if (timer !== undefined) clock.clearTimeout(timer);
    if (events?.observed === true)
      events.emit({
        phase: 'failed',
        jobId: request.jobId,
        program: request.program,
        executionId: failed?.id ?? executionId,
        error: described.message,
      });
    throw error;
  }
}
