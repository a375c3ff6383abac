import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import {
  ClientPool,
  SCHEMA_REGISTRY,
  createSchemaTable,
  createVariableTable,
  type ConfigVersion,
  type TeleprompterServices,
} from '../actors/index.js';
import {
  ActiveVersions,
  ActorError,
  BUILTIN_METRICS,
  ProgramCache,
  callActor,
} from '../services/index.js';
import type { Metric } from '../src/evaluate/index.js';
import {
  Pid,
  createKernel,
  formatTerm,
  installFaultTrap,
  type StartOutcome,
} from '../src/kernel/index.js';
import { resetGlobalHistory } from '../src/lm/index.js';
import { MemoryStore, RedisStore } from '../src/store/index.js';
import { RuntimeMetrics, createLogger, type Logger } from '../src/telemetry/index.js';
import { BullMQTransport, MemoryTransport } from '../src/transport/index.js';
import {
  evalJobHandler,
  optimizeJobHandler,
  runJobHandler,
  type HandlerDeps,
} from './job-handlers.js';
import { Cleanups, Intake, type JobOptions } from './node-services.js';
import { clusterShardRunner } from './optimize-service.js';
import { PipelineTable, hostPipelines } from './pipelines.js';
import { resolveRuntimeConfig, type StartRuntimeConfig } from './runtime-config.js';
import { ProgramsReloader } from './programs-reload.js';
import { RuntimeNodeImpl } from './runtime-node.js';
import { NodeActivity, RuntimeEvents } from './runtime-events.js';
import type { Runtime, RuntimeOptions } from './runtime-types.js';
import { registerSpaces, startVariableSync } from './runtime-variables.js';
import { runtimeTree, type TreeQueues } from './tree.js';
import { WorkerSlots } from './worker-slots.js';

/**
 * Starts a runtime node: validates the configuration, loads the programs, builds the supervision
 * tree (supervisors/tree.ts) on a fresh kernel and starts consuming its queues. Embedded mode
 * (MemoryTransport + MemoryStore) without a Redis URL; Redis mode (BullMQTransport + RedisStore,
 * Redis-backed rate limits) with one.
 *
 * @example
 * ```ts
 * const rt = await startRuntime({ programs: './programs.js', redis: { url: 'redis://127.0.0.1:6379' } });
 * const { jobId } = await rt.submit('qa', { question: 'Why?' });
 * console.log(await rt.waitForJob(jobId));
 * await rt.stop();
 * ```
 */
