import type { StartContext, StartFunction } from './child-spec.js';
import { KernelError } from './errors.js';
import type { Kernel } from './kernel.js';
import { Process } from './process.js';
import type { Term } from './term.js';
import { errorToTerm, formatTerm } from './term.js';
import { ExitSignal } from './worker.js';

/** What a task's body receives: the start context and a signal aborted when it is told to exit. */
export interface TaskContext extends StartContext {
  /** Aborted (with the exit reason) when the task is killed or shut down by its supervisor. */
  readonly signal: AbortSignal;
}

/** Options of {@link taskWorker}. */
export interface TaskWorkerOptions {
  /**
   * Failures that are outcomes, not crashes: the task exits `normal` and `result` rejects with
   * the error. Any other throw exits with `{error, <error>}` (an {@link ExitSignal}'s reason as
   * is), so the supervisor reports it. Default: every throw is a crash.
   */
  isOutcome?: (error: unknown) => boolean;
  /**
   * The error `result` rejects with when the function throws `error` (default: `error` itself),
   * e.g. the cause of an {@link ExitSignal}: the caller sees it, the exit reason stays the signal's.
   */
  resultError?: (error: unknown) => unknown;
}

/**
 * A light worker process: one async function, no mailbox, no xstate actor. It exits `normal`
 * when the function resolves (or fails with an outcome, see {@link TaskWorkerOptions.isOutcome}),
 * with the error otherwise; `kill` and supervisor shutdowns abort its signal and end it at once.
 * The caller that started it reads its value from {@link TaskProcess.result} (no call, no reply
 * handle). Meant for `temporary` children of a `simple_one_for_one` supervisor: one job each,
 * isolated, counted by `maxChildren`, reported when they crash.
 * @internal
 */
export class TaskProcess<T = unknown> extends Process {
  /** Settles with the function's value or error; rejects with `callee_exit` if told to exit first. */
  readonly result: Promise<T>;
  // Made when the body first reads its signal: most bodies never do, and an AbortController per
  // job is a measurable share of a lean job path.
  private controller: AbortController | undefined;
  private settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };

  constructor(kernel: Kernel) {
    super(kernel, 'worker');
    this.result = new Promise<T>((resolve, reject) => (this.settle = { resolve, reject }));
    // A caller that never reads the result must not turn a crash into an unhandled rejection.
    this.result.catch(() => undefined);
  }

  /** The signal handed to the task's body. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.stopReason !== undefined && !this.controller.signal.aborted)
      this.controller.abort(this.stopError(this.stopReason));
    return this.controller.signal;
  }

  /** Runs `body`; its end is the process's exit. */
  run(
    body: Promise<T>,
    isOutcome: (error: unknown) => boolean,
    resultError: (error: unknown) => unknown = same,
  ): void {
    body.then(
      (value) => {
        if (!this.alive) return;
        this.settle.resolve(value);
        this.die('normal');
      },
      (error: unknown) => {
        if (!this.alive) return;
        this.settle.reject(resultError(error));
        if (isOutcome(error)) this.die('normal');
        else this.die(error instanceof ExitSignal ? error.reason : errorToTerm(error));
      },
    );
  }

  signalExit(reason: Term): void {
    if (!this.alive || reason === 'normal') return;
    const exit = reason === 'kill' ? 'killed' : reason;
    this.stopReason = exit;
    const error = this.stopError(exit);
    this.controller?.abort(error);
    this.settle.reject(error);
    this.die(exit);
  }

  /** Why it was told to exit, once it was (see {@link TaskProcess.signalExit}). */
  private stopReason: Term | undefined;

  private stopError(reason: Term): KernelError {
    return new KernelError('callee_exit', `the task was stopped: ${formatTerm(reason)}`, {
      details: { reason },
    });
  }
}

const never = (): boolean => false;
const same = (error: unknown): unknown => error;

/**
 * A start function running `body(ctx, ...args)` as a {@link TaskProcess}. A synchronous throw of
 * `body` is a start error.
 *
 * @example
 * ```ts
 * const spec = { id: 'job', restart: 'temporary', start: taskWorker((ctx, n) => work(n, ctx.signal)) };
 * const r = await sup.startChild([42]);
 * if (r.ok && r.pid instanceof Pid) console.log(await taskResult(r.pid));
 * ```
 */
export function taskWorker<T>(
  body: (ctx: TaskContext, ...args: readonly unknown[]) => Promise<T>,
  options: TaskWorkerOptions = {},
): StartFunction {
  const isOutcome = options.isOutcome ?? never;
  const resultError = options.resultError ?? same;
  return (ctx, ...args) => {
    const proc = new TaskProcess<T>(ctx.kernel);
    let promise: Promise<T>;
    const { kernel, supervisor, id } = ctx;
    try {
      promise = body(
        {
          kernel,
          supervisor,
          id,
          get signal() {
            return proc.signal;
          },
        },
        ...args,
      );
    } catch (error) {
      return { error: error instanceof ExitSignal ? error.reason : errorToTerm(error) };
    }
    proc.run(promise, isOutcome, resultError);
    return proc.pid;
  };
}

/**
 * The value of a task started by {@link taskWorker}: resolves or rejects as its body did (rejects
 * with `callee_exit` if it was killed or shut down first, `noproc` if `pid` is not a task).
 */
export function taskResult<T>(pid: { proc: unknown }): Promise<T> {
  if (pid.proc instanceof TaskProcess) return pid.proc.result as Promise<T>;
  return Promise.reject(new KernelError('noproc', 'not a task process'));
}

/** Whether `pid` is a task process started by {@link taskWorker}. */
export function isTask(pid: { proc: unknown }): boolean {
  return pid.proc instanceof TaskProcess;
}
