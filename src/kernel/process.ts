import type { Term } from './term.js';
import { OPAQUE } from './term.js';
import type { Kernel } from './kernel.js';

/** What kind of process a {@link Pid} points at. */
export type ProcessKind = 'worker' | 'supervisor';

let serials = 0;

/**
 * An opaque process identifier (prints as `<pid>`). Returned by start functions and the
 * supervisor API; accepted by `call`, `cast`, `monitor`. A pid is never reused: a restarted child
 * gets a new one (use a registered `name` to follow restarts).
 */
export class Pid {
  readonly [OPAQUE] = 'pid';
  /** Unique, increasing serial number (for display and ordering). */
  readonly serial: number;
  /** @internal */
  readonly proc: Process;
  /** @internal */
  constructor(proc: Process) {
    this.serial = ++serials;
    this.proc = proc;
  }
  /** Whether the process is still running. */
  get alive(): boolean {
    return this.proc.alive;
  }
  /** Worker or supervisor. */
  get kind(): ProcessKind {
    return this.proc.kind;
  }
  toString(): string {
    return `<pid.${this.serial}>`;
  }
}

/** Receives an exit: the process that died and its reason. */
export type ExitSink = (from: Process, reason: Term) => void;

/**
 * A kernel process: something with a pid that lives, can be told to exit and dies exactly once
 * with a reason. Workers wrap an xstate actor; supervisors own a serial mailbox.
 * @internal
 */
export abstract class Process {
  readonly pid: Pid;
  alive = true;
  exitReason: Term | undefined;
  readonly startedAt: number;
  /** The supervisor's EXIT sink (OTP link); unset while the supervisor shuts the child down. */
  link: ExitSink | undefined;
  // Made on the first monitor: most processes (one-job tasks) are never monitored.
  private monitors: Map<number, (reason: Term) => void> | undefined;
  private monitorSeq = 0;
  /** Registered under a name at some point: its exit must clear the registry (see Kernel). */
  registered = false;

  protected constructor(
    readonly system: Kernel,
    readonly kind: ProcessKind,
  ) {
    this.pid = new Pid(this);
    this.startedAt = system.clock.now();
  }

  /** OTP `exit(Pid, Reason)`: `kill` is untrappable; other reasons may be handled. */
  abstract signalExit(reason: Term): void;

  /** Monitors the process; the callback runs synchronously when it dies (or soon if dead). */
  monitor(onDown: (reason: Term) => void): number {
    const id = ++this.monitorSeq;
    if (!this.alive) {
      queueMicrotask(() => onDown('noproc'));
      return id;
    }
    (this.monitors ??= new Map()).set(id, onDown);
    return id;
  }

  demonitor(id: number): void {
    this.monitors?.delete(id);
  }

  /** Sets the link; if the process is already dead the EXIT is delivered at once. */
  setLink(sink: ExitSink): void {
    this.link = sink;
    if (!this.alive) sink(this, this.exitReason ?? 'noproc');
  }

  /** Dies with `reason`: monitors first (in order), then the link, exactly once. */
  protected die(reason: Term): void {
    if (!this.alive) return;
    this.alive = false;
    this.exitReason = reason;
    this.system.onProcessExit(this, reason);
    const monitors = this.monitors;
    this.monitors = undefined;
    if (monitors !== undefined) for (const m of monitors.values()) m(reason);
    const link = this.link;
    this.link = undefined;
    link?.(this, reason);
  }
}
