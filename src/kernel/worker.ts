import { createActor } from 'xstate';
import type { Actor, AnyActorLogic, InputFrom } from 'xstate';
import type { StartContext, StartFunction } from './child-spec.js';
import type { Kernel } from './kernel.js';
import { Process } from './process.js';
import type { Term } from './term.js';
import { errorToTerm } from './term.js';

/** Type of the event a trap-shutdown worker receives when its supervisor stops it. */
export const SHUTDOWN_EVENT = 'kernel.shutdown';

/** The shutdown event: `reason` is `shutdown` in practice (OTP `{'EXIT', Parent, Reason}`). */
export interface ShutdownEvent {
  readonly type: typeof SHUTDOWN_EVENT;
  readonly reason: Term;
}

/**
 * Thrown inside an actor (an action, a guard…) to exit with an exact reason term: the actor's
 * error status becomes this exit reason instead of `{error, <error>}`.
 *
 * @example
 * ```ts
 * actions: () => { throw new ExitSignal(tuple('bad_input', 42)); }
 * ```
 */
export class ExitSignal extends Error {
  /** `cause`: what a caller waiting for the process should see (a task's result rejects with it). */
  constructor(
    readonly reason: Term,
    options?: { cause?: unknown },
  ) {
    // An exit signal is control flow, not a bug: its stack trace is never read, and capturing it
    // cost 7–11 µs per crash (bench/kernel), about a fifth of a restart.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super('exit', options);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'ExitSignal';
  }
}

/** Options of {@link actorWorker}. */
export interface ActorWorkerOptions<TLogic extends AnyActorLogic> {
  /** Input of the actor, or a function of the start context and extra start arguments. */
  input?:
    InputFrom<TLogic> | ((ctx: StartContext, ...args: readonly unknown[]) => InputFrom<TLogic>);
  /**
   * When true the actor receives a {@link ShutdownEvent} on shutdown and may finish (reach a final
   * state); an actor that ignores it is killed after the child's `shutdown` timeout. When false
   * (default) the actor is stopped at once with the shutdown reason.
   */
  trapShutdown?: boolean;
}

function exitReasonOfOutput(output: unknown): Term | undefined {
  if (typeof output === 'object' && output !== null && 'exit' in output)
    return (output as { exit: Term }).exit;
  return undefined;
}

/**
 * A worker process: one xstate root actor (never a child spawned into another machine). Its exits
 * are detected by subscription: `done` exits `normal` (or `output.exit`, or the shutdown reason it
 * was asked to stop with), `error` exits with the error (an {@link ExitSignal}'s reason as is).
 * @internal
 */
export class ActorProcess extends Process {
  readonly actor: Actor<AnyActorLogic>;
  inFlightCalls = 0;
  private shutdownReason: Term | undefined;
  private stopReason: Term | undefined;

  constructor(
    kernel: Kernel,
    logic: AnyActorLogic,
    input: unknown,
    private readonly trapShutdown: boolean,
  ) {
    super(kernel, 'worker');
    this.actor = createActor(logic, {
      ...(input === undefined ? {} : { input }),
      clock: kernel.clock,
    }) as Actor<AnyActorLogic>;
    // Subscribed before start so an error in the initial state is seen and never becomes an
    // uncaught exception (xstate rethrows unobserved root errors in a timer).
    this.actor.subscribe({
      next: (snap: { status: string; output?: unknown; error?: unknown }) => {
        if (snap.status === 'done') this.onDone(snap.output);
        else if (snap.status === 'error') this.die(this.errorReason(snap.error));
      },
      error: (err: unknown) => this.die(this.errorReason(err)),
      complete: () => this.die(this.stopReason ?? 'shutdown'),
    });
  }

  /** Starts the actor; an actor failing in its initial state is a start error. */
  start(): Term | undefined {
    this.actor.start();
    if (!this.alive && this.exitReason !== undefined && this.actor.getSnapshot().status === 'error')
      return this.exitReason;
    return undefined;
  }

  private errorReason(err: unknown): Term {
    return err instanceof ExitSignal ? err.reason : errorToTerm(err);
  }

  private onDone(output: unknown): void {
    this.die(exitReasonOfOutput(output) ?? this.shutdownReason ?? 'normal');
  }

  signalExit(reason: Term): void {
    if (!this.alive) return;
    if (reason === 'kill') {
      this.stopReason = 'killed';
      this.actor.stop();
      this.die('killed');
      return;
    }
    if (this.trapShutdown) {
      this.shutdownReason ??= reason;
      this.actor.send({ type: SHUTDOWN_EVENT, reason } satisfies ShutdownEvent);
      return;
    }
    if (reason === 'normal') return; // like a process that does not trap exits
    this.stopReason = reason;
    this.actor.stop();
    this.die(reason);
  }
}

/**
 * A start function running `logic` as a supervised xstate root actor.
 *
 * @example
 * ```ts
 * const spec: ChildSpec = { id: 'counter', start: actorWorker(counterMachine, { input: { n: 0 } }) };
 * ```
 */
export function actorWorker<TLogic extends AnyActorLogic>(
  logic: TLogic,
  options: ActorWorkerOptions<TLogic> = {},
): StartFunction {
  return (ctx, ...args) => {
    const input =
      typeof options.input === 'function'
        ? (options.input as (c: StartContext, ...a: readonly unknown[]) => unknown)(ctx, ...args)
        : options.input;
    const proc = new ActorProcess(ctx.kernel, logic, input, options.trapShutdown ?? false);
    const failed = proc.start();
    return failed === undefined ? proc.pid : { error: failed };
  };
}
