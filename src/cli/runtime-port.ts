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
}

/** What `dspex optimize` asks of the runtime. */
export interface OptimizeRequestView {
  optimizer: string;
  trainset: Record<string, unknown>[];
  valset?: Record<string, unknown>[];
  params?: Record<string, unknown>;
  inputKeys?: string[];
}

/** An optimization run as `dspex optimize` follows it (the store's OptimizationRun, structurally). */
export interface OptimizationRunView {
  status: string;
  progress: { done: number; total: number };
  bestScore: number | null;
  result?: unknown;
  error?: unknown;
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
