import { nanoid } from 'nanoid';
import {
  ActorError,
  AsyncChannel,
  VARIABLE_REGISTRY,
  callActor,
  requestExamples,
  toExampleData,
  unknownProgram,
  type ClientPool,
  type ConfigVersion,
  type FieldDelta,
  type ProgramCatalog,
  type ProgramsVersion,
  type ProgramConfig,
  type ShardResult,
} from '../actors/index.js';
import type { RuntimeConfig } from '../src/config/index.js';
import type { Metric } from '../src/evaluate/index.js';
import { pythonRound } from '../src/evaluate/index.js';
import {
  formatTerm,
  isNormalExitReason,
  type Kernel,
  type KernelEvent,
  type Pid,
  type SupervisorProcess,
} from '../src/kernel/index.js';
import type { Module } from '../src/modules/index.js';
import type { DatasetLink, OptimizationRun, Store } from '../src/store/index.js';
import {
  SpanKind,
  activeTraceContext,
  extractTraceContext,
  inSpan,
  injectTraceContext,
  type Logger,
  type RuntimeMetrics,
} from '../src/telemetry/index.js';
import type { JsonObject, Transport } from '../src/transport/index.js';
import { executeInTree, validateRunJob, type HandlerDeps } from './job-handlers.js';
import type { HostedPipeline } from './pipelines.js';
import type { ProgramsReloader, ReloadOutcome } from './programs-reload.js';
import { toRuntimeNode } from './runtime-snapshot.js';
import {
  deploy,
  programVariables,
  searchVariables,
  type DeployOutcome,
  type DeployTarget,
  type ProgramVariables,
  type VariableNode,
  type VariableSearchOutcome,
  type VariableSearchRequest,
} from './runtime-variables.js';
import type {
  EvaluateRequest,
  EvaluationSummary,
  LocalRunOptions,
  OptimizeRequest,
  RunOptions,
  RunResult,
  RunStreamEvent,
  Runtime,
  RuntimeEvent,
  RuntimeSnapshot,
} from './runtime-types.js';
import { TREE_NAMES, type TreeQueues } from './tree.js';
import type { WorkerSlots } from './worker-slots.js';

type EventBody = RuntimeEvent extends infer E ? (E extends unknown ? Omit<E, 'at'> : never) : never;

function supervisorName(pid: Pid): string {
  return (pid.proc as { id?: string }).id ?? pid.toString();
}

function firstPredictorInputs(program: Module): string[] | undefined {
  const first = program.namedPredictors()[0]?.[1];
  return first?.signature.inputFields.map((f) => f.name);
}

/** A request's `dataset`/`split` pair without undefined fields (exact optional types). */
function datasetOf(
  dataset: string | DatasetLink | undefined,
  split: string | undefined,
): { dataset?: string | DatasetLink; split?: string } {
  return {
    ...(dataset === undefined ? {} : { dataset }),
    ...(split === undefined ? {} : { split }),
  };
}

/** The running runtime (see {@link Runtime}). Built by `startRuntime` (runtime.ts). @internal */
export class RuntimeNodeImpl implements Runtime {
  readonly startedAt: number;
  private readonly listeners = new Set<(e: RuntimeEvent) => void>();
  private readonly inFlightRuns = new Set<Promise<unknown>>();
  private readonly queueInFlight = new Map<string, number>();
  private readonly workerJobs = new Map<string, Record<string, unknown>>();
  /** Abnormal child exits by supervisor id (a temporary worker's crash is never a restart). */
  private readonly childCrashes = new Map<string, number>();
  private draining = false;
  pipelines = new Map<string, HostedPipeline>();
  private stopped: Promise<void> | undefined;
  root!: SupervisorProcess;
  slots!: WorkerSlots;
  deps!: HandlerDeps;
  readonly cleanups: (() => void | Promise<void>)[] = [];
  /** Stored variable-space version of each hosted program that declares variables. */
  spaceVersions = new Map<string, string>();
  /** Hot reload of the programs module (set by `startRuntime`). */
  reloader!: ProgramsReloader;

  constructor(
    readonly nodeId: string,
    readonly mode: 'embedded' | 'redis',
    readonly kernel: Kernel,
    readonly transport: Transport,
    readonly store: Store,
    readonly config: RuntimeConfig,
    readonly catalog: ProgramCatalog,
    readonly pool: ClientPool,
    readonly metricsRegistry: RuntimeMetrics,
    readonly metricTable: Map<string, Metric>,
    readonly queues: TreeQueues,
    readonly jobOptions: {
      attempts: number;
      backoff: { type: 'fixed' | 'exponential'; delay: number };
    },
    readonly logger: Logger,
  ) {
    this.startedAt = kernel.clock.now();
  }

