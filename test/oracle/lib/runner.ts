/**
 * Runs oracle scenarios on the TS kernel and produces exactly the Erlang driver's output:
 * fake workers are real xstate actors, supervisors are kernel supervisors, time is a FakeClock
 * started at a whole second that moves only through `sleep` and shutdown timeouts waited for.
 */
import type {
  ChildSpec,
  Pid,
  StartFunction,
  SupervisorFlags,
  SupervisorProcess,
  Term,
} from '../../../src/kernel/index.js';
import {
  actorWorker,
  apiResultToTerm,
  countsToTerm,
  createKernel,
  FakeClock,
  flushMicrotasks,
  formatTerm,
} from '../../../src/kernel/index.js';
import { fakeWorker } from './fake-worker.js';
import type { Action, Attrs, Decl, Part, ScnFlags, ScnOpts, ScnSpec } from './scenario.js';
import { ScnError, workerDecl } from './scenario.js';

/** A run-time scenario error: the driver exits 3 with the message and the part's log so far. */
export class ScenarioRuntimeError extends Error {
  constructor(
    readonly line: number,
    message: string,
    readonly logSoFar: string[],
  ) {
    super(message);
  }
}

interface Info {
  kind: 'worker' | 'sup';
  id: string;
  n: number;
  seq: number;
}

export function numbered(lines: readonly string[]): string {
  return lines.map((l, i) => `${i + 1 < 10 ? '0' : ''}${i + 1} ${l}\n`).join('');
}

function toFlags(f: ScnFlags): SupervisorFlags {
  const out: SupervisorFlags = {};
  if (f.strategy !== undefined) out.strategy = f.strategy;
  if (f.intensity !== undefined) out.intensity = f.intensity;
  if (f.period !== undefined) out.period = f.period;
  if (f.auto_shutdown !== undefined) out.autoShutdown = f.auto_shutdown;
  return out;
}

function withSpec(base: ChildSpec, s: ScnSpec): ChildSpec {
  const spec: ChildSpec = { ...base };
  if (s.restart !== undefined) spec.restart = s.restart;
  if (s.shutdown !== undefined) spec.shutdown = s.shutdown;
  if (s.significant !== undefined) spec.significant = s.significant;
  return spec;
}

class PartRun {
  readonly log: string[] = [];
  private readonly clock = new FakeClock(1_000_000);
  private readonly kernel = createKernel({ clock: this.clock });
  private readonly inc = new Map<string, number>();
  private readonly cur = new Map<string, Pid>();
  private readonly info = new Map<Pid, Info>();
  private seq = 0;
  private line = 0;
  private root: SupervisorProcess | undefined;
  private readonly supIds: Set<string>;
  private readonly s1o1: Set<string>;
  private readonly parents = new Map<string, string>();
  private readonly templates = new Map<string, Decl>();

  constructor(private readonly part: Part) {
    const supFlags = new Map<string, ScnFlags>([['root', part.flags]]);
    for (const d of part.decls) if (d.kind === 'sup') supFlags.set(d.id, d.flags ?? {});
    this.supIds = new Set(part.decls.filter((d) => d.kind === 'sup').map((d) => d.id));
    this.s1o1 = new Set(
      [...supFlags].filter(([, f]) => f.strategy === 'simple_one_for_one').map(([id]) => id),
    );
    for (const d of part.decls) {
      this.parents.set(d.id, d.parent);
      if (this.s1o1.has(d.parent)) this.templates.set(d.parent, d);
    }
    this.kernel.subscribe((e) => {
      if (e.type === 'supervisor_report')
        this.ev(
          `sup_report ${e.errorContext} ${formatTerm(e.offender.id)} ${formatTerm(e.reason)}`,
        );
    });
  }

  private ev(line: string): void {
    this.log.push(line);
  }

  private rtError(msg: string): never {
    throw new ScenarioRuntimeError(this.line, msg, this.log);
  }

  private nextInc(id: string): number {
    const n = (this.inc.get(id) ?? 0) + 1;
    this.inc.set(id, n);
    return n;
  }

  private outcome(n: number, opts: ScnOpts): 'fail' | 'ignore' | 'start' {
    if (opts.fail_on?.includes(n)) return 'fail';
    if (opts.ignore_on?.includes(n)) return 'ignore';
    return 'start';
  }

  private watch(pid: Pid, kind: 'worker' | 'sup', id: string, n: number): void {
    this.info.set(pid, { kind, id, n, seq: this.seq++ });
    this.cur.set(id, pid);
    this.kernel.monitor(pid, (reason) => {
      if (kind === 'worker' && reason === 'killed') this.ev(`killed ${id}#${n}`);
      if (kind === 'sup') this.ev(`down ${id}#${n} ${formatTerm(reason)}`);
    });
  }

