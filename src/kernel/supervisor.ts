import type { ChildSpec, ResolvedFlags, StartOutcome, SupervisorFlags } from './child-spec.js';
import { checkChildSpec, checkFlags, checkStartSpec } from './child-spec.js';
import { KernelError } from './errors.js';
import { addRestart } from './intensity.js';
import type { Kernel } from './kernel.js';
import { Pid, Process } from './process.js';
import { shutdownChild } from './shutdown.js';
import type { Term } from './term.js';
import { errorToTerm, isNormalExitReason, opaque, tuple } from './term.js';
import type { ChildInfo, ChildCounts, SupervisorApiResult } from './supervisor-api.js';
import type { ChildPid, ChildRecord } from './child-table.js';
import { ChildTable, newRecord, Restarting, restartingOf } from './child-table.js';
import { ExitSignal } from './worker.js';

type Request =
  | { op: 'start_child'; spec: ChildSpec }
  | { op: 'start_dynamic'; args: readonly unknown[] }
  | { op: 'terminate_child'; target: string | Pid }
  | { op: 'restart_child'; id: string }
  | { op: 'delete_child'; id: string }
  | { op: 'which_children' }
  | { op: 'count_children' };

type Message =
  | { kind: 'exit'; from: Process | 'parent'; reason: Term }
  | { kind: 'try_again'; key: string | ChildPid }
  | { kind: 'call'; req: Request; resolve: (v: unknown) => void; reject: (e: unknown) => void };

type Verdict = 'ok' | 'shutdown';

/** What starting one child came to: the process, `ignore`, or the error to report. */
type StartResult = Process | 'ignore' | { error: Term; raw?: boolean };

/** A start function that threw: OTP's `{'EXIT', Reason}`. */
function startThrew(e: unknown): StartOutcome {
  return { error: tuple('EXIT', e instanceof ExitSignal ? e.reason : errorToTerm(e)) };
}

/**
 * An OTP supervisor: a kernel process with a serial mailbox that handles child exits, API calls
 * and its own `try_again_restart` messages strictly one at a time (like a gen_server), including
 * while it waits for a child's shutdown timeout. Obtain one from `kernel.startSupervisor` or as a
 * nested child through `supervisorChild`.
 */
export class SupervisorProcess extends Process {
  /** The supervisor's id in reports (`root` or its child spec id). */
  readonly id: string;
  private readonly flags: ResolvedFlags;
  private readonly table = new ChildTable();
  private restartTimes: number[] = [];
  private readonly mailbox: Message[] = [];
  private busy = true; // until init is over, messages only queue up
  private scheduled = false;
  private readonly exitSink = (from: Process, reason: Term): void =>
    this.deliver({ kind: 'exit', from, reason });

  /** @internal */
  constructor(kernel: Kernel, id: string, flags: ResolvedFlags) {
    super(kernel, 'supervisor');
    this.id = id;
    this.flags = flags;
  }

  /** Strategy and limits in force (defaults applied). */
  get supervisorFlags(): Readonly<ResolvedFlags> {
    return this.flags;
  }

  // ------------------------------------------------------------------ public API (gen_server calls)

  /**
   * Adds and starts a child (`supervisor:start_child/2`). Under simple_one_for_one pass the extra
   * start arguments instead (`startChild([...args])`).
   * Results: `{ok, pid}`, `{ok, undefined}` (start returned ignore), `{error, already_present}`,
   * `{error, {already_started, Pid}}`, `{error, {Reason, <child>}}`, or a validation reason.
   */
  startChild(specOrArgs: ChildSpec | readonly unknown[]): Promise<SupervisorApiResult> {
    return this.callSelf(
      Array.isArray(specOrArgs)
        ? { op: 'start_dynamic', args: specOrArgs as readonly unknown[] }
        : { op: 'start_child', spec: specOrArgs as ChildSpec },
    ) as Promise<SupervisorApiResult>;
  }

  /** Terminates a child, keeping its spec unless temporary (`{error, not_found}` otherwise). */
  terminateChild(target: string | Pid): Promise<SupervisorApiResult> {
    return this.callSelf({ op: 'terminate_child', target }) as Promise<SupervisorApiResult>;
  }

  /** Starts a stopped child again (`{error, running | restarting | not_found}` otherwise). */
  restartChild(id: string): Promise<SupervisorApiResult> {
    return this.callSelf({ op: 'restart_child', id }) as Promise<SupervisorApiResult>;
  }