  /** Whether anyone listens to runtime events (events are built only then). */
  get observed(): boolean {
    return this.listeners.size > 0;
  }

  emit(body: EventBody): void {
    if (this.listeners.size === 0) return;
    const event = { ...body, at: this.kernel.clock.now() } as RuntimeEvent;
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        this.logger.warn({ err: e }, 'runtime event listener threw');
      }
    }
  }

  onKernelEvent(e: KernelEvent): void {
    // Restarts and crashes are counted whoever listens; the rest are runtime events built only
    // when observed.
    if (e.type === 'child_exited' && !isNormalExitReason(e.reason)) {
      const supervisor = supervisorName(e.supervisor);
      this.childCrashes.set(supervisor, (this.childCrashes.get(supervisor) ?? 0) + 1);
    }
    if (this.listeners.size === 0 && e.type !== 'child_restarted' && e.type !== 'process_exited')
      return;
    switch (e.type) {
      case 'child_started':
        return this.emit({
          type: 'child_started',
          supervisor: supervisorName(e.supervisor),
          id: e.id,
          pid: e.pid.toString(),
        });
      case 'child_exited':
        return this.emit({
          type: 'child_exited',
          supervisor: supervisorName(e.supervisor),
          id: e.id,
          pid: e.pid.toString(),
          reason: formatTerm(e.reason),
        });
      case 'child_restarted':
        this.metricsRegistry.restarts.inc({
          supervisor: supervisorName(e.supervisor),
          child: e.id,
        });
        return this.emit({
          type: 'child_restarted',
          supervisor: supervisorName(e.supervisor),
          id: e.id,
        });
      case 'supervisor_report':
        return this.emit({
          type: 'supervisor_report',
          supervisor: e.supervisor,
          errorContext: e.errorContext,
          reason: formatTerm(e.reason),
          offender: e.offender.id,
        });
      case 'process_exited':
        this.workerJobs.delete(e.pid.toString());
        return;
    }
  }

  /** Wraps a bridge handler with in-flight counts, metrics and job events. */
  countJobs<J extends { id: string; data?: unknown }, T>(
    queue: string,
    handler: (job: J) => Promise<T>,
  ) {
    const counted = this.countedJobs(queue, handler);
    // A consumer span per job, a child of the producer's span carried in the job data.
    return (job: J): Promise<T> =>
      inSpan(
        `process ${queue}`,
        {
          kind: SpanKind.CONSUMER,
          parent: extractTraceContext((job.data as { trace?: unknown } | undefined)?.trace),
          attributes: {
            'messaging.system': 'dspex',
            'messaging.destination.name': queue,
            'messaging.message.id': job.id,
            'dspex.node': this.nodeId,
          },
        },
        () => counted(job),
      );
  }

  private countedJobs<J extends { id: string }, T>(queue: string, handler: (job: J) => Promise<T>) {
    return async (job: J): Promise<T> => {
      this.queueInFlight.set(queue, (this.queueInFlight.get(queue) ?? 0) + 1);
      this.metricsRegistry.jobsInFlight.inc({ queue });
      const end = this.metricsRegistry.jobDuration.startTimer({ queue });
      if (this.observed) this.emit({ type: 'job', queue, jobId: job.id, phase: 'started' });
      try {
        const out = await handler(job);
        this.metricsRegistry.jobsTotal.inc({ queue, outcome: 'completed' });
        if (this.observed) this.emit({ type: 'job', queue, jobId: job.id, phase: 'completed' });
        return out;
      } catch (error) {
        this.metricsRegistry.jobsTotal.inc({ queue, outcome: 'failed' });
        this.emit({
          type: 'job',
          queue,
          jobId: job.id,
          phase: 'failed',
          reason: (error as Error).message,
        });
        throw error;
      } finally {
        end();
        this.metricsRegistry.jobsInFlight.dec({ queue });
        this.queueInFlight.set(queue, (this.queueInFlight.get(queue) ?? 1) - 1);
      }
    };
  }

  labelWorker(pid: Pid, details: Record<string, unknown>): void {
    this.workerJobs.set(pid.toString(), details);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlightRuns.add(p);
    const done = (): void => void this.inFlightRuns.delete(p);
    p.then(done, done);
    return p;
  }

  private assertOpen(): void {
    if (this.draining)
      throw new ActorError('stopping', 'the runtime is draining and takes no new work', {
        retryable: true,
      });
  }

  programs(): string[] {
    return this.catalog.names();
  }

  reload(): Promise<ReloadOutcome> {
    return this.reloader.reload();
  }

  programsVersion(): ProgramsVersion {
    return this.catalog.version;
  }

  async run(
    program: string,
    inputs: Record<string, unknown>,
    opts: LocalRunOptions = {},
  ): Promise<RunResult> {
    return this.runLocal(program, inputs, opts);
  }

  stream(
    program: string,
    inputs: Record<string, unknown>,
    opts: LocalRunOptions = {},
  ): AsyncIterable<RunStreamEvent> {
    const channel = new AsyncChannel<RunStreamEvent>();
    let started: Promise<void> | undefined;
    const start = (): Promise<void> =>
      (started ??= this.runLocal(program, inputs, opts, (d) => channel.push(d)).then(
        (result) => {
          channel.push({ type: 'result', result });
          channel.close();
        },
        (error: unknown) => channel.fail(error),
      ));
    return {
      [Symbol.asyncIterator]: () => {
        void start();
        return channel.drain();
      },
    };
  }

  /** One run on a fresh program worker of this node (`run`, `stream`). */
  private async runLocal(
    program: string,
    inputs: Record<string, unknown>,
    opts: LocalRunOptions,
    onDelta?: (delta: FieldDelta) => void,
  ): Promise<RunResult> {
    this.assertOpen();
    const { signal, ...job } = opts;
    return this.track(
      inSpan(`run ${program}`, { attributes: { 'dspex.program': program } }, async () => {
        const data = await validateRunJob(this.deps, { program, inputs, ...job });
        return executeInTree(this.deps, {
          jobId: `run-${nanoid()}`,
          program: data.program,
          inputs: data.inputs,
          version: data.version,
          config: data.config,
          attempt: 1,
          attempts: 1,
          ...(signal === undefined ? {} : { signal }),
          ...(onDelta === undefined ? {} : { onDelta }),
          traceContext: activeTraceContext(),
        });
      }),
    );
  }

  async submit(
    program: string,
    inputs: Record<string, unknown>,
    opts: RunOptions = {},
  ): Promise<{ jobId: string }> {
    return this.publish(
      this.queues.run,
      { program, inputs, ...opts } as JsonObject,
      async (data) => ({
        jobId: await this.transport.enqueue(this.queues.run, data, this.jobOptions),
      }),
    );
  }

  /**
   * Enqueues inside a producer span and carries its trace context in the job data (`trace`, an
   * optional field of every payload), so the consumer's spans, on whatever node, join the trace.
   */
  private publish<T>(
    queue: string,
    data: JsonObject,
    enqueue: (data: JsonObject) => Promise<T>,
  ): Promise<T> {
    return inSpan(
      `publish ${queue}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'dspex', 'messaging.destination.name': queue },
      },
      async (span) => {
        const carrier = injectTraceContext();
        const out = await enqueue(
          carrier === undefined ? data : { ...data, trace: { ...carrier } },
        );
        const id = (out as { jobId?: unknown }).jobId;
        if (typeof id === 'string') span.setAttribute('messaging.message.id', id);
        return out;
      },
    );
  }

  async waitForJob(jobId: string, timeoutMs = 60_000): Promise<RunResult> {
    return (await this.transport.waitForResult(
      this.queues.run,
      jobId,
      timeoutMs,
    )) as unknown as RunResult;
  }

  async runPipeline(
    name: string,
    input: Record<string, unknown>,
    options: { runId?: string; timeoutMs?: number } = {},
  ): Promise<{ runId: string; outputs: Record<string, RunResult> }> {
    this.assertOpen();
    const hosted = this.pipelines.get(name);
    if (hosted === undefined)
      throw new ActorError(
        'unknown_program',
        `unknown pipeline '${name}' (known: ${[...this.pipelines.keys()].join(', ')})`,
      );
    const runId = await hosted.runner.startRun(JSON.parse(JSON.stringify(input)) as JsonObject, {
      ...(options.runId === undefined ? {} : { runId: options.runId }),
    });
    const done = await hosted.runner.waitForRun(runId, options.timeoutMs ?? 60_000);
    return { runId, outputs: done.outputs as unknown as Record<string, RunResult> };
  }

  async configure(program: string, config: ProgramConfig): Promise<{ revision: number }> {
    if (!this.catalog.has(program)) throw unknownProgram(program, this.catalog.names());
    const v = await callActor<ConfigVersion>(this.kernel, VARIABLE_REGISTRY, {
      type: 'set',
      program,
      config,
    });
    return { revision: v.revision };
  }

  variables(program: string): Promise<ProgramVariables> {
    return programVariables(this.variableNode(), program);
  }

  deploy(program: string, target: DeployTarget): Promise<DeployOutcome> {
    return deploy(this.variableNode(), program, target);
  }

  searchVariables(program: string, request: VariableSearchRequest): Promise<VariableSearchOutcome> {
    this.assertOpen();
    return searchVariables(this.variableNode(), program, request);
  }

  private variableNode(): VariableNode {
    const lm = this.deps.services.defaultLm;
    return {
      kernel: this.kernel,
      store: this.store,
      catalog: this.catalog,
      metricTable: this.metricTable,
      ...(lm === undefined ? {} : { defaultLm: lm }),
      submit: (program, request) => this.optimize(program, request),
    };
  }

  async evaluate(program: string, request: EvaluateRequest): Promise<EvaluationSummary> {
    this.assertOpen();
    const module = this.catalog.get(program);
    const source = await requestExamples(
      this.store,
      { examples: request.devset, ...datasetOf(request.dataset, request.split) },
      'devset',
    );
    const inputKeys = request.inputKeys ?? source.inputKeys ?? firstPredictorInputs(module);
    const examples = toExampleData(source.examples, inputKeys);
    if (examples.length === 0) throw new ActorError('bad_message', 'the devset is empty');
    const shards = Math.max(1, Math.min(request.shards ?? 1, examples.length || 1));
    const evalId = `eval-${nanoid(12)}`;
    let metric: string;
    if (typeof request.metric === 'string') metric = request.metric;
    else {
      metric = `local-${evalId}`;
      this.metricTable.set(metric, request.metric);
    }
    const size = Math.ceil(examples.length / shards);
    const shardData = Array.from({ length: shards }, (_, shard) => ({
      evalId,
      shard,
      shards,
      program,
      metric,
      examples: examples.slice(shard * size, (shard + 1) * size),
      concurrency: request.concurrency ?? 4,
    }));
    const timeout = request.timeoutMs ?? 600_000;
    try {
      const results: ShardResult[] =
        typeof request.metric === 'string'
          ? await Promise.all(
              shardData.map(async (d) => {
                const id = await this.transport.enqueue(
                  this.queues.eval,
                  d as unknown as JsonObject,
                  {
                    jobId: `${evalId}.${d.shard}`,
                    attempts: this.jobOptions.attempts,
                    backoff: this.jobOptions.backoff,
                  },
                );
                return (await this.transport.waitForResult(
                  this.queues.eval,
                  id,
                  timeout,
                )) as unknown as ShardResult;
              }),
            )
          : await this.track(
              Promise.all(
                shardData.map(async (d) => {
                  const pid = await this.slots.start(TREE_NAMES.evaluationWorkers, [d]);
                  return callActor<ShardResult>(this.kernel, pid, { type: 'execute' }, 'infinity');
                }),
              ),
            );
      const ordered = results.sort((a, b) => a.shard - b.shard);
      const scores = ordered.flatMap((r) => r.scores);
      let offset = 0;
      const failures = ordered.flatMap((r) => {
        const at = offset;
        offset += r.scores.length;
        return (r.failures ?? []).map((f) => ({ index: at + f.index, reason: f.reason }));
      });
      const sum = scores.reduce((s, x) => s + x, 0);
      return {
        evalId,
        program,
        metric:
          typeof request.metric === 'string' ? request.metric : request.metric.name || 'metric',
        score: scores.length === 0 ? 0 : pythonRound((100 * sum) / scores.length, 2),
        total: scores.length,
        errors: results.reduce((s, r) => s + r.errors, 0),
        failures,
        scores,
        shards,
        ...(source.link === undefined ? {} : { dataset: source.link }),
      };
    } finally {
      if (typeof request.metric !== 'string') this.metricTable.delete(metric);
    }
  }

  async optimize(program: string, request: OptimizeRequest): Promise<{ runId: string }> {
    this.assertOpen();
    const module = this.catalog.get(program);
    this.catalog.extensions.check('optimizers', request.optimizer);
    const train = await requestExamples(
      this.store,
      { examples: request.trainset, ...datasetOf(request.dataset, request.split) },
      'trainset',
    );
    const val =
      request.valset === undefined && request.valDataset === undefined
        ? undefined
        : await requestExamples(
            this.store,
            { examples: request.valset, ...datasetOf(request.valDataset, request.valSplit) },
            'valset',
          );
    const inputKeys = request.inputKeys ?? train.inputKeys ?? firstPredictorInputs(module);
    const params = JSON.parse(JSON.stringify(request.params ?? {})) as JsonObject;
    const run = await this.store.optimizationRuns.create({
      program,
      optimizer: request.optimizer,
      params,
      ...(train.link === undefined ? {} : { dataset: train.link }),
      ...(val?.link === undefined ? {} : { valDataset: val.link }),
    });
    const data = {
      runId: run.id,
      program,
      optimizer: request.optimizer,
      trainset: toExampleData(train.examples, inputKeys),
      ...(val === undefined ? {} : { valset: toExampleData(val.examples, inputKeys) }),
      params,
    };
    await this.publish(this.queues.optimize, data as unknown as JsonObject, (traced) =>
      this.transport.enqueue(this.queues.optimize, traced, {
        jobId: run.id,
        attempts: this.jobOptions.attempts,
        backoff: this.jobOptions.backoff,
      }),
    );
    return { runId: run.id };
  }

  optimizationRun(runId: string): Promise<OptimizationRun | undefined> {
    return this.store.optimizationRuns.find(runId);
  }

  async cancelOptimization(runId: string): Promise<OptimizationRun> {
    const run = await this.store.optimizationRuns.get(runId);
    const updated = ['queued', 'running'].includes(run.status)
      ? await this.store.optimizationRuns.update(runId, { status: 'cancelled' })
      : run;
    const pid = this.deps.optimizers.get(runId);
    if (pid !== undefined) this.kernel.cast(pid, { type: 'cancel' });
    return updated;
  }

  inspect(): RuntimeSnapshot {
    const bridgeQueue: Record<string, string> = {
      [TREE_NAMES.runBridge]: this.queues.run,
      [TREE_NAMES.evalBridge]: this.queues.eval,
      [TREE_NAMES.optimizeBridge]: this.queues.optimize,
    };
    const tree = toRuntimeNode(this.kernel.inspect(this.root), {
      byId: (id) => {
        const queue =
          bridgeQueue[id] ??
          [...this.pipelines.values()].find((p) => p.bridge.id === id)?.runner.queue;
        if (queue !== undefined)
          return { inFlight: this.queueInFlight.get(queue) ?? 0, details: { queue } };
        if (id === 'client-pool') {
          const snap = this.pool.snapshot();
          return { inFlight: snap.keys.reduce((s, k) => s + k.inFlight, 0), details: { ...snap } };
        }
        return undefined;
      },
      byPid: (pid) => this.workerJobs.get(pid),
      crashes: (id) => this.childCrashes.get(id) ?? 0,
    });
    return {
      nodeId: this.nodeId,
      mode: this.mode,
      startedAt: this.startedAt,
      programs: this.programs(),
      programsVersion: this.programsVersion(),
      tree,
    };
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  metrics(): Promise<string> {
    return this.metricsRegistry.render();
  }

  async drain(deadlineMs: number): Promise<void> {
    if (!this.draining) this.emit({ type: 'runtime', phase: 'draining' });
    this.draining = true;
    const bridges = [
      TREE_NAMES.runBridge,
      TREE_NAMES.evalBridge,
      TREE_NAMES.optimizeBridge,
      ...[...this.pipelines.values()].map((p) => p.bridge.id),
    ];
    const deadline = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, deadlineMs);
      t.unref?.();
    });
    const work = Promise.all([
      ...bridges.map((b) =>
        this.kernel.whereis(b) === undefined
          ? Promise.resolve()
          : this.kernel.call(b, { type: 'drain' }, { timeout: 'infinity' }).catch(() => undefined),
      ),
      ...[...this.inFlightRuns].map((p) => p.catch(() => undefined)),
    ]);
    await Promise.race([work, deadline]);
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.drain(this.config.shutdown.drainTimeoutMs);
      this.slots.close();
      await this.root.stop('shutdown');
      for (const c of [...this.cleanups].reverse()) {
        try {
          await c();
        } catch (e) {
          this.logger.warn({ err: e }, 'runtime cleanup failed');
        }
      }
      this.emit({ type: 'runtime', phase: 'stopped' });
    })();
    return this.stopped;
  }
}
