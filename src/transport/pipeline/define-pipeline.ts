import { TransportError } from '../errors.js';
import type { StageTopology } from './run-ledger.js';

/** One stage of a pipeline: the stages whose outputs it needs. */
export interface StageSpec<S extends string = string> {
  /** Parent stages; `[]` for a root. The stage runs once all of them have finished. */
  readonly after: readonly S[];
}

/** A pipeline declaration: a DAG of named stages. */
export interface PipelineSpec<S extends string = string> {
  /** Name used in job payloads and the default queue name. `[A-Za-z0-9_-]+`, default `pipeline`. */
  readonly name?: string;
  /** Stage names are inferred from the keys; `after` may only name declared stages. */
  readonly stages: { readonly [K in S]: StageSpec<NoInfer<S>> };
}

/** A validated pipeline: the DAG with its derived views. */
export interface Pipeline<S extends string = string> {
  readonly name: string;
  /** Every stage in a topological order (parents before children; ties in declaration order). */
  readonly stages: readonly S[];
  /** Stages with no parents: started with the run. */
  readonly roots: readonly S[];
  /** Stages with no children: their outputs are the run's result. */
  readonly sinks: readonly S[];
  parentsOf(stage: S): readonly S[];
  childrenOf(stage: S): readonly S[];
  /** What the run ledger needs to record `stage` atomically. */
  topologyOf(stage: S): StageTopology;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const STAGE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function invalid(message: string, details: Record<string, unknown>): TransportError {
  return new TransportError('invalid_options', message, { details });
}

/**
 * Validates a DAG of stages (names, known and distinct parents, no cycle) and returns the
 * {@link Pipeline}. Throws `TransportError` `invalid_options` naming the offending stage; use
 * {@link safeDefinePipeline} for a result instead.
 *
 * @example
 * ```ts
 * const diamond = definePipeline({
 *   name: 'diamond',
 *   stages: { a: { after: [] }, b: { after: ['a'] }, c: { after: ['a'] }, d: { after: ['b', 'c'] } },
 * });
 * diamond.stages; // ['a', 'b', 'c', 'd']; diamond.sinks: ['d']
 * ```
 */
export function definePipeline<S extends string>(spec: PipelineSpec<S>): Pipeline<S> {
  const name = spec.name ?? 'pipeline';
  if (!NAME.test(name))
    throw invalid(`pipeline name ${JSON.stringify(name)} must match ${NAME}`, { name });
  const declared = Object.keys(spec.stages) as S[];
  if (declared.length === 0) throw invalid(`pipeline ${name} has no stages`, { name });
  const parents = new Map<S, readonly S[]>();
  const children = new Map<S, S[]>(declared.map((s) => [s, []]));
  for (const stage of declared) {
    if (!STAGE.test(stage))
      throw invalid(`stage name ${JSON.stringify(stage)} must match ${STAGE}`, { stage });
    const after = spec.stages[stage].after;
    if (!Array.isArray(after)) throw invalid(`stage ${stage}: "after" must be an array`, { stage });
    for (const parent of after) {
      if (parent === stage) throw invalid(`stage ${stage} cannot run after itself`, { stage });
      if (!children.has(parent))
        throw invalid(`stage ${stage} runs after unknown stage ${JSON.stringify(parent)}`, {
          stage,
          parent,
        });
    }
    if (new Set(after).size !== after.length)
      throw invalid(`stage ${stage} lists a parent twice`, { stage, after });
    parents.set(stage, [...after]);
    for (const parent of after) children.get(parent)?.push(stage);
  }
  const order = topologicalOrder(declared, parents, children);
  const roots = declared.filter((s) => (parents.get(s) ?? []).length === 0);
  const sinks = declared.filter((s) => (children.get(s) ?? []).length === 0);
  const topologies = new Map<S, StageTopology>(
    declared.map((s) => [
      s,
      {
        children: Object.fromEntries((children.get(s) ?? []).map((c) => [c, parents.get(c) ?? []])),
        sinks,
      },
    ]),
  );
  return Object.freeze({
    name,
    stages: order,
    roots,
    sinks,
    parentsOf: (stage: S) => parents.get(stage) ?? [],
    childrenOf: (stage: S) => children.get(stage) ?? [],
    topologyOf: (stage: S) => topologies.get(stage) ?? { children: {}, sinks },
  });
}

/** {@link definePipeline} returning a result instead of throwing. */
export function safeDefinePipeline<S extends string>(
  spec: PipelineSpec<S>,
): { ok: true; pipeline: Pipeline<S> } | { ok: false; error: TransportError } {
  try {
    return { ok: true, pipeline: definePipeline(spec) };
  } catch (error) {
    if (error instanceof TransportError) return { ok: false, error };
    throw error;
  }
}

/** Kahn's algorithm; leftover stages form at least one cycle, reported by name. */
function topologicalOrder<S extends string>(
  declared: readonly S[],
  parents: ReadonlyMap<S, readonly S[]>,
  children: ReadonlyMap<S, readonly S[]>,
): S[] {
  const pending = new Map(declared.map((s) => [s, (parents.get(s) ?? []).length]));
  const order: S[] = [];
  let ready = declared.filter((s) => pending.get(s) === 0);
  while (ready.length > 0) {
    order.push(...ready);
    const next: S[] = [];
    for (const stage of ready) {
      for (const child of children.get(stage) ?? []) {
        const left = (pending.get(child) ?? 0) - 1;
        pending.set(child, left);
        if (left === 0) next.push(child);
      }
    }
    ready = declared.filter((s) => next.includes(s));
  }
  if (order.length !== declared.length) {
    const cycle = declared.filter((s) => !order.includes(s));
    throw invalid(`pipeline has a cycle through ${cycle.join(', ')}`, { stages: cycle });
  }
  return order;
}