  /** Removes the spec of a stopped child. */
  deleteChild(id: string): Promise<SupervisorApiResult> {
    return this.callSelf({ op: 'delete_child', id }) as Promise<SupervisorApiResult>;
  }

  /** Children in start order (simple_one_for_one: dynamic children, id undefined). */
  whichChildren(): Promise<ChildInfo[]> {
    return this.callSelf({ op: 'which_children' }) as Promise<ChildInfo[]>;
  }

  /** OTP's `count_children`. */
  countChildren(): Promise<ChildCounts> {
    return this.callSelf({ op: 'count_children' }) as Promise<ChildCounts>;
  }

  /**
   * Stops the supervisor like an exit signal from its parent: terminates the children right to
   * left and exits with `reason`. Resolves with the exit reason.
   */
  stop(reason: Term = 'shutdown'): Promise<Term> {
    if (!this.alive) return Promise.resolve(this.exitReason ?? 'noproc');
    const done = new Promise<Term>((resolve) => this.monitor(resolve));
    this.deliver({ kind: 'exit', from: 'parent', reason });
    return done;
  }

  /** @internal Exit signal from the parent supervisor. */
  signalExit(reason: Term): void {
    if (!this.alive) return;
    if (reason === 'kill') {
      this.killNow();
      return;
    }
    this.deliver({ kind: 'exit', from: 'parent', reason });
  }

  /** @internal Snapshot of the child records for inspection (start order). */
  childRecords(): ChildRecord[] {
    return this.table.records();
  }

  /** @internal Restart timestamps (seconds) inside the current window. */
  get restartHistory(): readonly number[] {
    return this.restartTimes;
  }

  // ------------------------------------------------------------------ init

  /** @internal OTP `init/1`: validate, start children left to right (or nothing for s1o1). */
  async init(specs: readonly ChildSpec[]): Promise<Term | undefined> {
    const checked = checkStartSpec(specs, this.flags);
    if (!checked.ok) return this.failInit(checked.error);
    const records = checked.value.map((spec) => newRecord(spec, []));
    if (this.flags.strategy === 'simple_one_for_one') {
      this.table.template = records[0];
    } else {
      this.table.children = records;
      const failed = await this.startChildren(records);
      if (failed !== undefined) {
        await this.terminateChildren([...this.table.children]);
        return this.failInit(
          tuple('shutdown', tuple('failed_to_start_child', failed.id, failed.reason)),
        );
      }
    }
    this.busy = false;
    this.schedule();
    return undefined;
  }

  private failInit(reason: Term): Term {
    this.die(reason);
    return reason;
  }

  // ------------------------------------------------------------------ mailbox

