/**
 * dspex kernel: OTP supervision with Erlang/OTP's exact semantics, whose children are real
 * xstate v5 actors (each a separate root actor, never spawned into a parent machine). Checked
 * line for line against the real OTP 25 supervisor by the oracle in test/oracle.
 *
 * Model:
 * - A supervisor is a kernel process with a serial mailbox (child EXITs, API calls and its own
 *   `try_again_restart` are handled one at a time, also while it waits for a shutdown timeout).
 * - A worker is one xstate actor, watched by subscription: reaching a final state exits `normal`
 *   (or `output.exit` if the output has one, or the shutdown reason it was asked to stop with);
 *   an error exits with the error (`{error,<error>}`, or the reason of a thrown
 *   {@link ExitSignal}); a stop by its supervisor is `shutdown`; a kill is `killed`.
 * - `trapShutdown: true` workers receive `{ type: 'kernel.shutdown', reason }` and may finish;
 *   if they do not within the child's `shutdown` ms they are killed (`shutdown_error` report).
 * - Replies: `kernel.call(target, event)` sends `{ ...event, replyTo }`; the machine answers with
 *   the {@link reply} action (`actions: reply(({ context }) => context.n)`). The call rejects with
 *   `timeout` (default 5000 ms; the callee keeps running, a late reply is dropped), at once with
 *   `callee_exit` (details.reason) if the callee dies, and with `noproc` for a dead/unknown target.
 * - Time comes only from the injected {@link Clock}; tests use {@link FakeClock}.
 *
 * @example
 * ```ts
 * import { createKernel, actorWorker, reply } from './kernel/index.js';
 * const kernel = createKernel();
 * const r = await kernel.startSupervisor({ strategy: 'one_for_one', intensity: 3, period: 5 }, [
 *   { id: 'counter', name: 'counter', start: actorWorker(counterMachine, { trapShutdown: true }) },
 * ]);
 * const n = await kernel.call('counter', { type: 'get' });
 * if (r.ok) await r.sup.stop();
 * ```
 */
export { Kernel, createKernel } from './kernel.js';
export type { KernelEvent, KernelLogger, KernelOptions, MonitorRef, Offender } from './kernel.js';
export { SupervisorProcess } from './supervisor.js';
export { supervisorChild, apiResultToTerm, countsToTerm } from './supervisor-api.js';
export type { SupervisorApiResult, ChildInfo, ChildCounts } from './supervisor-api.js';
export {
  DEFAULT_FLAGS,
  DEFAULT_CHILD_SPEC,
  defaultShutdown,
  checkFlags,
  checkChildSpec,
  checkStartSpec,
  parseFlags,
  parseChildSpec,
} from './child-spec.js';
export type {
  Strategy,
  RestartType,
  Shutdown,
  AutoShutdown,
  ChildType,
  SupervisorFlags,
  ChildSpec,
  ResolvedFlags,
  ResolvedChildSpec,
  StartFunction,
  StartContext,
  StartOutcome,
  StartError,
  Checked,
} from './child-spec.js';
export { actorWorker, ExitSignal, SHUTDOWN_EVENT } from './worker.js';
export type { ActorWorkerOptions, ShutdownEvent } from './worker.js';
export { taskWorker, taskResult, isTask } from './task.js';
export { genServer } from './gen-server.js';
export type {
  CallResult,
  GenServer,
  GenServerChildOptions,
  GenServerSpec,
  ReplyCodec,
} from './gen-server.js';
export type { TaskContext, TaskWorkerOptions } from './task.js';
export { reply, DEFAULT_CALL_TIMEOUT } from './call.js';
export type { ReplyHandle, CallEvent, CallOptions } from './call.js';
export { Pid } from './process.js';
export type { ProcessKind } from './process.js';
export { inspectTree } from './inspect.js';
export type { ProcessSnapshot } from './inspect.js';
export { systemClock as realClock, FakeClock, flushMicrotasks } from '../time/index.js';
export type { Clock } from '../time/index.js';
export { KernelError } from './errors.js';
export { installFaultTrap, runTrapped } from './fault-trap.js';
export type { UnattributedFault } from './fault-trap.js';
export type { KernelErrorCode } from './errors.js';
export { addRestart } from './intensity.js';
export {
  Tuple,
  tuple,
  opaque,
  isOpaque,
  OPAQUE,
  formatTerm,
  termEquals,
  isNormalExitReason,
  isReservedWord,
  errorToTerm,
} from './term.js';
export type { Term, OpaqueTerm } from './term.js';
