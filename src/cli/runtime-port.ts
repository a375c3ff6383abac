import type { LoadedConfig } from '../config/index.js';
import type { DaemonRuntime } from '../daemon/index.js';
import type { HttpRuntime } from '../http/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../telemetry/index.js';

/** What a program run returns (DESIGN §5: the `dspex-run` job's return value). */
export interface RunResultView {
  outputs: Record<string, unknown>;
  executionId: string;
  usage: Record<string, unknown>;
}

/** What `dspex eval` asks of the runtime. */
export interface EvaluateRequestView {
  /** Examples as plain records (a JSONL line each). */
  devset: Record<string, unknown>[];
  /** A metric name from the node's metric table. */
  metric: string;
  concurrency?: number;
  /** Shards (jobs) the devset is split into. */
  shards?: number;
  /** Which fields of each example are inputs (default: the program's signature inputs). */
  inputKeys?: string[];
  /** The dataset version `devset` was read from (echoed in the summary). */
  dataset?: DatasetLinkView;
}

/** A dataset version a run or evaluation used (the store's DatasetLink, structurally). */
export interface DatasetLinkView {
  name: string;
  version: string;
  hash: string;
  split?: string | undefined;
}

/** What `dspex optimize` asks of the runtime. */
export interface OptimizeRequestView {
  optimizer: string;
  trainset: Record<string, unknown>[];
  valset?: Record<string, unknown>[];
  params?: Record<string, unknown>;
  inputKeys?: string[];
  /** The dataset version `trainset` was read from (kept on the run record). */
  dataset?: DatasetLinkView;
  /** The dataset version `valset` was read from. */
  valDataset?: DatasetLinkView;
}

/** An optimization run as `dspex optimize` follows it (the store's OptimizationRun, structurally). */
export interface OptimizationRunView {
  status: string;
  progress: { done: number; total: number };
  bestScore: number | null;
  /** Scored trials so far. */
  history?: readonly { step: number; score: number }[];
  /** Spend so far. */
  spend?: { lmCalls: number; metricCalls: number; usd: number } | undefined;
  result?: unknown;
  error?: unknown;
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

/**
 * The runtime surface the CLI drives: the daemon's {@link DaemonRuntime} plus one-off runs,
 * evaluation and optimization. `startRuntime`'s `Runtime` satisfies it (supervisors/cli-main.ts
 * adapts the little that differs), so src/cli stays generic.
 */
export interface CliRuntime extends DaemonRuntime {
  run(program: string, inputs: Record<string, unknown>): Promise<RunResultView>;
  evaluate(program: string, request: EvaluateRequestView): Promise<unknown>;
  optimize(program: string, request: OptimizeRequestView): Promise<{ runId: string }>;
  optimizationRun(runId: string): Promise<OptimizationRunView | undefined>;
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

/** Why the CLI starts a runtime: a long-running daemon, or one command (`run`, `eval`, `optimize`). */
export type RuntimePurpose = 'daemon' | 'oneshot';

/**
 * Starts a runtime from a loaded configuration: injected by supervisors/cli-main.ts (which wires
 * `startRuntime`), so src/cli never imports the framework, actors/ or supervisors/.
 */
export type RuntimeFactory = (
  loaded: LoadedConfig,
  options: {
    logger: Logger;
    purpose: RuntimePurpose;
    /** A store to use instead of the mode's own (the caller closes it): `optimize` passes Redis's. */
    store?: Store;
  },
) => Promise<CliRuntime>;
