/**
 * What the daemon needs from a runtime: a structural subset of the `Runtime` that
 * `startRuntime` returns (runtime-arch.md), so the daemon stays generic (it never imports the
 * framework, actors/ or supervisors/) and any object of that shape can be served.
 */

/** One node of a supervision tree snapshot (DESIGN §5: at least id, kind, status, restarts, children). */
export interface TreeNodeView {
  readonly id: string;
  /** 'supervisor' or 'worker'. */
  readonly kind: string;
  readonly status: string;
  readonly restarts: number;
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

/** An optimization run as the dashboard shows it (the store's `OptimizationRun`, structurally). */
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
  readonly result?: unknown;
  readonly error?: unknown;
  /** ISO timestamps. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The read side of a runtime's job transport the dashboard uses (`Transport`, structurally). */
export interface JobListingView {
  /** Jobs of `queue` in `state`, newest first. */
  listJobs(
    queue: string,
    state: 'waiting' | 'delayed' | 'active' | 'completed' | 'failed',
    options?: { limit?: number },
  ): Promise<readonly JobView[]>;
}

/** The read side of a runtime's store the dashboard uses (`Store`, structurally). */
export interface RunStoreView {
  readonly optimizationRuns: {
    list(query?: { limit?: number }): Promise<{ items: readonly OptimizationRunView[] }>;
    find(id: string): Promise<OptimizationRunView | undefined>;
  };
}

/** The programs-module version a node serves (the runtime's `ProgramsVersion`, structurally). */
export interface ProgramsVersionView {
  readonly version: number;
  readonly hash: string;
  /** Epoch ms. */
  readonly loadedAt: number;
  readonly file?: string | null;
  /** The last reload that failed (the version above kept serving). */
  readonly lastError?: { readonly message: string; readonly at: number; readonly hash?: string };
}

/** What one node's reload did (the runtime's `ReloadOutcome`, structurally). */
export interface ReloadResultView {
  readonly ok: boolean;
  /** `reloaded` or `unchanged` when ok. */
  readonly result?: string;
  /** Why the new version was refused (the old one keeps serving). */
  readonly error?: string;
  readonly version: ProgramsVersionView;
  readonly previous?: ProgramsVersionView;
  readonly programs?: readonly string[];
}

/**
 * The runtime surface the daemon serves and shuts down. `startRuntime`'s `Runtime` satisfies it.
 *
 * @example
 * ```ts
 * const runtime: DaemonRuntime = await startRuntime(config);
 * await startDaemon({ runtime, config, logger });
 * ```
 */
export interface DaemonRuntime {
  readonly nodeId: string;
  readonly mode: 'embedded' | 'redis';
  /** Names of the programs this node hosts. */
  programs(): string[];
  inspect(): RuntimeSnapshotView;
  /** Registers a listener of runtime events; returns the unsubscribe function. */
  subscribe(listener: (event: RuntimeEventView) => void): () => void;
  /** Prometheus text exposition. */
  metrics(): Promise<string>;
  /** Stops intake and waits for in-flight work, at most `deadlineMs`. */
  drain(deadlineMs: number): Promise<void>;
  /** Drains, then stops the tree in reverse start order. */
  stop(): Promise<void>;
  /** The job transport, read by the dashboard's job list (absent: the list is empty). */
  readonly transport?: JobListingView;
  /** The store, read by the dashboard's optimization runs (absent: no runs shown). */
  readonly store?: RunStoreView;
  /** The programs-module version served (absent: not reported). */
  programsVersion?(): ProgramsVersionView;
  /** Hot reload of the programs module (absent: `POST /reload` answers 501). Never rejects. */
  reload?(): Promise<ReloadResultView>;
}
