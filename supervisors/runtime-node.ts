import { VARIABLE_REGISTRY, type ConfigVersion, type ProgramConfig } from '../actors/index.js';
import {
  callActor,
  unknownProgram,
  type ProgramCatalog,
  type ProgramsVersion,
} from '../services/index.js';
import type { Kernel } from '../src/kernel/index.js';
import type { Evaluation, EvaluationStatus, OptimizationRun, Store } from '../src/store/index.js';
import type { Transport } from '../src/transport/index.js';
import { EvaluationService } from './evaluation-service.js';
import type { HandlerDeps } from './job-handlers.js';
import type { NodeServices } from './node-services.js';
import { OptimizationService } from './optimize-service.js';
import type { ReloadOutcome } from './programs-reload.js';
import { RunService } from './run-service.js';
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
import type { RegisteredNamesView } from '../src/contracts/index.js';
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

/**
 * The running runtime (see {@link Runtime}): a thin front over the node's services (runs,
 * evaluations, optimizations, variables), built by `startRuntime` (runtime.ts) from one
 * {@link NodeServices} record. @internal
 */
export class RuntimeNodeImpl implements Runtime {
  private readonly runs: RunService;
  private readonly evaluations: EvaluationService;
  private readonly optimizations: OptimizationService;
  private readonly variableNode: VariableNode;
  private stopped: Promise<void> | undefined;

  constructor(readonly services: NodeServices) {
    this.runs = new RunService(services);
    this.evaluations = new EvaluationService(services);
    this.optimizations = new OptimizationService(services);
    const lm = services.workers.defaultLm;
    this.variableNode = {
      kernel: services.kernel,
      store: services.store,
      catalog: services.catalog,
      metricTable: services.metricTable,
      ...(lm === undefined ? {} : { defaultLm: lm }),
      submit: (program, request) => this.optimize(program, request),
    };
  }

  get nodeId(): string {
    return this.services.nodeId;
  }
  get mode(): 'embedded' | 'redis' {
    return this.services.mode;
  }
  get startedAt(): number {
    return this.services.startedAt;
  }
  get kernel(): Kernel {
    return this.services.kernel;
  }
  get transport(): Transport {
    return this.services.transport;
  }
  get store(): Store {
    return this.services.store;
  }
  get catalog(): ProgramCatalog {
    return this.services.catalog;
  }
  get queues(): TreeQueues {
    return this.services.queues;
  }
  get slots(): WorkerSlots {
    return this.services.slots;
  }
  /** The job handlers' dependencies (tests drive a handler with them). */
  get deps(): HandlerDeps {
    return this.services.handlers;
  }

  programs(): string[] {
    return this.services.catalog.names();
  }

  reload(): Promise<ReloadOutcome> {
    return this.services.reloader.reload();
  }

  programsVersion(): ProgramsVersion {
    return this.services.catalog.version;
  }

  registeredNames(): RegisteredNamesView {
    return {
      optimizers: this.services.catalog.extensions.names('optimizers'),
      // `local-…` entries are the function metrics of evaluations running now, not names.
      metrics: [...this.services.metricTable.keys()].filter((m) => !m.startsWith('local-')).sort(),
    };
  }

  run(program: string, inputs: Record<string, unknown>, opts?: LocalRunOptions) {
    return this.runs.run(program, inputs, opts);
  }

  stream(
    program: string,
    inputs: Record<string, unknown>,
    opts?: LocalRunOptions,
  ): AsyncIterable<RunStreamEvent> {
    return this.runs.stream(program, inputs, opts);
  }

  submit(
    program: string,
    inputs: Record<string, unknown>,
    opts?: RunOptions,
  ): Promise<{ jobId: string }> {
    return this.runs.submit(program, inputs, opts);
  }

  waitForJob(jobId: string, timeoutMs?: number): Promise<RunResult> {
    return this.runs.waitForJob(jobId, timeoutMs);
  }

  runPipeline(
    name: string,
    input: Record<string, unknown>,
    options?: { runId?: string; timeoutMs?: number },
  ): Promise<{ runId: string; outputs: Record<string, RunResult> }> {
    return this.runs.runPipeline(name, input, options);
  }

