/**
 * The runtime surfaces the CLI, the daemon and the HTTP API drive, written once (they used to keep
 * shadow "View" copies). Each is a structural subset of the `Runtime` that `startRuntime` returns,
 * so src/cli, src/daemon and src/http never import the framework, actors/ or supervisors/, and any
 * object of that shape (a test fake) can be served. Fields read from JSON (another node's
 * heartbeat, a queue) are typed loosely on purpose.
 */
import type { runJobSchema, RunOptions, RunResult } from './jobs.js';
import type {
  LocalRunOptions,
  ProgramsVersion,
  ReloadOutcomeOf,
  RunStreamEvent,
} from './runtime.js';

/** One node of a supervision tree snapshot (DESIGN §5: at least id, kind, status, restarts, children). */
export interface TreeNodeView {
  readonly id: string;
  /** 'supervisor' or 'worker'. */
  readonly kind: string;
  readonly status: string;
  readonly restarts: number;
  /** Supervisors: abnormal exits of their children (a temporary worker's crash is no restart). */
  readonly crashes?: number;
  /** The actor's state-machine state (xstate snapshot value), when it has one. */
  readonly state?: unknown;
  /** Work in progress in this actor (executions, calls waiting for a reply). */
  readonly inFlight?: number;
  /** The kernel's name for in-flight calls, read when `inFlight` is absent. */
  readonly inFlightCalls?: number;
  /** Epoch ms at which the current process started. */
  readonly startedAt?: number;
  /** Actor-specific details (the client pool's `keys`: per-model circuit and load). */
  readonly details?: unknown;
  readonly children?: readonly TreeNodeView[];
}

/** A snapshot of one runtime node: identity and its supervision tree. */
export interface RuntimeSnapshotView {
  readonly nodeId: string;
  readonly mode: 'embedded' | 'redis';
  /** Epoch ms. */
  readonly startedAt: number;
  readonly tree: TreeNodeView;
}

/** A runtime event (supervision reports, executions, progress…): a `type` plus JSON fields. */
export interface RuntimeEventView {
  readonly type: string;
}

/** A job of a queue as the dashboard lists it (the transport's `JobInfo`, structurally). */
export interface JobView {
  readonly id: string;
  readonly queue: string;
  readonly data: unknown;
  readonly state: string;
  readonly attemptsMade: number;
  readonly attempts: number;
  readonly failedReason?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly finishedAt?: number;
}

/** A queued `dspex-run` job as `GET /v1/jobs/:id` shows it. */
export interface JobStatusView {
  id: string;
  state: string;
  attemptsMade: number;
  attempts: number;
  /** The run's result once completed. */
  result?: unknown;
  failedReason?: string;
  /** Epoch ms. */
  createdAt: number;
  finishedAt?: number;
}

