import type { RuntimeEventView } from '../daemon/index.js';

/** `done` out of `total` read off a runtime event. */
export interface ProgressPoint {
  done: number;
  total: number;
  /** The run or evaluation the event belongs to, when it says. */
  id?: string;
  /** The evaluation shard the count belongs to (counts are per shard). */
  shard?: number;
  score?: number;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Reads progress off a runtime event whose `type` names progress (`evaluation.progress`,
 * `optimization.progress`, …) and that carries `done`/`total` (or `processed`/`total`) either at
 * its top level or under `progress`. Other events give `undefined`. Structural on purpose: the CLI
 * does not know the runtime's event union.
 */
export function progressOf(
  event: RuntimeEventView,
  kind: 'evaluation' | 'optimization',
): ProgressPoint | undefined {
  if (
    !event.type.includes('progress') ||
    !event.type.includes(kind === 'evaluation' ? 'eval' : 'optim')
  )
    return undefined;
  const e = event as unknown as Record<string, unknown>;
  const inner = (typeof e.progress === 'object' && e.progress !== null ? e.progress : {}) as Record<
    string,
    unknown
  >;
  const done =
    num(e.done) ??
    num(inner.done) ??
    num(e.processed) ??
    num(inner.processed) ??
    num(e.completed) ??
    num(inner.completed);
  const total = num(e.total) ?? num(inner.total);
  if (done === undefined) return undefined;
  const id = [e.runId, e.evalId, e.evaluationId, e.id].find((v) => typeof v === 'string') as
    string | undefined;
  const score = num(e.score) ?? num(inner.score) ?? num(e.bestScore) ?? num(inner.bestScore);
  return {
    done,
    total: total ?? 0,
    ...(id === undefined ? {} : { id }),
    ...(num(e.shard) === undefined ? {} : { shard: num(e.shard)! }),
    ...(score === undefined ? {} : { score }),
  };
}
