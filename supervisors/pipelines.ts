import type { ChildSpec } from '../src/kernel/index.js';
import { actorWorker } from '../src/kernel/index.js';
import {
  PipelineRunner,
  definePipeline,
  type JsonValue,
  type StageInvocation,
  type Transport,
} from '../src/transport/index.js';
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
  declarations: Record<string, PipelineDeclaration>,
  transport: Transport,
  deps: HandlerDeps,
  bridge: { concurrency: number; drainTimeoutMs: number },
): HostedPipeline[] {
  return Object.entries(declarations).map(([name, decl]) => {
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
  });
}