  async configure(program: string, config: ProgramConfig): Promise<{ revision: number }> {
    const { catalog, kernel } = this.services;
    if (!catalog.has(program)) throw unknownProgram(program, catalog.names());
    const v = await callActor<ConfigVersion>(kernel, VARIABLE_REGISTRY, {
      type: 'set',
      program,
      config,
    });
    return { revision: v.revision };
  }

  variables(program: string): Promise<ProgramVariables> {
    return programVariables(this.variableNode, program);
  }

  deploy(program: string, target: DeployTarget): Promise<DeployOutcome> {
    return deploy(this.variableNode, program, target);
  }

  searchVariables(program: string, request: VariableSearchRequest): Promise<VariableSearchOutcome> {
    this.services.intake.assertOpen();
    return searchVariables(this.variableNode, program, request);
  }

  evaluate(program: string, request: EvaluateRequest): Promise<EvaluationSummary> {
    return this.evaluations.evaluate(program, request);
  }

  evaluation(evalId: string): Promise<Evaluation | undefined> {
    return this.services.store.evaluations.find(evalId);
  }

  async listEvaluations(
    query: { program?: string; status?: EvaluationStatus; limit?: number } = {},
  ): Promise<Evaluation[]> {
    return (await this.services.store.evaluations.list({ limit: 50, ...query })).items;
  }

  optimize(program: string, request: OptimizeRequest): Promise<{ runId: string }> {
    return this.optimizations.optimize(program, request);
  }

  optimizationRun(runId: string): Promise<OptimizationRun | undefined> {
    return this.optimizations.optimizationRun(runId);
  }

  cancelOptimization(runId: string): Promise<OptimizationRun> {
    return this.optimizations.cancelOptimization(runId);
  }

  inspect(): RuntimeSnapshot {
    const { kernel, root, queues, pipelines, pool, activity } = this.services;
    const bridgeQueue: Record<string, string> = {
      [TREE_NAMES.runBridge]: queues.run,
      [TREE_NAMES.evalBridge]: queues.eval,
      [TREE_NAMES.optimizeBridge]: queues.optimize,
    };
    const tree = toRuntimeNode(kernel.inspect(root), {
      byId: (id) => {
        const queue =
          bridgeQueue[id] ?? [...pipelines.values()].find((p) => p.bridge.id === id)?.runner.queue;
        if (queue !== undefined) return { inFlight: activity.inFlight(queue), details: { queue } };
        if (id === 'client-pool') {
          const snap = pool.snapshot();
          return { inFlight: snap.keys.reduce((s, k) => s + k.inFlight, 0), details: { ...snap } };
        }
        return undefined;
      },
      byPid: (pid) => activity.workerJob(pid),
      crashes: (id) => activity.crashes(id),
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
    return this.services.events.subscribe(listener);
  }

  metrics(): Promise<string> {
    return this.services.metrics.render();
  }

  async drain(deadlineMs: number): Promise<void> {
    const { intake, events, kernel, pipelines } = this.services;
    if (!intake.closed) events.emit({ type: 'runtime', phase: 'draining' });
    intake.close();
    const bridges = [
      TREE_NAMES.runBridge,
      TREE_NAMES.evalBridge,
      TREE_NAMES.optimizeBridge,
      ...[...pipelines.values()].map((p) => p.bridge.id),
    ];
    const deadline = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, deadlineMs);
      t.unref?.();
    });
    const work = Promise.all([
      ...bridges.map((b) =>
        kernel.whereis(b) === undefined
          ? Promise.resolve()
          : kernel.call(b, { type: 'drain' }, { timeout: 'infinity' }).catch(() => undefined),
      ),
      ...intake.running().map((p) => p.catch(() => undefined)),
    ]);
    await Promise.race([work, deadline]);
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      const { config, slots, root, cleanups, logger, events } = this.services;
      await this.drain(config.shutdown.drainTimeoutMs);
      slots.close();
      await root.stop('shutdown');
      await cleanups.run((e) => logger.warn({ err: e }, 'runtime cleanup failed'));
      events.emit({ type: 'runtime', phase: 'stopped' });
    })();
    return this.stopped;
  }
}
