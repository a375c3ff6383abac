/**
 * What a running node is, as data: its supervision tree snapshot, the events it emits and what a
 * streamed run yields. `startRuntime()` returns these; the CLI, daemon and HTTP API read them.
 */
import type { CircuitState } from '../resilience/index.js';
import type { ProgramConfig, RunOptions, RunResult } from './jobs.js';

/** One node of {@link RuntimeSnapshot.tree}. */
export interface RuntimeNode {
  id: string;
  kind: 'supervisor' | 'worker';
  status: 'running' | 'restarting' | 'stopped' | 'dead';
  /** The actor's xstate state value. */
  state?: unknown;
  restarts: number;
  /**
   * Supervisors: abnormal exits of their children since the node started. A temporary child (a
   * program, evaluation or teleprompter worker) is never restarted, so its crash counts here and
   * not in any `restarts`; a permanent child's crash counts here and in its own `restarts`.
   */
  crashes?: number;
  /** Work in progress: pending calls, jobs in a bridge, or children of a worker supervisor. */
  inFlight: number;
  startedAt?: number;
  pid?: string;
  /** Actor-specific details (client-pool circuits, a program worker's job, a bridge's queue). */
  details?: Record<string, unknown>;
  children?: RuntimeNode[];
}

/** The programs-module version a node serves (hot reload: `dspex reload`). */
export interface ProgramsVersion {
  /** 1 for the module loaded at start, +1 per successful reload. */
  version: number;
  /** sha256 of the programs module's source (first 16 hex digits); `inline` for programs given as objects. */
  hash: string;
  /** Epoch ms. */
  loadedAt: number;
  /** The programs module's path, or null for inline programs. */
  file: string | null;
  /** The last reload that failed (the version above kept serving), cleared by a successful one. */
  lastError?: { message: string; at: number; hash?: string };
}

/**
 * What one `reload()` did, as `dspex reload` prints it per node, over the version shape `V`
 * ({@link ProgramsVersion} on the node; the daemon's view leaves the module path optional).
 */
export type ReloadOutcomeOf<V> =
  | {
      ok: true;
      /** `reloaded`: a new version serves; `unchanged`: the files hash as the served version. */
      result: 'reloaded' | 'unchanged';
      version: V;
      previous?: V;
      programs: string[];
    }
  | {
      ok: false;
      /** Why the new version was refused (the old one keeps serving). */
      error: string;
      version: V;
    };

/** What one node's `reload()` did (the runtime's answer; see {@link ReloadOutcomeOf}). */
export type ReloadOutcome = ReloadOutcomeOf<ProgramsVersion>;

/** What `Runtime.inspect` returns (`dspex inspect --json`). */
export interface RuntimeSnapshot {
  nodeId: string;
  mode: 'embedded' | 'redis';
  startedAt: number;
  programs: string[];
  /** The programs-module version this node serves (hot reload: `dspex reload`). */
  programsVersion?: ProgramsVersion;
  tree: RuntimeNode;
}

/** An optimizer's progress report as the runtime relays it (the framework's `OptimizerProgress`). */
export interface OptimizerProgressData {
  optimizer: string;
  phase: string;
}

/**
 * Events of `Runtime.subscribe`. `at` is the runtime clock's time. `Progress` is the optimizer
 * progress type (`OptimizerProgress` on the node; a structural record for readers of the JSON).
 */
export type RuntimeEvent<Progress extends OptimizerProgressData = OptimizerProgressData> = {
  at: number;
} & (
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
  | { type: 'optimization_progress'; runId: string; progress: Progress }
  | { type: 'runtime'; phase: 'started' | 'draining' | 'stopped' }
  | { type: 'programs_reloaded'; version: number; hash: string; previous: number }
  | { type: 'programs_reload_failed'; version: number; error: string }
);

/** One streamed piece of an output field (what `runtime.stream` yields before the result). */
export interface FieldDelta {
  type: 'delta';
  /** The predictor's name in the program (`self`, `predict`, `cot.predict`…). */
  predictor: string;
  field: string;
  text: string;
  /** True on the field's last piece. */
  last: boolean;
}

/**
 * A native tool call the LM made during a streamed run (native function calling: ReActV2, or a
 * `ToolCalls` output with a native-calling adapter), passed on whole — provider id, tool name and
 * the complete arguments JSON text — as soon as its arguments are complete, before its predictor
 * finishes.
 */
export interface ToolCallDelta {
  type: 'tool_call';
  /** The predictor's name in the program, or null when the call came from an unnamed one. */
  predictor: string | null;
  id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text). */
  arguments: string;
}

/** What a streamed run passes on before its result: field pieces and native tool calls. */
export type StreamPiece = FieldDelta | ToolCallDelta;

/**
 * What `Runtime.stream` yields: field deltas (`type: 'delta'`, as the LM streams them) and native
 * tool calls (`type: 'tool_call'`), then one `type: 'result'` with the run's result.
 */
export type RunStreamEvent = StreamPiece | { type: 'result'; result: RunResult };

/** Options of `Runtime.run` and `Runtime.stream` (local runs). */
export interface LocalRunOptions extends RunOptions {
  /** Aborts the run: its LM calls stop and it fails (e.g. an HTTP request's deadline). */
  signal?: AbortSignal;
}