  /** The driver's `child_start(Id, Opts)`. */
  private workerStart(fixed?: { id: string; opts: ScnOpts }): StartFunction {
    return (ctx, ...args) => {
      const id = fixed?.id ?? (args[0] as string);
      const opts = fixed?.opts ?? (args[1] as ScnOpts);
      const n = this.nextInc(id);
      const o = this.outcome(n, opts);
      if (o === 'fail') {
        this.ev(`start_failed ${id}#${n} nope`);
        return { error: 'nope' };
      }
      if (o === 'ignore') {
        this.ev(`start_ignored ${id}#${n}`);
        return 'ignore';
      }
      const start = actorWorker(fakeWorker, {
        input: { id, n, deaf: opts.deaf ?? false, log: (l: string) => this.ev(l) },
        trapShutdown: true,
      });
      const pid = start(ctx) as Pid;
      this.watch(pid, 'worker', id, n);
      this.ev(`start ${id}#${n}`);
      return pid;
    };
  }

  /** The driver's `sup_start(Id, Opts, {Flags, Specs})`. */
  private supStart(decl: Decl): StartFunction {
    return async () => {
      const n = this.nextInc(decl.id);
      const o = this.outcome(n, decl.opts);
      if (o === 'fail') {
        this.ev(`start_failed ${decl.id}#${n} nope`);
        return { error: 'nope' };
      }
      if (o === 'ignore') {
        this.ev(`start_ignored ${decl.id}#${n}`);
        return 'ignore';
      }
      const r = await this.kernel.startSupervisor(
        toFlags(decl.flags ?? {}),
        this.specsFor(decl.id),
        {
          id: decl.id,
        },
      );
      if (!r.ok) {
        this.ev(`start_failed ${decl.id}#${n} ${formatTerm(r.error)}`);
        return { error: r.error };
      }
      this.watch(r.sup.pid, 'sup', decl.id, n);
      this.ev(`start ${decl.id}#${n}`);
      return r.sup.pid;
    };
  }

  private specsFor(supId: string): ChildSpec[] {
    return this.part.decls
      .filter((d) => d.parent === supId)
      .map((d) => {
        if (d.kind === 'sup')
          return withSpec({ id: d.id, type: 'supervisor', start: this.supStart(d) }, d.spec);
        const start = this.s1o1.has(supId)
          ? this.workerStart()
          : this.workerStart({ id: d.id, opts: d.opts });
        return withSpec({ id: d.id, start }, d.spec);
      });
  }

  private async settle(): Promise<void> {
    await this.clock.settle();
  }

  /** Awaits a kernel call, moving fake time through the timers it waits for (if any). */
  private async wait<T>(p: Promise<T>): Promise<T> {
    let done = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    await flushMicrotasks();
    while (!done) {
      if (!this.clock.runNext()) this.rtError('supervision tree did not settle');
      await flushMicrotasks();
    }
    return p;
  }

  async run(): Promise<void> {
    const r = await this.wait(
      this.kernel.startSupervisor(toFlags(this.part.flags), this.specsFor('root')),
    );
    await this.settle();
    if (!r.ok) {
      this.ev(`start_link_result {error,${formatTerm(r.error)}}`);
      this.ev(`sup_exit ${formatTerm(r.error)}`);
      return;
    }
    this.root = r.sup;
    for (const a of this.part.actions) {
      this.line = a.line;
      if ((await this.exec(a)) === 'ended') return;
      await this.settle();
      if (!this.root.alive) {
        this.ev(`sup_exit ${formatTerm(this.root.exitReason ?? 'noproc')}`);
        return;
      }
    }
    await this.doStop();
  }

  private async doStop(): Promise<'ended'> {
    const root = this.root as SupervisorProcess;
    const reason = await this.wait(root.stop('shutdown'));
    this.ev(`sup_exit ${formatTerm(reason)}`);
    return 'ended';
  }

  private supPid(supId: string): SupervisorProcess {
    if (supId === 'root') return this.root as SupervisorProcess;
    if (!this.supIds.has(supId)) this.rtError(`${supId} is not a supervisor`);
    const pid = this.cur.get(supId);
    if (pid === undefined || !pid.alive) this.rtError(`supervisor ${supId} is not running`);
    return pid.proc as SupervisorProcess;
  }

  private async childrenStr(supId: string): Promise<string> {
    const sup = this.supPid(supId);
    let children = await sup.whichChildren();
    if (this.s1o1.has(supId)) {
      const key = (c: (typeof children)[number]): [number, number] =>
        c.pid !== undefined && c.pid !== 'restarting'
          ? [0, this.info.get(c.pid)?.seq ?? 0]
          : [1, 0];
      children = children
        .map((c, i) => ({ c, i, k: key(c) }))
        .sort((x, y) => x.k[0] - y.k[0] || x.k[1] - y.k[1] || x.i - y.i)
        .map((x) => x.c);
    }
    return children
      .map((c) => {
        const id = c.id ?? 'undefined';
        if (c.pid === undefined || c.pid === 'restarting') return ` ${id}=${c.pid ?? 'undefined'}`;
        const info = this.info.get(c.pid);
        return info === undefined ? ` ${id}=<pid>` : ` ${info.id}#${info.n}`;
      })
      .join('');
  }

