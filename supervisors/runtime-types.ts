import type { Logger } from 'pino';
import type { Metric } from '../src/evaluate/index.js';
import type { Clock, Kernel } from '../src/kernel/index.js';
import type { LM } from '../src/lm/types.js';
import type { Example, Module } from '../src/modules/index.js';
import type { OptimizerProgress } from '../src/optimizers/index.js';
import type { CircuitBreakerConfig, CircuitState } from '../src/resilience/index.js';
import type { OptimizationRun, Store } from '../src/store/index.js';
import type { BackoffOptions, Transport } from '../src/transport/index.js';
import type { FieldDelta, ProgramConfig, ProgramsVersion } from '../actors/index.js';
import type { ReloadOutcome } from './programs-reload.js';
import type { PipelineEntry } from './pipelines.js';
import type {
  DeployOutcome,
  DeployTarget,
  ProgramVariables,
  VariableSearchOutcome,
  VariableSearchRequest,
} from './runtime-variables.js';

/** The return value of a `dspex-run` job (DESIGN §5). */
export interface RunResult {
  outputs: Record<string, unknown>;
  executionId: string;
  usage: Record<string, unknown>;
}

/** Options of `run` and `submit`. */
export interface RunOptions {
  /** Optimized state version to run (default: the variable registry's). */
  version?: string;
  /** Per-run configuration overrides (`ProgramConfig` fields: model, temperature, …). */
  config?: Record<string, unknown>;
}

/** Options of {@link Runtime.run} and {@link Runtime.stream} (local runs). */
export interface LocalRunOptions extends RunOptions {
  /** Aborts the run: its LM calls stop and it fails (e.g. an HTTP request's deadline). */
  signal?: AbortSignal;
}

/**
 * What {@link Runtime.stream} yields: field deltas (`type: 'delta'`, as the LM streams them), then
 * one `type: 'result'` with the run's result.
 */
export type RunStreamEvent = FieldDelta | { type: 'result'; result: RunResult };

/** Options of {@link Runtime.evaluate}. */
export interface EvaluateRequest {
  /** Examples: `Example`s with inputs marked, or plain records with `inputKeys`. */
  devset: readonly (Example | Record<string, unknown>)[];
  /** Input field names of plain-record examples. */
  inputKeys?: readonly string[];
  /**
   * A metric name every node knows (built-ins `exact_match`, `passage_match`, the runtime's
   * `metrics` option, the programs module's `metrics` export): shards run as jobs on any node.
   * A function runs the shards on this node only, through its evaluation workers.
   */
  metric: string | Metric;
  /** Examples evaluated at once per shard (default 4). */
  concurrency?: number;
  /** Number of shards (default 1). */
  shards?: number;
  /** Max time to wait for all shards, ms (default 10 minutes). */
  timeoutMs?: number;
}

/** What {@link Runtime.evaluate} returns. */
export interface EvaluationSummary {
  evalId: string;
  program: string;
  metric: string;
  /** DSPy's score: `round(100 × Σscores / n, 2)`. */
  score: number;
  total: number;
  errors: number;
  /** The examples that raised an error (devset index) and why, in devset order. */
  failures: { index: number; reason: string }[];
  /** Per-example metric values, in devset order. */
  scores: number[];
  shards: number;
}

/** Options of {@link Runtime.optimize}. */
export interface OptimizeRequest {
  /** `labeled-few-shot`, `bootstrap-few-shot` or `random-search`. */
  optimizer: string;
  trainset: readonly (Example | Record<string, unknown>)[];
  valset?: readonly (Example | Record<string, unknown>)[];
  inputKeys?: readonly string[];
  /** Optimizer options (JSON), plus `metric` (a metric name) and `deploy` (default true). */
  params?: Record<string, unknown>;
}

/** One node of {@link RuntimeSnapshot.tree}. */
export interface RuntimeNode {
  id: string;
  kind: 'supervisor' | 'worker';
  status: 'running' | 'restarting' | 'stopped' | 'dead';
  /** The actor's xstate state value. */
  state?: unknown;
  restarts: number;
  /** Work in progress: pending calls, jobs in a bridge, or children of a worker supervisor. */
  inFlight: number;
  startedAt?: number;
  pid?: string;
  /** Actor-specific details (client-pool circuits, a program worker's job, a bridge's queue). */
  details?: Record<string, unknown>;
  children?: RuntimeNode[];
}

