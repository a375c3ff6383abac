import type { Logger } from 'pino';
import type { Metric } from '../src/evaluate/index.js';
import type { Clock, Kernel } from '../src/kernel/index.js';
import type { LM } from '../src/lm/types.js';
import type { Example, Module } from '../src/modules/index.js';
import type { OptimizerProgress } from '../src/optimizers/index.js';
import type { CircuitBreakerConfig } from '../src/resilience/index.js';
import type {
  DatasetLink,
  Evaluation,
  EvaluationStatus,
  OptimizationRun,
  Store,
} from '../src/store/index.js';
import type { BackoffOptions, Transport } from '../src/transport/index.js';
import type {
  ProgramConfig,
  RunResult,
  RuntimeEvent as RuntimeEventContract,
  RuntimeSnapshot,
  RuntimeLifecycle,
  ProgramRunner,
  RegisteredNamesView,
} from '../src/contracts/index.js';
import type { ProgramsVersion } from '../services/index.js';
import type { ReloadOutcome } from './programs-reload.js';
import type { PipelineEntry } from './pipelines.js';
import type {
  DeployOutcome,
  DeployTarget,
  ProgramVariables,
  VariableSearchOutcome,
  VariableSearchRequest,
} from './runtime-variables.js';

// The job results, run options, snapshot and events are contracts (src/contracts), shared with the
// CLI, daemon and HTTP API; these names stay the runtime's public ones.
export type {
  LocalRunOptions,
  RunOptions,
  RunResult,
  RunStreamEvent,
  RuntimeNode,
  RuntimeSnapshot,
} from '../src/contracts/index.js';

/** Events of {@link Runtime.subscribe} (`at` is the runtime clock's time), with the optimizers' progress. */
export type RuntimeEvent = RuntimeEventContract<OptimizerProgress>;

/** Options of {@link Runtime.evaluate}. */
export interface EvaluateRequest {
  /** Examples: `Example`s with inputs marked, or plain records with `inputKeys`. */
  devset?: readonly (Example | Record<string, unknown>)[];
  /**
   * A stored dataset instead of `devset`: `name` or `name@version` (read from the runtime's store;
   * its `inputKeys` apply unless `inputKeys` is given), or, beside a `devset` read from one, the
   * link to record. The summary names the version and hash used.
   */
  dataset?: string | DatasetLink;
  /** With a `dataset` name: evaluate only this split of it. */
  split?: string;
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
  /** The dataset version evaluated, when the request named one. */
  dataset?: DatasetLink;
}

/** Options of {@link Runtime.optimize}. */
export interface OptimizeRequest {
  /** `labeled-few-shot`, `bootstrap-few-shot` or `random-search`. */
  optimizer: string;
  trainset?: readonly (Example | Record<string, unknown>)[];
  valset?: readonly (Example | Record<string, unknown>)[];
  /**
   * A stored dataset instead of `trainset` (`name[@version]`, read from the runtime's store), or
   * the link of the dataset `trainset` was read from. The run record keeps the version and hash.
   */
  dataset?: string | DatasetLink;
  /** With a `dataset` name: train on this split of it. */
  split?: string;
  /** Like `dataset`, for the valset (a name, or the link of `valset`). */
  valDataset?: string | DatasetLink;
  /** With a `valDataset` name: validate on this split of it. */
  valSplit?: string;
  inputKeys?: readonly string[];
  /** Optimizer options (JSON), plus `metric` (a metric name) and `deploy` (default true). */
  params?: Record<string, unknown>;
}

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
export interface Runtime extends RuntimeLifecycle<RuntimeSnapshot, RuntimeEvent>, ProgramRunner {
  readonly transport: Transport;
  readonly store: Store;
  /** The node's kernel (advanced: `whereis`, `call`, `monitor` on the tree's named actors). */
  readonly kernel: Kernel;
  /** Waits for a `dspex-run` job's return value (rejects with the transport's `job_failed`). */
  waitForJob(jobId: string, timeoutMs?: number): Promise<RunResult>;
  /** Evaluates a program; shards are jobs (named metric) or local workers (function metric). */
  evaluate(program: string, request: EvaluateRequest): Promise<EvaluationSummary>;
  /** An evaluation's record (id = the summary's `evalId`), or undefined. */
  evaluation(evalId: string): Promise<Evaluation | undefined>;
  /** Evaluation records, newest first (at most `limit`, default 50), of one program or all. */
  listEvaluations(query?: {
    program?: string;
    status?: EvaluationStatus;
    limit?: number;
  }): Promise<Evaluation[]>;
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
  /**
   * Hot reload: loads the programs module (and plugins) again under a new URL, validates it fully
   * and only then swaps it in: new jobs use the new code, executions in flight finish on the old
   * programs; a version that fails to load leaves the old one serving (`ok: false` with the error).
   */
  reload(): Promise<ReloadOutcome>;
  /** The programs-module version served now (number, content hash, loadedAt, last reload error). */
  programsVersion(): ProgramsVersion;
  /**
   * The optimizer and metric names this node accepts now (built-ins and the programs module's;
   * read on every call: a hot reload may change them).
   */
  registeredNames(): RegisteredNamesView;
}

export type { Module, ProgramsVersion, ReloadOutcome };
