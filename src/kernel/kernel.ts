import { pino } from 'pino';
import type { EventObject } from 'xstate';
import type { CallOptions } from './call.js';
import { callWorker, castWorker } from './call.js';
import type { ChildSpec, StartFunction, StartOutcome, SupervisorFlags } from './child-spec.js';
import { systemClock as realClock, type Clock } from '../time/index.js';
import { inspectTree } from './inspect.js';
import type { ProcessSnapshot } from './inspect.js';
import type { Process, ProcessKind } from './process.js';
import { Pid } from './process.js';
import type { SupervisorProcess } from './supervisor.js';
import type { ChildRecord } from './child-table.js';
import { startSupervisorProcess } from './supervisor.js';
import { Restarting } from './child-table.js';
import type { Term } from './term.js';
import { formatTerm } from './term.js';

/** The logger the kernel writes supervisor reports to (a pino logger satisfies it). */
export interface KernelLogger {
  error(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
}

/** What a supervisor report says about the child concerned (OTP `offender`). */
export interface Offender {
  id: string;
  pid: Pid | 'restarting' | undefined;
  restartType: string;
  shutdown: number | string;
  childType: string;
  significant: boolean;
}

/** Events of the live stream (`kernel.subscribe`), delivered synchronously in causal order. */
export type KernelEvent =
  | { type: 'child_started'; supervisor: Pid; id: string; pid: Pid }
  | { type: 'child_exited'; supervisor: Pid; id: string; pid: Pid; reason: Term }
  | { type: 'child_restarted'; supervisor: Pid; id: string }
  | {
      type: 'supervisor_report';
      supervisor: string;
      supervisorPid: Pid;
      errorContext: string;
      reason: Term;
      offender: Offender;
    }
  | { type: 'process_exited'; pid: Pid; kind: ProcessKind; reason: Term };

/** Options of {@link createKernel}. */
export interface KernelOptions {
  /** Time source (default: real time). Use a `FakeClock` in tests. */
  clock?: Clock;
  /** Receives supervisor reports (default: a silent pino logger). */
  logger?: KernelLogger;
}

/** A monitor handle: call `demonitor()` to stop watching. */
export interface MonitorRef {
  demonitor(): void;
}

/**
 * The kernel: the process table around supervisors and xstate workers, with the registry,
 * monitors, call/cast, the live event stream, the report logger and the injected clock.
 */
export class Kernel {
  readonly clock: Clock;
  readonly logger: KernelLogger;
  private readonly registry = new Map<string, Process>();
  /**
   * Subscribers, replaced (never mutated) on subscribe and unsubscribe: an event goes to the
   * listeners of when it was emitted without copying the list per event.
   */
  private listeners: readonly ((e: KernelEvent) => void)[] = [];

  constructor(options: KernelOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? pino({ level: 'silent' });
  }

  /**
   * Starts a root supervisor (`supervisor:start_link`): flags and specs are validated, children
   * started left to right. A failure is data: `{ ok: false, error }` with OTP's reason, e.g.
   * `{shutdown,{failed_to_start_child,Id,Reason}}` or `{start_spec,{duplicate_child_name,Id}}`.
   *
   * @example
   * ```ts
   * const r = await kernel.startSupervisor({ strategy: 'one_for_one' }, [
   *   { id: 'counter', start: actorWorker(counterMachine), name: 'counter' },
   * ]);
   * if (r.ok) await kernel.call('counter', { type: 'get' });
   * ```
   */
  startSupervisor(
    flags: SupervisorFlags,
    specs: readonly ChildSpec[],
    options: { id?: string } = {},
  ): Promise<{ ok: true; sup: SupervisorProcess } | { ok: false; error: Term }> {
    return startSupervisorProcess(this, options.id ?? 'root', flags, specs);
  }

  /** Runs a start function outside any supervisor (an unsupervised process). */
  async spawn(start: StartFunction, ...args: readonly unknown[]): Promise<StartOutcome> {
    return start({ kernel: this, supervisor: undefined, id: 'spawned' }, ...args);
  }

  /** gen_server:call: see {@link callWorker}'s semantics (timeout, callee exit, noproc). */
  call<TEvent extends EventObject>(
    target: Pid | string,
    event: TEvent,
    options?: CallOptions,
  ): Promise<unknown> {
    return callWorker(this, target, event, options);
  }

  /** gen_server:cast: fire and forget, silently dropped for a dead target. */
  cast<TEvent extends EventObject>(target: Pid | string, event: TEvent): void {
    castWorker(this, target, event);
  }

  /** The current process registered under `name` (it follows restarts), if alive. */
  whereis(name: string): Pid | undefined {
    const proc = this.registry.get(name);
    return proc?.alive === true ? proc.pid : undefined;
  }

  /** Registers `pid` under `name`; false if the name belongs to another live process. */
  register(name: string, target: Pid | Process): boolean {
    const proc = target instanceof Pid ? target.proc : target;
    const current = this.registry.get(name);
    if (current !== undefined && current.alive && current !== proc) return false;
    if (!proc.alive) return false;
    this.registry.set(name, proc);
    proc.registered = true;
    return true;
  }

  /**
   * Monitors a process: `onDown(reason)` runs once when it dies, or with `noproc` (soon) if it is
   * already dead or unknown.
   */
  monitor(target: Pid | string, onDown: (reason: Term) => void): MonitorRef {
    const pid = typeof target === 'string' ? this.whereis(target) : target;
    if (pid === undefined) {
      let active = true;
      queueMicrotask(() => {
        if (active) onDown('noproc');
      });
      return { demonitor: () => void (active = false) };
    }
    const id = pid.proc.monitor(onDown);
    return { demonitor: () => pid.proc.demonitor(id) };
  }

  /** Subscribes to the live event stream; returns the unsubscribe function. */
  subscribe(listener: (e: KernelEvent) => void): () => void {
    if (!this.listeners.includes(listener)) this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Snapshot of the tree under `sup`. */
  inspect(sup: SupervisorProcess): ProcessSnapshot {
    return inspectTree(sup);
  }

  /** @internal */
  emit(event: KernelEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** @internal */
  onProcessExit(proc: Process, reason: Term): void {
    if (proc.registered)
      for (const [name, p] of this.registry) if (p === proc) this.registry.delete(name);
    this.emit({ type: 'process_exited', pid: proc.pid, kind: proc.kind, reason });
  }

  /** @internal OTP `?report_error`: the logger (fixed keys) and the event stream. */
  supervisorReport(
    sup: SupervisorProcess,
    context: string,
    reason: Term,
    child: ChildRecord,
  ): void {
    const pid = child.pid;
    const offender: Offender = {
      id: child.spec.id,
      pid: pid instanceof Restarting ? 'restarting' : pid?.pid,
      restartType: child.spec.restart,
      shutdown: child.spec.shutdown,
      childType: child.spec.type,
      significant: child.spec.significant,
    };
    this.logger.error(
      {
        supervisor: sup.id,
        errorContext: context,
        reason: formatTerm(reason),
        offender: { ...offender, pid: offender.pid?.toString() },
      },
      'supervisor report',
    );
    this.emit({
      type: 'supervisor_report',
      supervisor: sup.id,
      supervisorPid: sup.pid,
      errorContext: context,
      reason,
      offender,
    });
  }
}

/** Creates a kernel (one per runtime; tests create one per case with a `FakeClock`). */
export function createKernel(options: KernelOptions = {}): Kernel {
  return new Kernel(options);
}
