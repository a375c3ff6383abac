/** The state a pipeline's stages read and extend. */
export type State = Record<string, unknown>;
type Awaitable<T> = T | Promise<T>;

/** A stage of a pipeline, as data (its module or arms are the pipeline's member named `name`). */
export type PipelineStep =
  | {
      readonly kind: 'transform';
      readonly name: string;
      readonly fn: (s: State) => Awaitable<State>;
    }
  | {
      readonly kind: 'validate';
      readonly name: string;
      readonly check: (s: State) => Awaitable<string | boolean | null | undefined | void>;
    }
  | {
      readonly kind: 'predict';
      readonly name: string;
      readonly select?: (s: State) => State;
      readonly outputs?: readonly string[];
    }
  | {
      readonly kind: 'branch';
      readonly name: string;
      readonly choose: (s: State) => Awaitable<string>;
      readonly arms: readonly string[];
      readonly otherwise?: string;
    }
  | {
      readonly kind: 'parallel';
      readonly name: string;
      readonly branches: readonly string[];
      readonly join?: (results: Record<string, State>, state: State) => Awaitable<State>;
    };

/**
 * One node of a pipeline's job DAG: a stage, or one branch of a parallel stage. `previous` is the
 * node whose output is the state the node starts from (none for the first stage: the run input).
 */
export interface PipelineNode {
  readonly id: string;
  readonly after: readonly string[];
  readonly previous?: string;
  readonly step: PipelineStep;
  /** Set on the branch nodes of a parallel stage. */
  readonly branch?: string;
}

/** The DAG of a pipeline's steps (see `Pipeline.nodes`). */
export function pipelineNodes(steps: readonly PipelineStep[]): PipelineNode[] {
  const nodes: PipelineNode[] = [];
  let previous: string | undefined;
  for (const step of steps) {
    const prev = previous === undefined ? [] : [previous];
    const from = previous === undefined ? {} : { previous };
    if (step.kind === 'parallel') {
      const branchIds = step.branches.map((b) => `${step.name}__${b}`);
      step.branches.forEach((branch, i) =>
        nodes.push({ id: branchIds[i] as string, after: prev, ...from, step, branch }),
      );
      nodes.push({ id: step.name, after: [...prev, ...branchIds], ...from, step });
    } else nodes.push({ id: step.name, after: prev, ...from, step });
    previous = step.name;
  }
  return nodes;
}

/** The state after a parallel stage: the base plus each branch's fields, or the join's. */
export async function joinBranches(
  step: Extract<PipelineStep, { kind: 'parallel' }>,
  base: State,
  results: Record<string, State>,
): Promise<State> {
  if (step.join === undefined)
    return Object.assign({ ...base }, ...step.branches.map((b) => results[b] ?? {}));
  return { ...base, ...(await step.join(results, base)) };
}