  private async exec(a: Action): Promise<'ended' | 'continue'> {
    switch (a.op) {
      case 'crash': {
        const pid = this.cur.get(a.id);
        if (pid === undefined) this.rtError(`crash: ${a.id} has never run`);
        if (this.info.get(pid)?.kind !== 'worker')
          this.rtError(`crash: ${a.id} is a supervisor; only workers can be crashed`);
        if (!pid.alive) this.rtError(`crash: ${a.id} is not running`);
        this.kernel.cast(pid, { type: 'crash', reason: a.reason });
        return 'continue';
      }
      case 'sleep':
        await this.clock.advance(a.ms);
        return 'continue';
      case 'terminate_child':
      case 'restart_child':
      case 'delete_child': {
        const supId = a.attrs.parent ?? this.parents.get(a.id) ?? 'root';
        const sup = this.supPid(supId);
        const arg: string | Pid = this.s1o1.has(supId) ? (this.cur.get(a.id) ?? a.id) : a.id;
        const r =
          a.op === 'terminate_child'
            ? await this.wait(sup.terminateChild(arg))
            : a.op === 'restart_child'
              ? await this.wait(sup.restartChild(typeof arg === 'string' ? arg : a.id))
              : await this.wait(sup.deleteChild(typeof arg === 'string' ? arg : a.id));
        this.ev(`result ${a.op} ${a.id} ${formatTerm(apiResultToTerm(r))}`);
        return 'continue';
      }
      case 'start_child':
        return this.startChild(a.id, a.attrs);
      case 'which_children':
        this.ev(`which_children ${a.sup}${await this.childrenStr(a.sup)}`);
        return 'continue';
      case 'count_children': {
        const counts = await this.supPid(a.sup).countChildren();
        this.ev(`count_children ${a.sup} ${formatTerm(countsToTerm(counts))}`);
        return 'continue';
      }
      case 'alive': {
        if (a.sup !== 'root' && !this.supIds.has(a.sup))
          this.rtError(`alive: ${a.sup} is not a supervisor`);
        const alive =
          a.sup === 'root'
            ? (this.root as SupervisorProcess).alive
            : (this.cur.get(a.sup)?.alive ?? false);
        this.ev(`alive ${a.sup} ${alive}`);
        return 'continue';
      }
      case 'final': {
        const root = this.root as SupervisorProcess;
        this.ev(`final children${await this.childrenStr('root')}`);
        this.ev(`final counts ${formatTerm(countsToTerm(await root.countChildren()))}`);
        return this.doStop();
      }
      case 'stop':
        return this.doStop();
    }
  }

  private async startChild(id: string, a: Attrs): Promise<'continue'> {
    const supId = a.parent ?? 'root';
    const sup = this.supPid(supId);
    const template = this.templates.get(supId);
    let arg: ChildSpec | unknown[];
    if (template !== undefined) {
      const bad = (['restart', 'shutdown', 'significant'] as const).filter(
        (k) => a[k] !== undefined,
      );
      if (bad.length > 0)
        this.rtError(
          `start_child on simple_one_for_one ${supId}: [${bad.join(',')}] come from the template`,
        );
      if (this.parents.has(id)) this.rtError(`start_child: tag ${id} already used`);
      const opts: ScnOpts = { ...template.opts };
      if (a.fail_on !== undefined) opts.fail_on = a.fail_on;
      if (a.ignore_on !== undefined) opts.ignore_on = a.ignore_on;
      if (a.deaf !== undefined) opts.deaf = a.deaf;
      if (opts.deaf === true && (template.spec.shutdown ?? 5000) === 'infinity')
        this.rtError('deaf child with shutdown=infinity');
      arg = [id, opts];
    } else {
      const owner = this.parents.get(id);
      if (owner !== undefined && owner !== supId)
        this.rtError(`start_child: id ${id} belongs to ${owner}`);
      let decl: Decl;
      try {
        decl = workerDecl(this.line, id, a);
      } catch (e) {
        if (e instanceof ScnError) this.rtError(`start_child: ${e.message}`);
        throw e;
      }
      arg = withSpec({ id, start: this.workerStart({ id, opts: decl.opts }) }, decl.spec);
    }
    const r = await this.wait(sup.startChild(arg));
    this.ev(`result start_child ${id} ${formatTerm(apiResultToTerm(r))}`);
    this.parents.set(id, supId);
    return 'continue';
  }
}

/** Output of a scenario run, as the driver would produce it. */
export interface RunOutput {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs parsed parts; a run-time error stops everything with status 3 (earlier parts printed). */
export async function runParts(parts: readonly Part[]): Promise<RunOutput> {
  let stdout = '';
  for (const part of parts) {
    const run = new PartRun(part);
    try {
      await run.run();
    } catch (e) {
      if (!(e instanceof ScenarioRuntimeError)) throw e;
      const stderr = `driver: line ${e.line}: ${e.message}\ndriver: log so far:\n${numbered(e.logSoFar)}`;
      return { stdout, stderr, code: 3 };
    }
    if (part.name !== undefined) stdout += `-- part ${part.name} --\n`;
    stdout += numbered(run.log);
  }
  return { stdout, stderr: '', code: 0 };
}

export type { Term };
