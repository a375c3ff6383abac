import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import {
  ActorError,
  BUILTIN_METRICS,
  ClientPool,
  ProgramCache,
  SCHEMA_REGISTRY,
  callActor,
  createSchemaTable,
  createVariableTable,
  type ConfigVersion,
  type TeleprompterServices,
} from '../actors/index.js';
import type { Metric } from '../src/evaluate/index.js';
import { Pid, createKernel, formatTerm, installFaultTrap } from '../src/kernel/index.js';
import { resetGlobalHistory } from '../src/lm/index.js';
import { MemoryStore, RedisStore } from '../src/store/index.js';
import { RuntimeMetrics, createLogger, type Logger } from '../src/telemetry/index.js';
import { BullMQTransport, MemoryTransport } from '../src/transport/index.js';
import { evalJobHandler, optimizeJobHandler, runJobHandler } from './job-handlers.js';
import { clusterShardRunner } from './optimize-service.js';
import { PipelineTable, hostPipelines } from './pipelines.js';
import { resolveRuntimeConfig, type StartRuntimeConfig } from './runtime-config.js';
import { ProgramsReloader } from './programs-reload.js';
import { RuntimeNodeImpl } from './runtime-node.js';
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
  const cleanups: (() => void | Promise<void>)[] = [];
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
  if (transport instanceof BullMQTransport && options.transport === undefined)
    try {
      await warnIfNotDurable(transport, logger);
    } catch (error) {
      for (const c of [...cleanups].reverse()) await Promise.resolve(c()).catch(() => undefined);
      throw error;
    }
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
  const metricsRegistry = new RuntimeMetrics();
  const metricTable = new Map<string, Metric>([
    ...Object.entries(BUILTIN_METRICS),
    ...Object.entries(moduleMetrics),
    ...Object.entries(options.metrics ?? {}),
  ]);
  // The pool and services are built before the runtime object that receives their events.
  const runtimeRef: { current?: RuntimeNodeImpl } = {};
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
      metricsRegistry.lmCalls.inc({ provider: c.provider, model: c.model, outcome: c.outcome });
      metricsRegistry.lmTokens.inc(
        { provider: c.provider, model: c.model, direction: 'prompt' },
        c.promptTokens,
      );
      metricsRegistry.lmTokens.inc(
        { provider: c.provider, model: c.model, direction: 'completion' },
        c.completionTokens,
      );
    },
    onCircuitChange: (c) => {
      metricsRegistry.circuitState.set({ key: c.key }, c.to === 'closed' ? 0 : 1);
      runtimeRef.current?.emit({ type: 'circuit', key: c.key, from: c.from, to: c.to });
    },
  });
  cleanups.push(() => pool.close());
  const queues: TreeQueues = {
    run: config.queues.run,
    eval: options.queues?.eval ?? 'dspex-eval',
    optimize: options.queues?.optimize ?? 'dspex-optimize',
  };
  const variableTable = createVariableTable();
  const schemaTable = createSchemaTable();
  const services: TeleprompterServices = {
    kernel,
    store,
    catalog,
    nodeId,
    variables: variableTable,
    metrics: metricTable,
    policy: {
      maxCrashes: config.jobs.maxCrashes,
      models: config.jobs.overrides.models,
      maxTokens: config.jobs.overrides.maxTokens,
    },
    recordTrace: config.retention.trace,
    programs: new ProgramCache(),
    pool,
    ...(options.lm === undefined ? {} : { defaultLm: () => options.lm }),
    onExecution: (e) => runtimeRef.current?.emit({ type: 'execution', ...e }),
    onShardProgress: (p) => runtimeRef.current?.emit({ type: 'evaluation_progress', ...p }),
    onOptimizationProgress: (p) =>
      runtimeRef.current?.emit({ type: 'optimization_progress', ...p }),
    runShards: clusterShardRunner(transport, queues.eval, () => rt.jobOptions),
  };
  const rt = new RuntimeNodeImpl(
    nodeId,
    mode,
    kernel,
    transport,
    store,
    config,
    catalog,
    pool,
    metricsRegistry,
    metricTable,
    queues,
    {
      attempts: options.jobs?.attempts ?? config.jobs.attempts,
      backoff: options.jobs?.backoff ?? { type: 'exponential', delay: config.jobs.backoffMs },
    },
    logger,
  );
  runtimeRef.current = rt;
  rt.cleanups.push(...cleanups);
  const unsubscribeKernel = kernel.subscribe((e) => rt.onKernelEvent(e));
  rt.cleanups.push(unsubscribeKernel);
  rt.slots = new WorkerSlots(kernel);
  rt.deps = {
    services,
    catalog,
    slots: rt.slots,
    store,
    optimizers: new Map(),
    transport,
    retry: { ...rt.jobOptions, maxRetryAfterMs: config.jobs.maxRetryAfterMs },
    deadlineMs: config.jobs.deadlineMs,
    schemas: schemaTable,
    running: new Map(),
  };
  // A program's asynchronous throw fails its execution (runTrapped), never the node; faults outside
  // any execution are logged.
  if (options.trapFaults !== false)
    rt.cleanups.push(
      installFaultTrap((err, origin) =>
        logger.error({ err, origin }, 'uncaught fault outside any execution (node keeps running)'),
      ),
    );
  // A node's LM histories hold every call's messages and raw answer: keep them short (RSS).
  resetGlobalHistory(config.lm.historySize);
  const pipelineTable = new PipelineTable(modulePipelines, options.pipelines);
  const hosted = hostPipelines(pipelineTable, transport, rt.deps, {
    concurrency: config.queues.concurrency,
    drainTimeoutMs: config.shutdown.drainTimeoutMs,
  });
  for (const p of hosted) {
    rt.pipelines.set(p.name, p);
    rt.cleanups.push(() => p.runner.close({ timeout: 0 }));
  }
  const onConfigChange = (v: ConfigVersion): void =>
    rt.emit({ type: 'config_changed', program: v.program, revision: v.revision, config: v.config });
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
          table: variableTable,
          onChange: onConfigChange,
          logger,
        }).catch(async (error: unknown) => {
          for (const c of [...rt.cleanups].reverse())
            await Promise.resolve(c()).catch(() => undefined);
          throw error;
        });
  if (variableSync !== undefined) rt.cleanups.push(() => variableSync.close());
  const spec = runtimeTree({
    services,
    schemaTable,
    variables: {
      table: variableTable,
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
      run: rt.countJobs(queues.run, runJobHandler(rt.deps)),
      eval: rt.countJobs(queues.eval, evalJobHandler(rt.deps)),
      optimize: rt.countJobs(queues.optimize, optimizeJobHandler(rt.deps)),
    },
    wrapWorkerStart:
      (start) =>
      async (ctx, ...args) => {
        const out = await start(ctx, ...args);
        const request = args[0] as { jobId?: string; program?: string } | undefined;
        if (out instanceof Pid)
          rt.labelWorker(out, { jobId: request?.jobId, program: request?.program });
        return out;
      },
  });
  const started = await kernel.startSupervisor(spec.flags, spec.children, { id: 'root' });
  if (!started.ok) {
    for (const c of [...rt.cleanups].reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw new ActorError(
      'execution_failed',
      `the supervision tree failed to start: ${formatTerm(started.error)}`,
      {
        details: { reason: formatTerm(started.error) },
      },
    );
  }
  rt.root = started.sup;
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
    rt.spaceVersions = await registerSpaces(store, catalog, logger);
  };
  await registerPrograms(1);
  rt.reloader = new ProgramsReloader(catalog, programsSource, {
    metricTable,
    logger,
    emit: (e) => rt.emit(e as never),
    afterSwap: (c) => registerPrograms(c.version.version),
    pipelines: pipelineTable,
  });
  if (config.watch) rt.cleanups.push(rt.reloader.watch());
  rt.emit({ type: 'runtime', phase: 'started' });
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