/** What {@link Runtime.inspect} returns (`dspex inspect --json`). */
export interface RuntimeSnapshot {
  nodeId: string;
  mode: 'embedded' | 'redis';
  startedAt: number;
  programs: string[];
  /** The programs-module version this node serves (hot reload: `dspex reload`). */
  programsVersion?: ProgramsVersion;
  tree: RuntimeNode;
}

/** Events of {@link Runtime.subscribe}. `at` is the runtime clock's time. */
export type RuntimeEvent = { at: number } & (
  | { type: 'child_started'; supervisor: string; id: string; pid: string }
  | { type: 'child_exited'; supervisor: string; id: string; pid: string; reason: string }
  | { type: 'child_restarted'; supervisor: string; id: string }
  | {
      type: 'supervisor_report';
      supervisor: string;
      errorContext: string;
      reason: string;
      offender: string;
    }
  | {
      type: 'job';
      queue: string;
      jobId: string;
      phase: 'started' | 'completed' | 'failed';
      reason?: string;
    }
  | {
      type: 'execution';
      phase: 'started' | 'succeeded' | 'failed';
      jobId: string;
      program: string;
      executionId: string;
      error?: string;
    }
  | { type: 'config_changed'; program: string; revision: number; config: ProgramConfig }
  | { type: 'circuit'; key: string; from: CircuitState; to: CircuitState }
  | { type: 'evaluation_progress'; evalId: string; shard: number; done: number; total: number }
  | { type: 'optimization_progress'; runId: string; progress: OptimizerProgress }
  | { type: 'runtime'; phase: 'started' | 'draining' | 'stopped' }
  | { type: 'programs_reloaded'; version: number; hash: string; previous: number }
  | { type: 'programs_reload_failed'; version: number; error: string }
);

/** Options of `startRuntime` (everything optional; the config decides the rest). */
export interface RuntimeOptions {
  /** Root logger (default: pino at the config's `logLevel`). */
  logger?: Logger;
  /** Kernel clock (supervisor windows, call timeouts, actor delays). Default: real time. */
  clock?: Clock;
  /** A transport to use instead of the one the mode implies (not closed by `stop`). */
  transport?: Transport;
  /** A store to use instead of the one the mode implies (not closed by `stop`). */
  store?: Store;
  /** Node id (default: config `node.id`, else `<hostname>-<pid>-<random>`). */
  nodeId?: string;
  /** Default LM of programs that have none (default: the one the programs module `configure()`d). */
  lm?: LM;
  /** Metrics by name, added to the built-ins. */
  metrics?: Record<string, Metric>;
  /** Attempts and backoff of submitted `dspex-run` jobs (default 3, exponential from 1 s). */
  jobs?: { attempts?: number; backoff?: BackoffOptions };
  /** Circuit breaker of the client pool (default 5 failures, 30 s open, 1 probe). */
  breaker?: CircuitBreakerConfig;
  /**
   * Pipelines: DAGs of programs, or `Pipeline` modules; each stage is a job (queue
   * `dspex-pipeline-<name>`) any node may run. Added to the programs module's `pipelines` export.
   */
  pipelines?: Record<string, PipelineEntry>;
  /**
   * Route asynchronous faults (a program's timer throwing, an unhandled rejection) to the execution
   * they came from instead of letting them end the process (default true; the handlers are
   * process-wide and removed by `stop()`).
   */
  trapFaults?: boolean;
  /** Queue names of evaluation shards and optimization runs (defaults `dspex-eval`, `dspex-optimize`). */
  queues?: { eval?: string; optimize?: string };
}

/**
 * The embedding contract: a running supervision tree hosting the programs, fed by the queues.
 *
 * @example
 * ```ts
 * const rt = await startRuntime({ programs: { qa: new Predict('question -> answer') } });
 * const { outputs } = await rt.run('qa', { question: 'What is 2+2?' });
 * console.log(JSON.stringify(rt.inspect().tree, null, 2));
 * await rt.stop();
 * ```
 */
