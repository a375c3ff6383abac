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
import { queueBridgeMachine } from '../actors/index.js';
import { type ProgramCatalog } from '../services/index.js';
import { ConfigError } from '../src/config/index.js';
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

/** The stage DAG of an entry, as a string: what a reload may not change (the runners are built on it). */
function shapeOf(entry: PipelineEntry): string {
  if (entry instanceof Pipeline)
    return JSON.stringify(['module', entry.nodes().map((n) => [n.id, n.after])]);
  return JSON.stringify([
    'programs',
    Object.entries(entry.stages).map(([s, d]) => [s, d.after]),
    entry.attempts ?? 3,
  ]);
}

/**
 * Checks each entry is a {@link Pipeline} or a `{ stages }` declaration (a pipeline built with
 * another copy of dspex is neither); throws a {@link ConfigError} naming the bad entry.
 */
function checkEntries(entries: Record<string, unknown>): Record<string, PipelineEntry> {
  for (const [name, entry] of Object.entries(entries)) {
    if (entry instanceof Pipeline) continue;
    const stages = (entry as { stages?: unknown } | null)?.stages;
    if (typeof stages !== 'object' || stages === null || Array.isArray(stages))
      throw new ConfigError(
        'invalid_config',
        `pipeline '${name}' is neither a Pipeline of this dspex (import \`pipeline\` from the same package the node runs) nor a { stages } declaration`,
        { details: { pipeline: name } },
      );
  }
  return entries as Record<string, PipelineEntry>;
}

/**
 * The pipelines a node serves, by name: the programs module's `pipelines` export (swapped by a
 * reload, with the programs, in one step) and the ones the runtime's caller passed (never
 * reloaded). A stage job reads its pipeline here when it starts, so jobs started after a reload
 * run the new code and a job already running finishes on the old one. A reload may change a
 * pipeline's code but not its set of names nor any pipeline's stage graph: the runners and their
 * queues are built from them at start (change those by restarting the node).
 */
export class PipelineTable {
  private fromModule: Record<string, PipelineEntry>;

  constructor(
    fromModule: Record<string, PipelineEntry> = {},
    private readonly fromCaller: Record<string, PipelineEntry> = {},
  ) {
    this.fromModule = checkEntries({ ...fromModule });
    checkEntries(fromCaller);
  }

  /** Every pipeline: the module's, then the caller's (a caller's entry wins a name clash). */
  entries(): Record<string, PipelineEntry> {
    return { ...this.fromModule, ...this.fromCaller };
  }

  /** The pipeline served now as `name` (hosted names only). */
  get(name: string): PipelineEntry {
    return this.entries()[name] as PipelineEntry;
  }

  /**
   * Checks that a new version's `pipelines` export can replace the module's: the same names, the
   * same stage graph each, stages naming programs of the new catalog. Throws a
   * {@link ConfigError} saying what changed otherwise (the reload then fails; nothing is swapped).
   */
  check(next: Record<string, PipelineEntry> | undefined, catalog: ProgramCatalog): void {
    const incoming = checkEntries(next ?? {});
    const names = (r: object): string => Object.keys(r).sort().join(', ') || 'none';
    if (names(incoming) !== names(this.fromModule))
      throw new ConfigError(
        'invalid_config',
        `the pipelines export changed its names (served: ${names(this.fromModule)}; new: ${names(incoming)}); a reload can change pipeline code, not which pipelines a node hosts: restart the node`,
        { details: { served: Object.keys(this.fromModule), next: Object.keys(incoming) } },
      );
    for (const [name, entry] of Object.entries(incoming)) {
      if (!(entry instanceof Pipeline))
        for (const s of Object.values(entry.stages)) catalog.get(s.program);
      if (shapeOf(entry) !== shapeOf(this.fromModule[name] as PipelineEntry))
        throw new ConfigError(
          'invalid_config',
          `pipeline '${name}' changed its stages (served: ${shapeOf(this.fromModule[name] as PipelineEntry)}; new: ${shapeOf(entry)}); a reload can change stage code, not the stage graph: restart the node`,
          { details: { pipeline: name } },
        );
    }
  }

  /** Serves `next` (already {@link PipelineTable.check}ed) as the module's pipelines. */
  swap(next: Record<string, PipelineEntry> | undefined): void {
    this.fromModule = { ...(next ?? {}) };
  }
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
 * Builds each pipeline's runner and its stage bridge (queue `dspex-pipeline-<name>`): stage jobs
 * of a programs DAG run as executions on program workers, recorded once per stage job id. Each
 * stage job reads its pipeline from `table` when it starts (see {@link PipelineTable}).
 */
export function hostPipelines(
  table: PipelineTable,
  transport: Transport,
  deps: HandlerDeps,
  bridge: { concurrency: number; drainTimeoutMs: number },
): HostedPipeline[] {
  return Object.entries(table.entries()).map(([name, decl]) => {
    const runner =
      decl instanceof Pipeline
        ? moduleRunner(name, decl, () => table.get(name) as Pipeline, transport, deps)
        : programsRunner(name, decl, () => table.get(name) as PipelineDeclaration, transport, deps);
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
  first: Pipeline,
  current: () => Pipeline,
  transport: Transport,
  deps: HandlerDeps,
): PipelineRunner<string> {
  const nodes = first.nodes();
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
      const module = current();
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
  current: () => PipelineDeclaration,
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
      const program = current().stages[invocation.stage]?.program as string;
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
