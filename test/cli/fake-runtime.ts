import type {
  CliRuntime,
  OptimizationRunView,
  RunResultView,
  RuntimeFactory,
} from '../../src/cli/index.js';
import type { CliIO } from '../../src/cli/index.js';
import type { LoadedConfig } from '../../src/config/index.js';
import type { RuntimeEventView, RuntimeSnapshotView } from '../../src/daemon/index.js';

/**
 * A scripted runtime behind the CLI's injected factory, for in-process tests of argument parsing,
 * output and exit codes. The real runtime runs in test/cli/*.int.test.ts through bin/dspex.js.
 */
export class FakeRuntime implements CliRuntime {
  readonly nodeId = 'fake-node';
  readonly mode = 'embedded' as const;
  stopped = false;
  readonly listeners = new Set<(e: RuntimeEventView) => void>();
  runImpl: (program: string, inputs: Record<string, unknown>) => Promise<RunResultView> = (
    _p,
    inputs,
  ) => Promise.resolve({ outputs: { echo: inputs }, executionId: 'ex-1', usage: {} });
  evaluateImpl: (program: string, req: { devset: unknown[] }) => Promise<unknown> = (_p, req) => {
    req.devset.forEach((_e, i) =>
      this.emit({
        type: 'evaluation_progress',
        evalId: 'e1',
        shard: 0,
        done: i + 1,
        total: req.devset.length,
      }),
    );
    return Promise.resolve({ score: 50, total: req.devset.length });
  };
  runs: OptimizationRunView[] = [
    { status: 'running', progress: { done: 1, total: 2 }, bestScore: null },
    {
      status: 'succeeded',
      progress: { done: 2, total: 2 },
      bestScore: 75,
      result: { version: 'v2' },
    },
  ];

  programs(): string[] {
    return ['qa', 'summarize'];
  }
  inspect(): RuntimeSnapshotView {
    return {
      nodeId: this.nodeId,
      mode: this.mode,
      startedAt: 0,
      tree: { id: 'root', kind: 'supervisor', status: 'running', restarts: 0 },
    };
  }
  subscribe(listener: (e: RuntimeEventView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(e: RuntimeEventView & Record<string, unknown>): void {
    for (const l of this.listeners) l(e);
  }
  metrics(): Promise<string> {
    return Promise.resolve('');
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
  run(program: string, inputs: Record<string, unknown>): Promise<RunResultView> {
    return this.runImpl(program, inputs);
  }
  evaluate(program: string, req: { devset: unknown[] }): Promise<unknown> {
    return this.evaluateImpl(program, req);
  }
  optimize(): Promise<{ runId: string }> {
    return Promise.resolve({ runId: 'run-1' });
  }
  optimizationRun(): Promise<OptimizationRunView | undefined> {
    return Promise.resolve(this.runs.length > 1 ? this.runs.shift() : this.runs[0]);
  }
}

/** A factory handing out one FakeRuntime and remembering what it was asked. */
export function fakeFactory(runtime = new FakeRuntime()): {
  factory: RuntimeFactory;
  runtime: FakeRuntime;
  loaded: LoadedConfig[];
  purposes: string[];
} {
  const loaded: LoadedConfig[] = [];
  const purposes: string[] = [];
  return {
    runtime,
    loaded,
    purposes,
    factory: (l, { purpose }) => {
      loaded.push(l);
      purposes.push(purpose);
      return Promise.resolve(runtime);
    },
  };
}

/** In-memory IO: what the CLI printed, in a directory of the test's choosing. */
export function memoryIO(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    cwd,
    now: () => 1_700_000_000_000,
    sleep: () => Promise.resolve(),
    interrupt: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}