export interface Runtime {
  readonly nodeId: string;
  readonly mode: 'embedded' | 'redis';
  readonly transport: Transport;
  readonly store: Store;
  /** The node's kernel (advanced: `whereis`, `call`, `monitor` on the tree's named actors). */
  readonly kernel: Kernel;
  /** Runs a program through the tree on this node (a program worker), not through the queue. */
  run(program: string, inputs: Record<string, unknown>, opts?: LocalRunOptions): Promise<RunResult>;
  /**
   * Runs a program through the tree on this node, streaming: the pieces of every output field as
   * the LM streams them, then the result (a cached answer yields the result alone).
   */
  stream(
    program: string,
    inputs: Record<string, unknown>,
    opts?: LocalRunOptions,
  ): AsyncIterable<RunStreamEvent>;
  /** Enqueues a `dspex-run` job (any node may take it). */
  submit(
    program: string,
    inputs: Record<string, unknown>,
    opts?: RunOptions,
  ): Promise<{ jobId: string }>;
  /** Waits for a `dspex-run` job's return value (rejects with the transport's `job_failed`). */
  waitForJob(jobId: string, timeoutMs?: number): Promise<RunResult>;
  /** Evaluates a program; shards are jobs (named metric) or local workers (function metric). */
  evaluate(program: string, request: EvaluateRequest): Promise<EvaluationSummary>;
  /** Starts an optimization run as a job; progress in the store and as events. */
  optimize(program: string, request: OptimizeRequest): Promise<{ runId: string }>;
  /** The run's record (status, progress, best score, history, result), or undefined. */
  optimizationRun(runId: string): Promise<OptimizationRun | undefined>;
  /** Cancels a run: marked cancelled in the store; its worker stops at its next progress event. */
  cancelOptimization(runId: string): Promise<OptimizationRun>;
  /**
   * Runs a declared pipeline: its stages are jobs (so they may run on several nodes); resolves with
   * the sink stages' results once the run completes.
   */
  runPipeline(
    name: string,
    input: Record<string, unknown>,
    options?: { runId?: string; timeoutMs?: number },
  ): Promise<{ runId: string; outputs: Record<string, RunResult> }>;
  /** Sets a program's configuration in the variable registry (a new version; workers notified). */
  configure(program: string, config: ProgramConfig): Promise<{ revision: number }>;
  /** The program's variable space (names, kinds, ranges, defaults, overridable) and what it serves. */
  variables(program: string): Promise<ProgramVariables>;
  /**
   * Deploys a stored configuration (a front point) and/or a published version; in Redis mode every
   * node serves it from its next execution, without a restart.
   */
  deploy(program: string, target: DeployTarget): Promise<DeployOutcome>;
  /**
   * Searches the program's variable space for the Pareto front of quality against cost (and
   * latency) on this node; stores each front point as a configuration `deploy` can take.
   */
  searchVariables(program: string, request: VariableSearchRequest): Promise<VariableSearchOutcome>;
  programs(): string[];
  /**
   * Hot reload: loads the programs module (and plugins) again under a new URL, validates it fully
   * and only then swaps it in: new jobs use the new code, executions in flight finish on the old
   * programs; a version that fails to load leaves the old one serving (`ok: false` with the error).
   */
  reload(): Promise<ReloadOutcome>;
  /** The programs-module version served now (number, content hash, loadedAt, last reload error). */
  programsVersion(): ProgramsVersion;
  inspect(): RuntimeSnapshot;
  subscribe(listener: (event: RuntimeEvent) => void): () => void;
  /** Prometheus text exposition of the node's metrics. */
  metrics(): Promise<string>;
  /** Stops intake (queues and `run`), waits for in-flight work up to `deadlineMs`. */
  drain(deadlineMs: number): Promise<void>;
  /** Drains (config `shutdown.drainTimeoutMs`), then stops the tree in reverse start order. */
  stop(): Promise<void>;
}

export type { Module, ProgramsVersion, ReloadOutcome };
