import type { ProcessSnapshot } from '../src/kernel/index.js';
import type { RuntimeNode } from './runtime-types.js';

/** Extra per-node facts the kernel cannot know (jobs in a bridge, a worker's job, pool state). */
export interface NodeDescriber {
  /** Details of a node by id (static children). */
  byId(id: string): { inFlight?: number; details?: Record<string, unknown> } | undefined;
  /** Details of a dynamic child by printable pid. */
  byPid(pid: string): Record<string, unknown> | undefined;
  /** Abnormal exits of a supervisor's children (by the supervisor's id). */
  crashes?(id: string): number;
}

/** Maps the kernel's tree snapshot to the runtime's (`inFlight`, `details`). */
export function toRuntimeNode(node: ProcessSnapshot, describe: NodeDescriber): RuntimeNode {
  const extra = describe.byId(node.id);
  const children = node.children?.map((c) => toRuntimeNode(c, describe));
  const details = extra?.details ?? (node.pid === undefined ? undefined : describe.byPid(node.pid));
  const out: RuntimeNode = {
    id: node.id,
    kind: node.kind,
    status: node.status,
    restarts: node.restarts,
    inFlight:
      extra?.inFlight ??
      (node.kind === 'supervisor'
        ? (children?.filter((c) => c.kind === 'worker' && c.status === 'running').length ?? 0)
        : node.inFlightCalls),
  };
  if (node.kind === 'supervisor' && describe.crashes !== undefined)
    out.crashes = describe.crashes(node.id);
  if (node.state !== undefined) out.state = node.state;
  if (node.startedAt !== undefined) out.startedAt = node.startedAt;
  if (node.pid !== undefined) out.pid = node.pid;
  if (details !== undefined) out.details = details;
  if (children !== undefined) out.children = children;
  return out;
}
