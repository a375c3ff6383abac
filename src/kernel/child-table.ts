import type { ResolvedChildSpec } from './child-spec.js';
import { Process } from './process.js';
import type { ChildCounts, ChildInfo } from './supervisor-api.js';

/** OTP's `{restarting, OldPid}`: a child waiting for a `try_again_restart`. @internal */
export class Restarting {
  constructor(readonly old: Process | undefined) {}
}

/** What a child record holds: a process, a pending restart, or nothing. @internal */
export type ChildPid = Process | Restarting | undefined;

const restartingKeys = new WeakMap<Process, Restarting>();

/** OTP's `restarting/1`: one interned marker per old pid, so it can key the dynamic map. @internal */
export function restartingOf(pid: ChildPid): ChildPid {
  if (!(pid instanceof Process)) return pid;
  let r = restartingKeys.get(pid);
  if (r === undefined) restartingKeys.set(pid, (r = new Restarting(pid)));
  return r;
}

/** A child spec plus its process (OTP's `#child{}`), and counters for inspection. @internal */
export interface ChildRecord {
  readonly spec: ResolvedChildSpec;
  pid: ChildPid;
  /** Extra start arguments (simple_one_for_one dynamic children). */
  readonly args: readonly unknown[];
  /** Starts of this spec (or dynamic child) that produced a process. */
  incarnation: number;
  /** Restarts attempted for it. */
  restarts: number;
}

interface DynEntry {
  readonly args: readonly unknown[];
  incarnation: number;
  restarts: number;
}

/** @internal */
export function newRecord(spec: ResolvedChildSpec, args: readonly unknown[]): ChildRecord {
  return { spec, pid: undefined, args, incarnation: 0, restarts: 0 };
}

/**
 * A supervisor's children (OTP `#state.children` / `#state.dynamics`): an ordered list of
 * records (start order), or, under simple_one_for_one, the template and a map of dynamic
 * children keyed by pid (or restarting marker). Pure bookkeeping, no processes are touched.
 * @internal
 */
export class ChildTable {
  children: ChildRecord[] = [];
  template: ChildRecord | undefined;
  readonly dyn = new Map<ChildPid, DynEntry>();
  dynRestarts = 0;

  remove(rec: ChildRecord): void {
    this.children = this.children.filter((c) => c !== rec);
  }

  /** OTP `del_child`: temporary specs go, others keep their spec without a process. */
  delChild(rec: ChildRecord): void {
    if (this.template !== undefined) {
      this.dyn.delete(rec.pid);
      return;
    }
    if (rec.spec.restart === 'temporary') this.remove(rec);
    else rec.pid = undefined;
  }

  findByPid(proc: Process): ChildRecord | undefined {
    if (this.template !== undefined) return this.dynView(proc);
    return this.children.find((c) => c.pid === proc);
  }

  /** A dynamic child as a record (the template with that child's pid and arguments). */
  dynView(key: ChildPid): ChildRecord | undefined {
    const entry = this.dyn.get(key);
    if (entry === undefined) return undefined;
    const template = this.template as ChildRecord;
    return {
      spec: template.spec,
      pid: key,
      args: entry.args,
      incarnation: entry.incarnation,
      restarts: entry.restarts,
    };
  }

  records(): ChildRecord[] {
    if (this.template === undefined) return [...this.children];
    return [...this.dyn.keys()].map((k) => this.dynView(k) as ChildRecord);
  }

  which(): ChildInfo[] {
    const show = (pid: ChildPid): ChildInfo['pid'] =>
      pid instanceof Process ? pid.pid : pid instanceof Restarting ? 'restarting' : undefined;
    if (this.template !== undefined) {
      const type = this.template.spec.type;
      return [...this.dyn.keys()].map((k) => ({ id: undefined, pid: show(k), type }));
    }
    return this.children.map((c) => ({ id: c.spec.id, pid: show(c.pid), type: c.spec.type }));
  }

  counts(): ChildCounts {
    if (this.template !== undefined) {
      const size = this.dyn.size;
      const sup = this.template.spec.type === 'supervisor';
      return {
        specs: 1,
        active: size - this.dynRestarts,
        supervisors: sup ? size : 0,
        workers: sup ? 0 : size,
      };
    }
    const counts: ChildCounts = { specs: 0, active: 0, supervisors: 0, workers: 0 };
    for (const c of this.children) {
      counts.specs++;
      if (c.pid instanceof Process && c.pid.alive) counts.active++;
      if (c.spec.type === 'supervisor') counts.supervisors++;
      else counts.workers++;
    }
    return counts;
  }
}