export async function startRuntime(
  input: StartRuntimeConfig,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const {
    config,
    metrics: moduleMetrics,
    pipelines: modulePipelines,
    catalog,
    source: programsSource,
  } = await resolveRuntimeConfig(input, Object.keys(options.metrics ?? {}));
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const nodeId = options.nodeId ?? config.node.id ?? `${hostname()}-${process.pid}-${nanoid(6)}`;
  const mode = config.redis === undefined ? 'embedded' : 'redis';
  // Built in dependency order; each part gets what it needs when it is made, nothing later.
  const cleanups = new Cleanups();
  const transport =
    options.transport ??
    (config.redis === undefined
      ? new MemoryTransport()
      : new BullMQTransport({ url: config.redis.url, prefix: config.redis.prefix }));
  if (options.transport === undefined) cleanups.push(() => transport.close());
  const store =
    options.store ??
    (config.redis === undefined
      ? new MemoryStore()
      : new RedisStore({
          redis: config.redis.url,
          prefix: `${config.redis.prefix}:store`,
          executionTtlSeconds: config.retention.executionTtlSeconds,
        }));
  if (options.store === undefined) cleanups.push(() => store.close());
  const needsRedisLimits = Object.values(config.limits).some(
    (l) => l.rpm !== undefined || l.tpm !== undefined,
  );
  let limiterRedis: Redis | undefined;
  if (config.redis !== undefined && needsRedisLimits) {
    limiterRedis = new Redis(config.redis.url, { maxRetriesPerRequest: 1 });
    limiterRedis.on('error', () => undefined);
    const r = limiterRedis;
    cleanups.push(() => void r.disconnect());
  }
  // Whatever fails from here on undoes what was built so far.
  const undo = async (error: unknown): Promise<never> => {
    await cleanups.run();
    throw error;
  };
  if (transport instanceof BullMQTransport && options.transport === undefined)
    await warnIfNotDurable(transport, logger).catch(undo);
  if (config.telemetry.otel.enabled) {
    // Loaded only when enabled: without it the @opentelemetry/api no-op tracer is all there is.
    const { startTracing } = await import('../src/telemetry/otel-sdk.js');
    const tracing = startTracing({
      ...(config.telemetry.otel.endpoint === undefined
        ? {}
        : { endpoint: config.telemetry.otel.endpoint }),
      serviceName: config.telemetry.otel.serviceName,
      nodeId,
    });
    cleanups.push(() => tracing.shutdown());
  }
  const kernel = createKernel({
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    logger: logger.child({ component: 'kernel' }),
  });
  const startedAt = kernel.clock.now();
  const metrics = new RuntimeMetrics();
  const metricTable = new Map<string, Metric>([
    ...Object.entries(BUILTIN_METRICS),
    ...Object.entries(moduleMetrics),
    ...Object.entries(options.metrics ?? {}),
  ]);
  // The events first: every part that reports something is handed the emitter.
  const events = new RuntimeEvents(kernel.clock, logger);
  const activity = new NodeActivity(nodeId, metrics, events);
  cleanups.push(kernel.subscribe(activity.onKernelEvent));
  // The node owns retries at the job level (supervisors/README.md, "Who retries"): one attempt per
  // LM call, each through the guard, so the breaker sees every failure and no slot is held asleep.
  const pool = new ClientPool({
    limits: config.limits,
    callDefaults: {
      timeoutMs: config.lm.timeoutMs,
      maxResponseChars: config.lm.maxResponseChars,
      maxAttempts: 1,
    },
    ...(options.breaker === undefined ? {} : { breaker: options.breaker }),
    ...(limiterRedis === undefined
      ? {}
      : { redis: limiterRedis, redisKeyPrefix: `${config.redis?.prefix ?? 'dspex'}:ratelimit:` }),
    onCall: (c) => {
      metrics.lmCalls.inc({ provider: c.provider, model: c.model, outcome: c.outcome });
      metrics.lmTokens.inc(
        { provider: c.provider, model: c.model, direction: 'prompt' },
        c.promptTokens,
      );
      metrics.lmTokens.inc(
        { provider: c.provider, model: c.model, direction: 'completion' },
        c.completionTokens,
      );
    },
    onCircuitChange: (c) => {
      metrics.circuitState.set({ key: c.key }, c.to === 'closed' ? 0 : 1);
      events.emit({ type: 'circuit', key: c.key, from: c.from, to: c.to });
    },
  });
  cleanups.push(() => pool.close());
  const queues: TreeQueues = {
    run: config.queues.run,
    eval: options.queues?.eval ?? 'dspex-eval',
    optimize: options.queues?.optimize ?? 'dspex-optimize',
  };
  const jobOptions: JobOptions = {
    attempts: options.jobs?.attempts ?? config.jobs.attempts,
    backoff: options.jobs?.backoff ?? { type: 'exponential', delay: config.jobs.backoffMs },
  };
  const variables = createVariableTable();
  const schemas = createSchemaTable();
  const workers: TeleprompterServices = {
    kernel,
    store,
    catalog,
    nodeId,
    variables,
    metrics: metricTable,
    policy: {
      maxCrashes: config.jobs.maxCrashes,
      models: config.jobs.overrides.models,
      maxTokens: config.jobs.overrides.maxTokens,
    },
    recordTrace: config.retention.trace,
    programs: new ProgramCache(),
    activeVersions: new ActiveVersions(store, kernel.clock),
    pool,
    ...(options.lm === undefined ? {} : { defaultLm: () => options.lm }),
    // Live: asked at each execution event (the services record is copied when the tree is built).
    executionEvents: {
      get observed() {
        return events.observed;
      },
      emit: (e) => events.emit({ type: 'execution', ...e }),
    },
    onShardProgress: (p) => events.emit({ type: 'evaluation_progress', ...p }),
    onOptimizationProgress: (p) => events.emit({ type: 'optimization_progress', ...p }),
    runShards: clusterShardRunner(transport, queues.eval, () => jobOptions),
  };
  const slots = new WorkerSlots(kernel);
  const handlers: HandlerDeps = {
    services: workers,
    catalog,
    slots,
    store,
    optimizers: new Map(),
    transport,
    retry: { ...jobOptions, maxRetryAfterMs: config.jobs.maxRetryAfterMs },
    deadlineMs: config.jobs.deadlineMs,
    schemas,
    running: new Map(),
  };
  // A program's asynchronous throw fails its execution (runTrapped), never the node; faults outside
  // any execution are logged.
  if (options.trapFaults !== false)
    cleanups.push(
      installFaultTrap((err, origin) =>
        logger.error({ err, origin }, 'uncaught fault outside any execution (node keeps running)'),
      ),
    );
  // A node's LM histories hold every call's messages and raw answer: keep them short (RSS).
  resetGlobalHistory(config.lm.historySize);
  const pipelineTable = new PipelineTable(modulePipelines, options.pipelines);
  const hosted = hostPipelines(pipelineTable, transport, handlers, {
    concurrency: config.queues.concurrency,
    drainTimeoutMs: config.shutdown.drainTimeoutMs,
  });
  const pipelines = new Map(hosted.map((p) => [p.name, p]));
  for (const p of hosted) cleanups.push(() => p.runner.close({ timeout: 0 }));
  const onConfigChange = (v: ConfigVersion): void =>
    events.emit({
      type: 'config_changed',
      program: v.program,
      revision: v.revision,
      config: v.config,
    });
  // Redis mode: deployments are shared by every node (stored, announced, installed everywhere);
  // the cluster's are installed before the tree starts consuming jobs.
  const variableSync =
    config.redis === undefined
      ? undefined
      : await startVariableSync({
          kernel,
          store,
          url: config.redis.url,
          storePrefix: `${config.redis.prefix}:store`,
          table: variables,
          onChange: onConfigChange,
          logger,
        }).catch(undo);
  if (variableSync !== undefined) cleanups.push(() => variableSync.close());
  const spec = runtimeTree({
    services: workers,
    schemaTable: schemas,
    variables: {
      table: variables,
      onChange: onConfigChange,
      ...(variableSync === undefined ? {} : { shared: variableSync }),
    },
    pool,
    transport,
    queues,
    concurrency: config.queues.concurrency,
    drainTimeoutMs: config.shutdown.drainTimeoutMs,
    retention: {
      keepCompleted: config.retention.completedJobs,
      keepFailed: config.retention.failedJobs,
    },
    extraBridges: hosted.map((p) => p.bridge),
    handlers: {
      run: activity.countJobs(queues.run, runJobHandler(handlers)),
      eval: activity.countJobs(queues.eval, evalJobHandler(handlers)),
      optimize: activity.countJobs(queues.optimize, optimizeJobHandler(handlers)),
    },
    wrapWorkerStart:
      (start) =>
      (ctx, ...args) => {
        const label = (out: StartOutcome): StartOutcome => {
          const request = args[0] as { jobId?: string; program?: string } | undefined;
          if (out instanceof Pid)
            activity.labelWorker(out, { jobId: request?.jobId, program: request?.program });
          return out;
        };
        // A task starts synchronously: no promise and microtask hop per job when it did.
        const out = start(ctx, ...args);
        return out instanceof Promise ? out.then(label) : label(out);
      },
  });
  const started = await kernel.startSupervisor(spec.flags, spec.children, { id: 'root' });
  if (!started.ok)
    return undo(
      new ActorError(
        'execution_failed',
        `the supervision tree failed to start: ${formatTerm(started.error)}`,
        { details: { reason: formatTerm(started.error) } },
      ),
    );
  const root = started.sup;
  const spaceVersions = new Map<string, string>();
  const registerPrograms = async (version: number): Promise<void> => {
    for (const name of catalog.names()) {
      const predictor = catalog.get(name).namedPredictors()[0]?.[1];
      if (predictor !== undefined)
        await callActor(kernel, SCHEMA_REGISTRY, {
          type: 'registerSignature',
          name: `program:${name}`,
          version: String(version),
          signature: predictor.signature.toString(),
        }).catch(() => undefined);
    }
    const spaces = await registerSpaces(store, catalog, logger);
    spaceVersions.clear();
    for (const [program, v] of spaces) spaceVersions.set(program, v);
  };
  await registerPrograms(1);
  const reloader = new ProgramsReloader(catalog, programsSource, {
    metricTable,
    logger,
    emit: (e) => events.emit(e as never),
    afterSwap: (c) => registerPrograms(c.version.version),
    pipelines: pipelineTable,
  });
  if (config.watch) cleanups.push(reloader.watch());
  const rt = new RuntimeNodeImpl({
    nodeId,
    mode,
    config,
    logger,
    startedAt,
    kernel,
    transport,
    store,
    catalog,
    pool,
    metrics,
    metricTable,
    queues,
    jobOptions,
    events,
    activity,
    intake: new Intake(),
    schemas,
    variables,
    slots,
    workers,
    handlers,
    pipelines,
    spaceVersions,
    reloader,
    root,
    cleanups,
  });
  events.emit({ type: 'runtime', phase: 'started' });
  logger.info({ nodeId, mode, programs: catalog.names() }, 'runtime started');
  return rt;
}

/**
 * Logs, loudly, what makes the Redis server lose queued jobs (no persistence, an eviction policy
 * other than `noeviction`): checked once at start (README "Redis in production").
 */
async function warnIfNotDurable(transport: BullMQTransport, logger: Logger): Promise<void> {
  const { warnings, aof, rdb, maxmemoryPolicy } = await transport.durability();
  for (const warning of warnings)
    logger.warn({ redis: { aof, rdb, maxmemoryPolicy } }, `WARNING: ${warning}`);
}

export type { StartRuntimeConfig };