/** An optimization run's record (the store's `OptimizationRun`, structurally). */
export interface OptimizationRunView {
  readonly id: string;
  readonly program: string;
  readonly optimizer: string;
  readonly status: string;
  readonly progress: { readonly done: number; readonly total: number };
  readonly bestScore: number | null;
  /** Scored trials; `at` is an ISO timestamp. */
  readonly history: readonly {
    readonly step: number;
    readonly score: number;
    readonly at: string;
  }[];
  /** Spend so far. */
  readonly spend?: { lmCalls: number; metricCalls: number; usd: number } | undefined;
  readonly result?: unknown;
  readonly error?: unknown;
  /** ISO timestamps. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An optimization run as `dspex optimize` follows it (the part of {@link OptimizationRunView} it reads). */
export type OptimizationProgressView = Pick<
  OptimizationRunView,
  'status' | 'progress' | 'bestScore' | 'spend' | 'result' | 'error'
> & {
  /** Scored trials so far. */
  readonly history?: readonly { readonly step: number; readonly score: number }[];
};

/** The read side of a runtime's job transport the dashboard uses (`Transport`, structurally). */
export interface JobListingView {
  /** Jobs of `queue` in `state`, newest first. */
  listJobs(
    queue: string,
    state: 'waiting' | 'delayed' | 'active' | 'completed' | 'failed',
    options?: { limit?: number },
  ): Promise<readonly JobView[]>;
}

/**
 * An evaluation record (the store's `Evaluation`, structurally: the fields the dashboard reads;
 * its API sends the whole record).
 */
export interface EvaluationView {
  readonly id: string;
  readonly program: string;
  readonly version?: string | undefined;
  readonly dataset?:
    | { readonly name: string; readonly version: string; readonly split?: string | undefined }
    | undefined;
  readonly metric: string;
  readonly status: string;
  /** Percent; `null` until it finishes (or when nothing was scored). */
  readonly score: number | null;
  /** Examples scored, and how many of them raised an error. */
  readonly counts: { readonly total: number; readonly errors: number };
  /** Per-example results (the first ones the store keeps). */
  readonly examples: readonly { readonly index: number; readonly score: number }[];
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly finishedAt?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The read side of a runtime's store the dashboard uses (`Store`, structurally). */
export interface RunStoreView {
  readonly optimizationRuns: {
    list(query?: { limit?: number }): Promise<{ items: readonly OptimizationRunView[] }>;
    find(id: string): Promise<OptimizationRunView | undefined>;
  };
  readonly evaluations: {
    list(query?: { limit?: number }): Promise<{ items: readonly EvaluationView[] }>;
    find(id: string): Promise<EvaluationView | undefined>;
  };
}

/** An evaluation as a client asks it (a metric by name: shards run on any node). */
export interface EvaluateRequestData {
  /** Examples as plain records (a JSONL line each). */
  devset: Record<string, unknown>[];
  /** A metric name from the node's metric table. */
  metric: string;
  /** Which fields of each example are inputs (default: the program's signature inputs). */
  inputKeys?: string[];
  concurrency?: number;
  /** Shards (jobs) the devset is split into. */
  shards?: number;
  /** The dataset version `devset` was read from (echoed in the summary). */
  dataset?: DatasetLinkView;
}

/** An evaluation of a stored dataset (`name` or `name@version`, one `split`), resolved on the node. */
export type DatasetEvaluateRequestData = Omit<EvaluateRequestData, 'devset' | 'dataset'> & {
  dataset: string;
  split?: string;
};

/** An optimization run on stored datasets (`name` or `name@version`), resolved on the node. */
export type DatasetOptimizeRequestData = Omit<
  OptimizeRequestData,
  'trainset' | 'valset' | 'dataset' | 'valDataset'
> & { dataset: string; split?: string; valDataset?: string; valSplit?: string };

/** A dataset version a run or evaluation used (the store's DatasetLink, structurally). */
export interface DatasetLinkView {
  name: string;
  version: string;
  hash: string;
  split?: string | undefined;
}

/** An optimization run as a client asks it. */
export interface OptimizeRequestData {
  optimizer: string;
  trainset: Record<string, unknown>[];
  valset?: Record<string, unknown>[];
  inputKeys?: string[];
  params?: Record<string, unknown>;
  /** The dataset version `trainset` was read from (kept on the run record). */
  dataset?: DatasetLinkView;
  /** The dataset version `valset` was read from. */
  valDataset?: DatasetLinkView;
}

/** One variable of a program's space, as `dspex variables` prints it. */
export interface VariableView {
  name: string;
  kind: string;
  description?: string;
  default?: number | string | boolean | null;
  range?: [number, number];
  step?: number;
  grid?: number[];
  choices?: (number | string | boolean | null)[];
  dependencies: string[];
  tunable: boolean;
  overridable: boolean;
}

/** What `dspex optimize --objectives` asks of the runtime (a search over the program's variables). */
export interface VariableSearchRequestView {
  trainset: Record<string, unknown>[];
  valset?: Record<string, unknown>[];
  inputKeys?: string[];
  metric: string;
  objectives: ('quality' | 'cost' | 'latency')[];
  constraints?: string[];
  budget?: { evaluations?: number; lmCalls?: number; dollars?: number };
  seed?: number;
  select?: 'best-quality' | 'cheapest' | 'fastest' | { within: number };
  algorithm?: 'pareto' | 'grid' | 'random';
}

/** A stored point of a front (structurally the runtime's `StoredFrontPoint`). */
export interface FrontPointView {
  configurationId: string;
  configuration: Record<string, number | string | boolean | null>;
  quality: number;
  cost: number;
  latency: number;
}

/** What a variable search returns to the CLI. */
export interface VariableSearchView {
  runId: string;
  front: FrontPointView[];
  chosen: FrontPointView | undefined;
  evaluated: unknown[];
  spent: { examples: number; evaluations: number; lmCalls: number; dollars: number };
  budgetExhausted: boolean;
  table: string;
  html: string;
}

/** One hosted program as `GET /v1/programs` lists it. */
export interface ProgramView {
  name: string;
  /**
   * The signature the caller sees (`question -> answer`): the one the program was built from
   * (ReActV2: not its per-turn signature), else its first predictor's; null for a program without one.
   */
  signature: string | null;
  inputs: string[];
  outputs: string[];
  /** The store's active optimized version, or null. */
  activeVersion: string | null;
}

/**
 * A running node's life: identity, programs, snapshot, events, metrics, drain and stop. The
 * `Runtime` of `startRuntime` is one with its own snapshot and event types; the daemon reads the
 * JSON views.
 */
export interface RuntimeLifecycle<Snapshot = RuntimeSnapshotView, Event = RuntimeEventView> {
  readonly nodeId: string;
  readonly mode: 'embedded' | 'redis';
  /** Names of the programs this node hosts. */
  programs(): string[];
  inspect(): Snapshot;
  /** Registers a listener of runtime events; returns the unsubscribe function. */
  subscribe(listener: (event: Event) => void): () => void;
  /** Prometheus text exposition of the node's metrics. */
  metrics(): Promise<string>;
  /** Stops intake (queues and `run`), waits for in-flight work up to `deadlineMs`. */
  drain(deadlineMs: number): Promise<void>;
  /** Drains (config `shutdown.drainTimeoutMs`), then stops the tree in reverse start order. */
  stop(): Promise<void>;
}

/**
 * The programs-module version a node serves, as the daemon and CLI see it: the runtime's
 * {@link ProgramsVersion} (the one declaration of the shape), with `file` optional because a Redis
 * heartbeat leaves the module's path out (it carries no config values).
 */
export type ProgramsVersionView = Readonly<Omit<ProgramsVersion, 'file'>> & {
  readonly file?: string | null;
};

/** What one node's reload did: the runtime's `ReloadOutcome` over {@link ProgramsVersionView}. */
export type ReloadResultView = ReloadOutcomeOf<ProgramsVersionView>;

/**
 * The runtime surface the daemon serves and shuts down. `startRuntime`'s `Runtime` satisfies it.
 *
 * @example
 * ```ts
 * const runtime: DaemonRuntime = await startRuntime(config);
 * await startDaemon({ runtime, config, logger });
 * ```
 */
export interface DaemonRuntime extends RuntimeLifecycle {
  /** The programs-module version served (absent: not reported). */
  programsVersion?(): ProgramsVersionView;
  /**
   * The optimizer and metric names this node accepts in optimization and evaluation requests
   * (built-ins and the programs module's registered ones), advertised in its heartbeat so the CLI
   * refuses an unknown name before a run record exists (absent: not advertised).
   */
  registeredNames?(): RegisteredNamesView;
  /** Hot reload of the programs module (absent: `POST /reload` answers 501). Never rejects. */
  reload?(): Promise<ReloadResultView>;
  /** The job transport, read by the dashboard's job list (absent: the list is empty). */
  readonly transport?: JobListingView;
  /** The store, read by the dashboard's optimization runs (absent: no runs shown). */
  readonly store?: RunStoreView;
}

/** What a node accepts by name (see {@link DaemonRuntime.registeredNames}). */
export interface RegisteredNamesView {
  optimizers: string[];
  metrics: string[];
}

/** Running a program on a node: at once (`run`, `stream`) or as a `dspex-run` job (`submit`). */
export interface ProgramRunner {
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
}

/**
 * The runtime surface the HTTP API serves (`httpRuntimeOf(runtime)` in supervisors/http-port.ts
 * builds it from a `startRuntime` runtime).
 *
 * @example
 * ```ts
 * const api = await startHttpServer({ runtime: httpRuntimeOf(rt), port: 8080, logger });
 * ```
 */
export interface HttpRuntime extends ProgramRunner {
  readonly nodeId: string;
  /** The job schemas request bodies are validated with (`run`: the `dspex-run` job data). */
  readonly schemas: { readonly run: typeof runJobSchema };
  /** Optimizer names `POST /v1/optimizations` accepts. */
  readonly optimizers: readonly string[];
  /**
   * Metric names `POST /v1/evaluations` (`metric`) and `POST /v1/optimizations` (`params.metric`)
   * accept: the built-ins, the programs module's registered ones and the runtime's own.
   */
  readonly metrics: readonly string[];
  /**
   * Why `params` do not fit the built-in `optimizer` (an unknown or mistyped key), or undefined,
   * so a careless request is refused before a run is created.
   */
  optimizerParamsProblem(
    optimizer: string,
    params: Readonly<Record<string, unknown>>,
  ): { key: string; message: string } | undefined;
  /**
   * Why this node would refuse a run job's `version`/`config` (a model it does not allow,
   * `maxTokens` above its limit, a variable the program does not let jobs override), or undefined;
   * checked before `POST …/jobs` queues the job.
   */
  jobConfigProblem(
    program: string,
    opts: { version?: string; config?: Record<string, unknown> },
  ): string | undefined;
  describePrograms(): Promise<ProgramView[]>;
  /** A `dspex-run` job, or undefined when the queue has no job of that id. */
  job(jobId: string): Promise<JobStatusView | undefined>;
  evaluate(
    program: string,
    request: EvaluateRequestData | DatasetEvaluateRequestData,
  ): Promise<unknown>;
  optimize(
    program: string,
    request: OptimizeRequestData | DatasetOptimizeRequestData,
  ): Promise<{ runId: string }>;
  /** An optimization run's record, or undefined. */
  optimizationRun(runId: string): Promise<unknown>;
  /** An evaluation's record (id = the evaluation summary's `evalId`), or undefined. */
  evaluation(evalId: string): Promise<unknown>;
  /** Evaluation records, newest first, optionally of one program and status. */
  listEvaluations(query: { program?: string; status?: string; limit?: number }): Promise<unknown[]>;
  cancelOptimization(runId: string): Promise<unknown>;
  /** This node's program-worker slots: in use now, and the most it runs at once. */
  slots(): Promise<{ busy: number; limit: number }>;
  /** Jobs waiting in the `dspex-run` queue (all nodes). */
  queuedJobs(): Promise<number>;
}

/**
 * The runtime surface the CLI drives: the daemon's {@link DaemonRuntime} plus one-off runs,
 * evaluation and optimization. `startRuntime`'s `Runtime` satisfies it (supervisors/cli-main.ts
 * adds the HTTP view).
 */
export interface CliRuntime extends DaemonRuntime {
  run(program: string, inputs: Record<string, unknown>): Promise<RunResult>;
  evaluate(program: string, request: EvaluateRequestData): Promise<unknown>;
  optimize(program: string, request: OptimizeRequestData): Promise<{ runId: string }>;
  optimizationRun(runId: string): Promise<OptimizationProgressView | undefined>;
  /** The program's variable space (`dspex variables`; optional for runtimes without variables). */
  variables?(program: string): Promise<{ variables: VariableView[]; spaceVersion?: string }>;
  /** A search over the program's variables (`dspex optimize --objectives`). */
  searchVariables?(
    program: string,
    request: VariableSearchRequestView,
  ): Promise<VariableSearchView>;
  /** The runtime as the HTTP API serves it (config `http`); absent: no HTTP API. */
  readonly httpApi?: HttpRuntime;
}

/** What `dspex synthesize` asks for (see the framework's `Synthesizer`). */
export interface SynthesizeRequestView {
  /** Seed examples (a JSONL line each): the style and labels to imitate. */
  seeds: Record<string, unknown>[];
  /** Examples to produce. */
  n: number;
  /** What the task is (default: the program's instructions, then an LM-written explanation). */
  task?: string;
  /** Examples asked of the LM per call (default 5). */
  batchSize?: number;
  /** Seed of the generator's sampling schedule (default 0). */
  seed?: number;
}

/** What `dspex synthesize` reports. */
export interface SynthesizeResultView {
  examples: Record<string, unknown>[];
  /** Generated candidates dropped, by reason (`duplicate`, `invalid`, …). */
  rejected: Record<string, number>;
  lmCalls: number;
  /** Token usage and dollar cost of the calls (cost null when the model's price is unknown). */
  usage: { promptTokens: number; completionTokens: number; cost: number | null };
}

/**
 * Framework tools over the programs module that need no runtime: the graph of a program and
 * example synthesis. Injected by supervisors/cli-main.ts, so src/cli never imports the framework.
 */
export interface ProgramTools {
  /** Program names (the default export's) and `Pipeline` modules of the `pipelines` export. */
  names(): string[];
  /** A Mermaid flowchart of the program's module/stage graph. */
  graph(program: string, options: { direction?: 'TD' | 'LR' }): string;
  synthesize(program: string, request: SynthesizeRequestView): Promise<SynthesizeResultView>;
  /**
   * The fields an example of the program has: its first predictor's inputs and its last
   * predictor's outputs (without a ChainOfThought's reasoning, which labels never hold), as
   * `dspex datasets add --program` validates examples against them.
   */
  fields?(program: string): { inputs: string[]; outputs: string[] };
}