  private callSelf(req: Request): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (!this.alive) {
        reject(new KernelError('noproc', `supervisor ${this.id} is not running`));
        return;
      }
      this.deliver({ kind: 'call', req, resolve, reject });
    });
  }

  private deliver(msg: Message): void {
    if (!this.alive) {
      if (msg.kind === 'call')
        msg.reject(new KernelError('noproc', `supervisor ${this.id} is not running`));
      return;
    }
    this.mailbox.push(msg);
    this.schedule();
  }

  private schedule(): void {
    if (this.busy || this.scheduled || this.mailbox.length === 0) return;
    this.scheduled = true;
    // Never handle a message in the sender's stack (a child's exit callback, an API caller).
    queueMicrotask(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    if (this.busy) return;
    this.busy = true;
    this.pump();
  }

  /**
   * Handles queued messages one at a time. A message handled synchronously (an API call answered
   * at once, the exit of a temporary child) costs no promise; after one that returned a promise,
   * handling goes on when it settles.
   */
  private pump(): void {
    try {
      while (this.alive && this.mailbox.length > 0) {
        const msg = this.mailbox.shift() as Message;
        const handled = msg.kind === 'call' ? this.answer(msg) : this.handle(msg);
        if (handled !== undefined) {
          handled.then(
            () => this.pump(),
            (e: unknown) => this.crash(e),
          );
          return;
        }
      }
    } catch (e) {
      this.crash(e);
      return;
    }
    this.busy = false;
  }

  /** A bug in a handler must not leave a zombie supervisor: it dies like a crashed gen_server. */
  private crash(e: unknown): void {
    this.die(errorToTerm(e));
    this.rejectPending(errorToTerm(e));
    this.busy = false;
  }

  /**
   * Answers an API call. A call answered synchronously (a simple_one_for_one start of a one-job
   * task, `which_children`, …) settles without a promise per layer; the others when they end.
   */
  private answer(msg: Extract<Message, { kind: 'call' }>): Promise<void> | undefined {
    let out: unknown;
    try {
      out = this.handleCall(msg.req);
    } catch (e) {
      msg.reject(e);
      return undefined;
    }
    if (out instanceof Promise) return out.then(msg.resolve, msg.reject);
    msg.resolve(out);
    return undefined;
  }

  /** Handles an exit or a `try_again`: synchronously when no child has to be stopped or started. */
  private handle(msg: Exclude<Message, { kind: 'call' }>): Promise<void> | undefined {
    switch (msg.kind) {
      case 'exit': {
        if (msg.from === 'parent') return this.terminateAndDie(msg.reason);
        return this.afterVerdict(this.onChildExit(msg.from, msg.reason));
      }
      case 'try_again':
        return this.afterVerdict(this.tryAgain(msg.key));
    }
  }

  private afterVerdict(verdict: Verdict | Promise<Verdict>): Promise<void> | undefined {
    if (verdict instanceof Promise)
      return verdict.then((v) => (v === 'shutdown' ? this.terminateAndDie('shutdown') : undefined));
    return verdict === 'shutdown' ? this.terminateAndDie('shutdown') : undefined;
  }

  private async terminateAndDie(reason: Term): Promise<void> {
    if (this.table.template !== undefined) await this.terminateDynamicChildren();
    else await this.terminateChildren([...this.table.children]);
    this.die(reason);
    this.rejectPending(reason);
  }

  private killNow(): void {
    const children =
      this.table.template === undefined
        ? this.table.children.map((c) => c.pid)
        : [...this.table.dyn.keys()];
    this.die('killed');
    this.rejectPending('killed');
    // Linked children receive the `killed` exit signal (OTP link propagation), in no set order.
    for (const pid of children.reverse()) {
      if (pid instanceof Process && pid.alive) {
        pid.link = undefined;
        pid.signalExit('killed');
      }
    }
  }

  private rejectPending(reason: Term): void {
    for (const msg of this.mailbox.splice(0)) {
      if (msg.kind === 'call')
        msg.reject(
          new KernelError('callee_exit', `supervisor ${this.id} exited`, { details: { reason } }),
        );
    }
  }

  /** Removes a queued EXIT of `proc` (OTP `unlink_flush`), returning its reason. */
  private takeQueuedExit(proc: Process): Term | undefined {
    const i = this.mailbox.findIndex((m) => m.kind === 'exit' && m.from === proc);
    if (i < 0) return undefined;
    const [msg] = this.mailbox.splice(i, 1);
    return (msg as { reason: Term }).reason;
  }

  // ------------------------------------------------------------------ reports

  private report(context: string, reason: Term, child: ChildRecord): void {
    this.system.supervisorReport(this, context, reason, child);
  }

  // ------------------------------------------------------------------ starting

  /** OTP `do_start_child`: run the start function, link the new process. */
  private async startProcess(rec: ChildRecord): Promise<StartResult> {
    return this.beginStart(rec);
  }

  /**
   * {@link startProcess} without a promise when the start function returns synchronously (a
   * task): one job's worker starts without a microtask hop per layer.
   */
  private beginStart(rec: ChildRecord): StartResult | Promise<StartResult> {
    const { spec } = rec;
    if (spec.name !== undefined) {
      const existing = this.system.whereis(spec.name);
      if (existing !== undefined) return { error: tuple('already_started', existing), raw: true };
    }
    let started: StartOutcome | Promise<StartOutcome>;
    try {
      started = spec.start({ kernel: this.system, supervisor: this, id: spec.id }, ...rec.args);
    } catch (e) {
      return this.finishStart(rec, startThrew(e));
    }
    if (started instanceof Promise)
      return started.then(
        (out) => this.finishStart(rec, out),
        (e: unknown) => this.finishStart(rec, startThrew(e)),
      );
    return this.finishStart(rec, started);
  }

  /** Links and announces a started child, or turns the start's outcome into its error. */
  private finishStart(rec: ChildRecord, out: StartOutcome): StartResult {
    const { spec } = rec;
    if (out instanceof Pid) {
      const proc = out.proc;
      if (spec.name !== undefined) this.system.register(spec.name, proc);
      proc.setLink(this.exitSink);
      this.system.emit({ type: 'child_started', supervisor: this.pid, id: spec.id, pid: out });
      return proc;
    }
    if (out === 'ignore') return 'ignore';
    if (typeof out === 'object' && out !== null && 'error' in out) return { error: out.error };
    return { error: tuple('bad_return_value', opaque('value', out)) };
  }

  private async startOne(
    rec: ChildRecord,
  ): Promise<'ignore' | { error: Term; raw?: boolean } | Process> {
    const out = await this.startProcess(rec);
    if (out instanceof Process) rec.incarnation++;
    return out;
  }

  /** OTP `start_children`: left to right, stop at the first error (reported). */
  private async startChildren(
    group: ChildRecord[],
  ): Promise<{ rec: ChildRecord; id: string; reason: Term } | undefined> {
    for (const rec of group) {
      const out = await this.startOne(rec);
      if (out instanceof Process) rec.pid = out;
      else if (out === 'ignore') {
        if (rec.spec.restart === 'temporary') this.table.remove(rec);
        else rec.pid = undefined;
      } else {
        this.report('start_error', out.error, rec);
        return { rec, id: rec.spec.id, reason: out.error };
      }
    }
    return undefined;
  }

  // ------------------------------------------------------------------ terminating

  /** OTP `do_terminate`: shut the process down, report an unexpected reason. */
  private async doTerminate(rec: ChildRecord): Promise<void> {
    const proc = rec.pid;
    if (!(proc instanceof Process)) return;
    proc.link = undefined;
    const queued = this.takeQueuedExit(proc);
    const res = await shutdownChild(proc, rec.spec, this.system.clock, queued);
    if (!res.ok) this.report('shutdown_error', res.reason, rec);
  }

  /** OTP `terminate_children`: right to left; temporary children are dropped. */
  private async terminateChildren(group: ChildRecord[]): Promise<void> {
    for (const rec of [...group].reverse()) {
      await this.doTerminate(rec);
      if (rec.spec.restart === 'temporary') this.table.remove(rec);
      else rec.pid = undefined;
    }
  }

  /** OTP `terminate_dynamic_children`: every dynamic child at once, one shared timer. */
  private async terminateDynamicChildren(): Promise<void> {
    const spec = (this.table.template as ChildRecord).spec;
    const procs = [...this.table.dyn.keys()].filter((k): k is Process => k instanceof Process);
    const errors = new Map<Term, number>();
    const outcomes = procs.map((proc) => {
      proc.link = undefined;
      const queued = this.takeQueuedExit(proc);
      return shutdownChild(proc, spec, this.system.clock, queued);
    });
    for (const res of await Promise.all(outcomes)) {
      if (!res.ok) errors.set(res.reason, (errors.get(res.reason) ?? 0) + 1);
    }
    for (const reason of errors.keys()) this.report('shutdown_error', reason, this.table.template!);
    this.table.dyn.clear();
  }

  // ------------------------------------------------------------------ child exits and restarts

  /** OTP `restart_child/3` + `do_restart/3`: the EXIT of a child. */
  private onChildExit(from: Process, reason: Term): Verdict | Promise<Verdict> {
    const rec = this.table.findByPid(from);
    if (rec === undefined) return 'ok';
    this.system.emit({
      type: 'child_exited',
      supervisor: this.pid,
      id: rec.spec.id,
      pid: from.pid,
      reason,
    });
    const { restart } = rec.spec;
    if (restart === 'permanent') {
      this.report('child_terminated', reason, rec);
      return this.restart(rec);
    }
    if (isNormalExitReason(reason)) {
      this.table.delChild(rec);
      return this.autoShutdown(rec);
    }
    if (restart === 'transient') {
      this.report('child_terminated', reason, rec);
      return this.restart(rec);
    }
    this.report('child_terminated', reason, rec);
    this.table.delChild(rec);
    return this.autoShutdown(rec);
  }

  private autoShutdown(rec: ChildRecord): Verdict {
    const mode = this.flags.autoShutdown;
    if (mode === 'never' || !rec.spec.significant) return 'ok';
    if (mode === 'any_significant') return 'shutdown';
    if (this.table.template !== undefined) return this.table.dyn.size === 0 ? 'shutdown' : 'ok';
    return this.table.children.some((c) => c.pid !== undefined && c.spec.significant)
      ? 'ok'
      : 'shutdown';
  }

  private tryAgain(key: string | ChildPid): Verdict | Promise<Verdict> {
    if (this.table.template !== undefined) {
      if (!(key instanceof Restarting)) return 'ok';
      const view = this.table.dynView(key);
      return view === undefined ? 'ok' : this.restart(view);
    }
    const rec = this.table.children.find((c) => c.spec.id === key);
    if (rec === undefined || !(rec.pid instanceof Restarting)) return 'ok';
    return this.restart(rec);
  }

  /** OTP `restart/2`: the intensity check first, then the strategy; failures retry later. */
  private async restart(rec: ChildRecord): Promise<Verdict> {
    const { restarts, exceeded } = addRestart(
      this.restartTimes,
      this.system.clock.monotonicSeconds(),
      this.flags.intensity,
      this.flags.period,
    );
    this.restartTimes = restarts;
    if (exceeded) {
      this.report('shutdown', 'reached_max_restart_intensity', rec);
      this.table.delChild(rec);
      return 'shutdown';
    }
    this.countRestart(rec);
    const retry = await this.restartWithStrategy(rec);
    // A cast to itself, so other messages (a shutdown, an API call) can be handled first.
    if (retry !== undefined) this.deliver({ kind: 'try_again', key: retry.key });
    this.system.emit({ type: 'child_restarted', supervisor: this.pid, id: rec.spec.id });
    return 'ok';
  }

  private countRestart(rec: ChildRecord): void {
    rec.restarts++;
    const entry = this.table.template !== undefined ? this.table.dyn.get(rec.pid) : undefined;
    if (entry !== undefined) entry.restarts++;
  }

  private async restartWithStrategy(
    rec: ChildRecord,
  ): Promise<{ key: string | ChildPid } | undefined> {
    switch (this.flags.strategy) {
      case 'simple_one_for_one':
        return this.restartDynamic(rec);
      case 'one_for_one': {
        const out = await this.startOne(rec);
        if (out instanceof Process) rec.pid = out;
        else if (out === 'ignore') rec.pid = undefined;
        else {
          rec.pid = restartingOf(rec.pid);
          this.report('start_error', out.error, rec);
          return { key: rec.spec.id };
        }
        return undefined;
      }
      case 'rest_for_one': {
        const oldPid = rec.pid;
        rec.pid = undefined;
        const group = this.table.children.slice(this.table.children.indexOf(rec));
        return this.restartMultiple(rec, oldPid, group);
      }
      case 'one_for_all': {
        const oldPid = rec.pid;
        this.table.delChild(rec);
        return this.restartMultiple(rec, oldPid, [...this.table.children]);
      }
    }
  }

  /** OTP `restart_multiple_children`: terminate the group right to left, start it left to right. */
  private async restartMultiple(
    rec: ChildRecord,
    oldPid: ChildPid,
    group: ChildRecord[],
  ): Promise<{ key: string } | undefined> {
    await this.terminateChildren(group);
    const remaining = group.filter((c) => this.table.children.includes(c));
    const failed = await this.startChildren(remaining);
    if (failed === undefined) return undefined;
    failed.rec.pid = failed.rec === rec ? restartingOf(oldPid) : new Restarting(undefined);
    return { key: failed.id };
  }

  private async restartDynamic(view: ChildRecord): Promise<{ key: ChildPid } | undefined> {
    const oldKey = view.pid;
    const entry = this.table.dyn.get(oldKey) ?? { args: view.args, incarnation: 0, restarts: 0 };
    if (oldKey instanceof Restarting) this.table.dynRestarts--;
    this.table.dyn.delete(oldKey);
    const out = await this.startProcess(view);
    if (out instanceof Process) {
      entry.incarnation++;
      this.table.dyn.set(out, entry);
      return undefined;
    }
    if (out === 'ignore') {
      this.table.dyn.set(undefined, entry); // OTP stores the `undefined` "pid" here too
      return undefined;
    }
    const key = restartingOf(oldKey);
    this.table.dynRestarts++;
    this.table.dyn.set(key, entry);
    this.report('start_error', out.error, view);
    return { key };
  }

  // ------------------------------------------------------------------ API calls

  /** The answer to `req`, or a promise of it (starting a task is synchronous, see startDynamic). */
  private handleCall(req: Request): unknown {
    const simple = this.table.template !== undefined;
    switch (req.op) {
      case 'start_dynamic':
        if (!simple) return { ok: false, error: 'not_simple_one_for_one' };
        return this.startDynamic(req.args);
      case 'start_child':
        if (simple) return this.startDynamic([req.spec]);
        return this.startStatic(req.spec);
      case 'terminate_child':
        return this.terminateById(req.target);
      case 'restart_child':
        if (simple) return { ok: false, error: 'simple_one_for_one' };
        return this.restartById(req.id);
      case 'delete_child': {
        if (simple) return { ok: false, error: 'simple_one_for_one' };
        const rec = this.table.children.find((c) => c.spec.id === req.id);
        if (rec === undefined) return { ok: false, error: 'not_found' };
        if (rec.pid === undefined) {
          this.table.remove(rec);
          return { ok: true };
        }
        return { ok: false, error: rec.pid instanceof Restarting ? 'restarting' : 'running' };
      }
      case 'which_children':
        return this.table.which();
      case 'count_children':
        return this.table.counts();
    }
  }

  /** `start_child` under simple_one_for_one; synchronous when the start function is (a task). */
  private startDynamic(
    args: readonly unknown[],
  ): SupervisorApiResult | Promise<SupervisorApiResult> {
    const template = this.table.template as ChildRecord;
    if (this.table.dyn.size >= this.flags.maxChildren) return { ok: false, error: 'max_children' };
    const view: ChildRecord = { ...template, args, incarnation: 0, restarts: 0 };
    const out = this.beginStart(view);
    return out instanceof Promise
      ? out.then((o) => this.addDynamic(args, o))
      : this.addDynamic(args, out);
  }

  private addDynamic(args: readonly unknown[], out: StartResult): SupervisorApiResult {
    if (out instanceof Process) {
      this.table.dyn.set(out, { args, incarnation: 1, restarts: 0 });
      return { ok: true, pid: out.pid };
    }
    if (out === 'ignore') return { ok: true, pid: undefined };
    return { ok: false, error: out.error };
  }

  private async startStatic(spec: ChildSpec): Promise<SupervisorApiResult> {
    const checked = checkChildSpec(spec, this.flags.autoShutdown);
    if (!checked.ok) return { ok: false, error: checked.error };
    const existing = this.table.children.find((c) => c.spec.id === checked.value.id);
    if (existing !== undefined) {
      if (existing.pid instanceof Process)
        return { ok: false, error: tuple('already_started', existing.pid.pid) };
      return { ok: false, error: 'already_present' };
    }
    const rec = newRecord(checked.value, []);
    const out = await this.startOne(rec);
    if (out === 'ignore') {
      if (rec.spec.restart === 'temporary') return { ok: true, pid: undefined };
      this.table.children.push(rec);
      return { ok: true, pid: undefined };
    }
    if (out instanceof Process) {
      rec.pid = out;
      this.table.children.push(rec);
      return { ok: true, pid: out.pid };
    }
    if (out.raw === true) return { ok: false, error: out.error };
    return { ok: false, error: tuple(out.error, opaque('child', rec.spec)) };
  }

  private async terminateById(target: string | Pid): Promise<SupervisorApiResult> {
    if (this.table.template !== undefined) {
      if (!(target instanceof Pid)) return { ok: false, error: 'simple_one_for_one' };
      const proc = target.proc;
      let view = this.table.dynView(proc) ?? this.table.dynView(restartingOf(proc) as Restarting);
      if (view === undefined) {
        if (proc.alive) return { ok: false, error: 'not_found' };
        view = { ...(this.table.template as ChildRecord) };
      }
      await this.doTerminate(view);
      this.table.delChild(view);
      return { ok: true };
    }
    const rec = this.table.children.find((c) => c.spec.id === target);
    if (rec === undefined) return { ok: false, error: 'not_found' };
    await this.doTerminate(rec);
    this.table.delChild(rec);
    return { ok: true };
  }

  private async restartById(id: string): Promise<SupervisorApiResult> {
    const rec = this.table.children.find((c) => c.spec.id === id);
    if (rec === undefined) return { ok: false, error: 'not_found' };
    if (rec.pid instanceof Restarting) return { ok: false, error: 'restarting' };
    if (rec.pid !== undefined) return { ok: false, error: 'running' };
    const out = await this.startOne(rec);
    if (out instanceof Process) {
      rec.pid = out;
      return { ok: true, pid: out.pid };
    }
    if (out === 'ignore') return { ok: true, pid: undefined };
    return { ok: false, error: out.error };
  }
}

/** @internal Creates and initialises a supervisor process. */
export async function startSupervisorProcess(
  kernel: Kernel,
  id: string,
  flags: SupervisorFlags,
  specs: readonly ChildSpec[],
): Promise<{ ok: true; sup: SupervisorProcess } | { ok: false; error: Term }> {
  const checked = checkFlags(flags);
  if (!checked.ok) return { ok: false, error: tuple('supervisor_data', checked.error) };
  const sup = new SupervisorProcess(kernel, id, checked.value);
  const failure = await sup.init(specs);
  return failure === undefined ? { ok: true, sup } : { ok: false, error: failure };
}
