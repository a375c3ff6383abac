import type { ChildSpec } from '../src/kernel/index.js';
import { actorWorker } from '../src/kernel/index.js';
import {
  PipelineRunner,
  definePipeline,
  type JsonValue,
  type StageInvocation,
  type Transport,
} from '../src/transport/index.js';
import { context, currentSettings } from '../src/modules/index.js';
import { Pipeline, type State } from '../src/pipeline/index.js';
import { queueBridgeMachine, type ProgramCatalog } from '../actors/index.js';
import type { HandlerDeps } from './job-handlers.js';
import { executeInTree, toJobError } from './job-handlers.js';

/**
 * A pipeline of programs: a DAG of stages, each running one hosted program. A stage's inputs are
 * the run's input merged with its parents' outputs (later parents win), restricted to the
 * program's input fields when it is a single predictor.
 *
 * @example
 * ```ts
 * pipelines: { answer: { stages: { draft: { program: 'qa', after: [] }, polish: { program: 'rewrite', after: ['draft'] } } } }
 * ```
 */
export interface PipelineDeclaration {
  stages: Record<string, { program: string; after: string[] }>;
  /** Attempts per stage (default 3). */
  attempts?: number;
}

/**
 * What a pipelines record holds: a DAG of hosted programs, or a {@link Pipeline} module whose
 * stages (and parallel branches) become the DAG's stage jobs.
 */
export type PipelineEntry = PipelineDeclaration | Pipeline;

/** A running pipeline: its runner (producer side) and the stage bridge spec (consumer side). */
export interface HostedPipeline {
  name: string;
  runner: PipelineRunner<string>;
  bridge: ChildSpec;
}

function stageInputs(
  catalog: ProgramCatalog,
  program: string,
  invocation: StageInvocation,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...invocation.input };
  for (const out of Object.values(invocation.parents)) {
    const outputs = (out as { outputs?: Record<string, unknown> } | null)?.outputs;
    if (outputs !== undefined) Object.assign(merged, outputs);
  }
  const first = catalog.get(program).namedPredictors()[0]?.[1];
  if (first === undefined) return merged;
  const names = new Set(first.signature.inputFields.map((f) => f.name));
  return Object.fromEntries(Object.entries(merged).filter(([k]) => names.has(k)));
}

/**
 * Builds each declared pipeline's runner and its stage bridge (queue `dspex-pipeline-<name>`):
 * stage jobs run as executions on program workers, recorded once per stage job id.
 */
export function hostPipelines(
  declarations: Record<string, PipelineEntry>,
  transport: Transport,
  deps: HandlerDeps,
  bridge: { concurrency: number; drainTimeoutMs: number },
): HostedPipeline[] {
  return Object.entries(declarations).map(([name, decl]) => {
    const runner =
      decl instanceof Pipeline
        ? moduleRunner(name, decl, transport, deps)
        : programsRunner(name, decl, transport, deps);
    return hostedPipeline(name, runner, transport, bridge);
  });
}

/**
 * The runner of a {@link Pipeline} module: each stage node is a job whose handler runs that stage
 * of the node's own copy of the pipeline (every node loads the same programs module) with the
 * node's default LM. A node's output is `{ outputs: state }`, so the sink's is the final state,
 * shaped as a run result.
 */
function moduleRunner(
  name: string,
  module: Pipeline,
  transport: Transport,
  deps: HandlerDeps,
): PipelineRunner<string> {
  const nodes = module.nodes();
  const pipeline = definePipeline({
    name,
    stages: Object.fromEntries(nodes.map((n) => [n.id, { after: [...n.after] }])),
  });
  return new PipelineRunner<string>({
    transport,
    pipeline,
    handler: async (invocation) => {
      const parents: Record<string, State> = {};
      for (const [parent, out] of Object.entries(invocation.parents))
        parents[parent] = ((out as { outputs?: State } | null)?.outputs ?? {}) as State;
      const lm = deps.services.defaultLm?.() ?? currentSettings().lm;
      try {
        const state = await context(
          { ...(lm === undefined ? {} : { lm }), signal: invocation.signal },
          () => module.runNode(invocation.stage, invocation.input, parents),
        );
        return { outputs: JSON.parse(JSON.stringify(state)) as JsonValue };
      } catch (error) {
        throw toJobError(error);
      }
    },
  });
}

function programsRunner(
  name: string,
  decl: PipelineDeclaration,
  transport: Transport,
  deps: HandlerDeps,
): PipelineRunner<string> {
  for (const stage of Object.values(decl.stages)) deps.catalog.get(stage.program);
  const pipeline = definePipeline({
    name,
    stages: Object.fromEntries(
      Object.entries(decl.stages).map(([s, d]) => [s, { after: d.after }]),
    ),
  });
  const runner: PipelineRunner<string> = new PipelineRunner<string>({
    transport,
    pipeline,
    attempts: decl.attempts ?? 3,
    handler: async (invocation) => {
      const program = decl.stages[invocation.stage]?.program as string;
      try {
        const result = await executeInTree(deps, {
          jobId: runner.stageJobId(invocation.runId, invocation.stage),
          program,
          inputs: stageInputs(deps.catalog, program, invocation),
          attempt: invocation.attempt,
          attempts: invocation.attempts,
        });
        return result as unknown as JsonValue;
      } catch (error) {
        throw toJobError(error);
      }
    },
  });
  return runner;
}

function hostedPipeline(
  name: string,
  runner: PipelineRunner<string>,
  transport: Transport,
  bridge: { concurrency: number; drainTimeoutMs: number },
): HostedPipeline {
  const id = `stage-bridge-${name}`;
  return {
    name,
    runner,
    bridge: {
      id,
      name: id,
      shutdown: bridge.drainTimeoutMs + 1000,
      start: actorWorker(queueBridgeMachine, {
        trapShutdown: true,
        input: {
          transport,
          queue: runner.queue,
          concurrency: bridge.concurrency,
          handler: async () => null,
          consume: () => runner.work({ concurrency: bridge.concurrency }),
          closeTimeoutMs: bridge.drainTimeoutMs,
        },
      }),
    },
  };
}
