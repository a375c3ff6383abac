import type { Process } from './process.js';
import { SupervisorProcess } from './supervisor.js';
import { Restarting } from './child-table.js';
import type { ChildRecord } from './child-table.js';
import { TaskProcess } from './task.js';
import { ActorProcess } from './worker.js';

/** One node of the supervision tree snapshot (`dspex inspect --json`). */
export interface ProcessSnapshot {
  id: string;
  kind: 'supervisor' | 'worker';
  /** `running`, `restarting` (retry pending), `stopped` (spec without a process) or `dead`. */
  status: 'running' | 'restarting' | 'stopped' | 'dead';
  /** Printable pid, when there is a process. */
  pid?: string;
  /** The xstate snapshot's `value` (state), for workers running a state machine. */
  state?: unknown;
  /** Number of processes started for this spec (1 for the first start). */
  incarnation: number;
  /** Restarts attempted for this spec by its supervisor. */
  restarts: number;
  /** Calls waiting for this worker's reply. */
  inFlightCalls: number;
  /** Start time (clock ms) of the current process. */
  startedAt?: number;
  /** Children of a supervisor, in start order. */
  children?: ProcessSnapshot[];
}

function nodeOf(
  id: string,
  proc: Process | undefined,
  status: ProcessSnapshot['status'],
  rec?: ChildRecord,
): ProcessSnapshot {
  const kind = proc?.kind ?? (rec?.spec.type === 'supervisor' ? 'supervisor' : 'worker');
  const node: ProcessSnapshot = {
    id,
    kind,
    status,
    incarnation: rec?.incarnation ?? 1,
    restarts: rec?.restarts ?? 0,
    inFlightCalls: proc instanceof ActorProcess ? proc.inFlightCalls : 0,
  };
  if (proc !== undefined) {
    node.pid = proc.pid.toString();
    node.startedAt = proc.startedAt;
  }
  if (proc instanceof ActorProcess) {
    const snap = proc.actor.getSnapshot() as { value?: unknown };
    if (snap.value !== undefined) node.state = snap.value;
  }
  // A task has one state while it lives: running its function.
  if (proc instanceof TaskProcess && proc.alive) node.state = 'running';
  if (proc instanceof SupervisorProcess && proc.alive) {
    node.children = proc.childRecords().map((c) => {
      const pid = c.pid;
      if (pid instanceof Restarting) return nodeOf(c.spec.id, undefined, 'restarting', c);
      if (pid === undefined) return nodeOf(c.spec.id, undefined, 'stopped', c);
      return nodeOf(c.spec.id, pid, pid.alive ? 'running' : 'dead', c);
    });
  }
  return node;
}

/**
 * A snapshot of a whole supervision tree: each node's id, kind, status, xstate state value,
 * incarnation, restarts, in-flight calls, start time and children.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(inspectTree(root), null, 2));
 * ```
 */
export function inspectTree(sup: SupervisorProcess): ProcessSnapshot {
  return nodeOf(sup.id, sup, sup.alive ? 'running' : 'dead');
}
