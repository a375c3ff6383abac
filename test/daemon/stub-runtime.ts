import type {
  DaemonRuntime,
  RuntimeEventView,
  RuntimeSnapshotView,
} from '../../src/daemon/index.js';

/**
 * A scripted runtime for the daemon's own tests: the daemon is generic over the
 * {@link DaemonRuntime} port, so these tests drive that port directly and record what the daemon
 * asked of it (drain deadlines, stop order). The real runtime is exercised by test/cli/*.int.test.ts.
 */
export class StubRuntime implements DaemonRuntime {
  readonly calls: string[] = [];
  readonly listeners = new Set<(e: RuntimeEventView) => void>();
  drainDeadline: number | undefined;
  /** Resolves `drain` when set; else drain resolves at once. */
  drainGate: Promise<void> | undefined;

  constructor(
    readonly nodeId = 'stub-node',
    readonly mode: 'embedded' | 'redis' = 'embedded',
    readonly startedAt = 1_700_000_000_000,
  ) {}

  programs(): string[] {
    return ['qa', 'summarize'];
  }

  inspect(): RuntimeSnapshotView {
    return {
      nodeId: this.nodeId,
      mode: this.mode,
      startedAt: this.startedAt,
      tree: {
        id: 'root',
        kind: 'supervisor',
        status: 'running',
        restarts: 0,
        startedAt: this.startedAt,
        children: [
          {
            id: 'schema-registry',
            kind: 'worker',
            status: 'running',
            state: 'ready',
            restarts: 1,
            inFlight: 0,
          },
        ],
      },
    };
  }

  subscribe(listener: (e: RuntimeEventView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RuntimeEventView & Record<string, unknown>): void {
    for (const l of this.listeners) l(event);
  }

  metrics(): Promise<string> {
    return Promise.resolve(
      '# HELP dspex_jobs_total Jobs\n# TYPE dspex_jobs_total counter\ndspex_jobs_total 3\n',
    );
  }

  async drain(deadlineMs: number): Promise<void> {
    this.calls.push('drain');
    this.drainDeadline = deadlineMs;
    await this.drainGate;
  }

  stop(): Promise<void> {
    this.calls.push('stop');
    return Promise.resolve();
  }
}
