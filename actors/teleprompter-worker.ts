import { assign, fromPromise, setup } from 'xstate';
import { z } from 'zod';
import type { LM } from '../src/lm/types.js';
import { context, currentSettings } from '../src/modules/index.js';
import type { OptimizerProgress } from '../src/optimizers/index.js';
import type { Configuration } from '../src/variables/index.js';
import { actorWorker, type ReplyHandle, type StartFunction } from '../src/kernel/index.js';
import { StoreError } from '../src/store/index.js';
import { ActorError, describeError } from '../services/actor-error.js';
import { CLIENT_POOL } from './client-pool.js';
import type { EvaluationServices } from './evaluation-worker.js';
import { fromExampleData, resolveMetric } from '../services/example-data.js';
import {
  optimizationJobSchema,
  type OptimizationJob,
  type OptimizationOutcome,
} from '../src/contracts/index.js';
import { materializeProgram } from '../services/program-materialize.js';
import { callActor, parseMessage, replyHandleOf, type ActorReply } from '../services/protocol.js';
import { VARIABLE_REGISTRY, type ConfigVersion } from './variable-registry.js';
import { runOptimizer } from '../services/optimizer-factory.js';
import { RunRecorder } from '../services/run-recorder.js';
import {
  shardEvaluator,
  shardTraceEvaluator,
  type ShardRunner,
} from '../services/shard-evaluator.js';
import {
  recordSpaceSearch,
  type SearchOrigin,
  type SpaceSearchRun,
} from '../services/variable-search.js';

// A run's job data and outcome are contracts (src/contracts).
export { optimizationJobSchema };
export type { OptimizationJob, OptimizationOutcome };

/** Progress event of a run (runtime events). */
export interface OptimizationProgressEvent {
  runId: string;
  progress: OptimizerProgress;
}

/** What teleprompter workers need. */
export interface TeleprompterServices extends EvaluationServices {
  onOptimizationProgress?: (e: OptimizationProgressEvent) => void;
  /**
   * Runs evaluation shards on the cluster (queue `dspex-eval`). When given, the optimizers that
   * score whole candidates (random search, COPRO, MIPROv2) evaluate them as shards over the nodes.
   */
  runShards?: ShardRunner;
}

/**
 * What a run keeps in the store beside its record: the optimizer's own checkpoint while it runs
 * (replayed by a node that takes the run over), then the compiled state, so a run restarted after
 * the compile skips straight to publishing.
 */
type RunCheckpoint =
  | { phase: 'running'; optimizer: string; checkpoint: unknown }
  | {
      phase: 'compiled';
      state: Record<string, unknown>;
      score?: number;
      stopReason?: string;
      /** A space search's points and the deployed state it started from. */
      search?: Omit<SpaceSearchRun, 'program' | 'score'> & { from: SearchOrigin };
    };

function cancelledError(runId: string): ActorError {
  return new ActorError('cancelled', `optimization run ${runId} was cancelled`);
}

async function cancelledInStore(services: TeleprompterServices, runId: string): Promise<boolean> {
  const run = await services.store.optimizationRuns.find(runId);
  return run?.status === 'cancelled';
}

/** Compiles the run's program with its optimizer, checkpointing and resuming; see runOptimization. */
async function compileRun(
  services: TeleprompterServices,
  job: OptimizationJob,
  stop: { requested: boolean },
  resumed: RunCheckpoint | undefined,
): Promise<Extract<RunCheckpoint, { phase: 'compiled' }>> {
  const { store, kernel } = services;
  const runs = store.optimizationRuns;
  const registry = await callActor<ConfigVersion>(kernel, VARIABLE_REGISTRY, {
    type: 'get',
    program: job.program,
  });
  const program = await materializeProgram({
    name: job.program,
    base: services.catalog.get(job.program),
    config: registry.config,
    store,
    contextLm: services.defaultLm?.() ?? currentSettings().lm,
    pool: (lm) => callActor<LM>(kernel, CLIENT_POOL, { type: 'acquire', lm }),
    extensions: services.catalog.extensions,
  });
  const recorder = new RunRecorder(store, job.runId, await runs.find(job.runId));
  // A cancel on another node only reaches the store: look there at each step.
  const watchStore = (): void =>
    void cancelledInStore(services, job.runId).then(
      (c) => void (c && (stop.requested = true)),
      () => undefined,
    );
  const onProgress = (p: OptimizerProgress): void => {
    services.onOptimizationProgress?.({ runId: job.runId, progress: p });
    recorder.record(p);
    watchStore();
  };
  const checkpoint = async (c: unknown): Promise<void> => {
    const saved: RunCheckpoint = { phase: 'running', optimizer: job.optimizer, checkpoint: c };
    try {
      await runs.saveCheckpoint(job.runId, JSON.parse(JSON.stringify(saved)) as never);
    } catch (error) {
      // A cancelled run takes no checkpoint: stop at the next step with the best so far.
      if (error instanceof StoreError && error.code === 'invalid_transition') stop.requested = true;
      else throw error;
    }
  };
  const { metric: metricName, shards, shardConcurrency } = job.params;
  const metric = metricName === undefined ? undefined : resolveMetric(services.metrics, metricName);
  const plan =
    services.runShards === undefined || metricName === undefined
      ? undefined
      : {
          program: job.program,
          metric: metricName,
          shards: shards ?? 4,
          ...(shardConcurrency === undefined ? {} : { concurrency: shardConcurrency }),
        };
  const evaluator = plan && shardEvaluator(services.runShards!, plan);
  const traceEvaluator = plan && shardTraceEvaluator(services.runShards!, plan);
  const outcome = await context(
    {
      ...(program.lm === undefined ? {} : { lm: program.lm }),
      ...(program.adapter === undefined ? {} : { adapter: program.adapter }),
    },
    () =>
      runOptimizer(
        job.optimizer,
        job.params,
        program.module,
        {
          trainset: fromExampleData(job.trainset),
          ...(job.valset === undefined ? {} : { valset: fromExampleData(job.valset) }),
        },
        {
          metric,
          onProgress,
          shouldStop: () => stop.requested,
          evaluator,
          traceEvaluator,
          checkpoint,
          resumeFrom: resumed?.phase === 'running' ? resumed.checkpoint : undefined,
          promptModel: program.lm,
          extensions: services.catalog.extensions,
        },
      ),
  );
  await recorder.flush();
  return {
    phase: 'compiled',
    state: JSON.parse(JSON.stringify(outcome.program.save())) as Record<string, unknown>,
    ...(outcome.score === undefined ? {} : { score: outcome.score }),
    ...(outcome.stopReason === undefined ? {} : { stopReason: outcome.stopReason }),
    ...(outcome.search === undefined
      ? {}
      : {
          search: JSON.parse(
            JSON.stringify({ ...outcome.search, from: originOf(registry, program.stateVersion) }),
          ) as never,
        }),
  };
}

/** The deployed state a run started from (recorded by space searches). */
function originOf(registry: ConfigVersion, stateVersion: string | undefined): SearchOrigin {
  const { configuration, variables } = registry.config;
  return {
    revision: registry.revision,
    ...(stateVersion === undefined ? {} : { stateVersion }),
    ...(configuration === undefined ? {} : { configuration }),
    ...(variables === undefined ? {} : { variables: variables as Configuration }),
  };
}

async function publish(
  services: TeleprompterServices,
  job: OptimizationJob,
  state: Record<string, unknown>,
  note: string,
): Promise<string> {
  const { store } = services;
  const existing = await store.programs.find(job.program);
  if (existing === undefined)
    await store.programs.create({ name: job.program }).catch(ignoreConflict);
  const published = await store.programs.publishVersion(job.program, {
    state: state as never,
    note,
  });
  return published.versions.at(-1)?.version as string;
}

/**
 * Runs one optimization: marks the run `running`, runs the optimizer (progress → store and
 * events; candidate evaluations as evaluation shards over the cluster when `runShards` is given),
 * checkpoints after every step in the store, and publishes the result as a new program version,
 * activated and (unless `deploy: false`) pointed at by the variable registry's `stateVersion`, so
 * running workers pick it up. A run taken over after a crash (another node, the job redelivered)
 * replays its checkpoint and finishes as the uninterrupted run would. A cancelled run (the store
 * status, or `isCancelled`) stops at its next step: the best program so far is published (not
 * deployed) and kept as the run's result, and the run rejects with `cancelled`.
 */
export async function runOptimization(
  services: TeleprompterServices,
  job: OptimizationJob,
  isCancelled: () => boolean,
): Promise<OptimizationOutcome> {
  const { store, kernel } = services;
  const runs = store.optimizationRuns;
  if (await cancelledInStore(services, job.runId)) throw cancelledError(job.runId);
  await runs.update(job.runId, { status: 'running' });
  const saved = (await runs.loadCheckpoint(job.runId)) as RunCheckpoint | undefined;
  const stop = {
    flag: false,
    get requested(): boolean {
      return this.flag || isCancelled();
    },
    set requested(v: boolean) {
      this.flag = v;
    },
  };
  const compiled =
    saved?.phase === 'compiled' ? saved : await compileRun(services, job, stop, saved);
  const summary = {
    ...(compiled.score === undefined ? {} : { score: compiled.score }),
    ...(compiled.stopReason === undefined ? {} : { stopReason: compiled.stopReason }),
  };
  if (stop.requested || (await cancelledInStore(services, job.runId))) {
    const version = await publish(
      services,
      job,
      compiled.state,
      `best so far of cancelled optimization run ${job.runId} (${job.optimizer})`,
    );
    // A cancelled space search keeps the front of what it ran.
    const front = (await recordedSearch(store, job, compiled)) ?? {};
    await runs.update(job.runId, {
      result: {
        runId: job.runId,
        version,
        deployed: false,
        ...(front as Record<string, never>),
        ...summary,
        stopReason: 'cancelled',
      },
      ...(compiled.score === undefined ? {} : { bestScore: compiled.score }),
    });
    throw cancelledError(job.runId);
  }
  if (saved?.phase !== 'compiled') await runs.saveCheckpoint(job.runId, compiled as never);
  const version = await publish(
    services,
    job,
    compiled.state,
    `optimization run ${job.runId} (${job.optimizer})`,
  );
  const search = await recordedSearch(store, job, compiled);
  const deploy = job.params.deploy !== false;
  if (deploy) {
    await store.programs.activate(job.program, version);
    // A space search's chosen point deploys on top of the state it searched from.
    const chosen = search?.front.find((p) => p.configurationId === search.chosen);
    await callActor(kernel, VARIABLE_REGISTRY, {
      type: 'set',
      program: job.program,
      config: {
        stateVersion: version,
        ...(chosen === undefined
          ? {}
          : {
              configuration: chosen.configurationId,
              variables: chosen.configuration,
              ...(chosen.candidates === undefined ? {} : { candidates: chosen.candidates }),
            }),
      },
    });
  }
  const outcome: OptimizationOutcome = { runId: job.runId, version, deployed: deploy, ...summary };
  await runs.update(job.runId, {
    status: 'succeeded',
    result: { ...outcome, ...(search === undefined ? {} : (search as never)) },
    ...(compiled.score === undefined ? {} : { bestScore: compiled.score }),
  });
  return outcome;
}

/** Stores a space search's front points and returns its run-record part (other runs: none). */
function recordedSearch(
  store: TeleprompterServices['store'],
  job: OptimizationJob,
  compiled: Extract<RunCheckpoint, { phase: 'compiled' }>,
): Promise<Awaited<ReturnType<typeof recordSpaceSearch>> | undefined> {
  const { search } = compiled;
  return search === undefined
    ? Promise.resolve(undefined)
    : recordSpaceSearch(store, job.runId, job.program, search, search.from);
}

function ignoreConflict(e: unknown): void {
  if (!(e instanceof StoreError && e.code === 'conflict')) throw e;
}

/** Messages of a teleprompter worker. */
export const teleprompterWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('execute') }),
  z.object({ type: z.literal('cancel') }),
]);

interface Context {
  job: OptimizationJob;
  services: TeleprompterServices;
  replyTo: ReplyHandle | undefined;
  cancel: { requested: boolean };
}

/**
 * A teleprompter worker: one optimization run (`ready` → `running` → `finished`). `cancel` makes
 * the run stop at its next progress event; the reply is then `cancelled`.
 */
export const teleprompterWorkerMachine = setup({
  types: { input: {} as Pick<Context, 'job' | 'services'>, context: {} as Context },
  actors: {
    run: fromPromise<OptimizationOutcome, Pick<Context, 'job' | 'services' | 'cancel'>>(
      ({ input }) => runOptimization(input.services, input.job, () => input.cancel.requested),
    ),
  },
}).createMachine({
  id: 'teleprompter-worker',
  context: ({ input }) => ({ ...input, replyTo: undefined, cancel: { requested: false } }),
  initial: 'ready',
  on: {
    '*': {
      actions: ({ event }) => parseMessage(teleprompterWorkerMessage, event, 'teleprompter-worker'),
    },
    // The flag object is shared with the running promise, which polls it at each progress event.
    cancel: { actions: ({ context }) => void (context.cancel.requested = true) },
  },
  states: {
    ready: {
      on: {
        execute: {
          target: 'running',
          actions: assign({ replyTo: ({ event }) => replyHandleOf(event) }),
        },
      },
    },
    running: {
      invoke: {
        src: 'run',
        input: ({ context }) => ({
          job: context.job,
          services: context.services,
          cancel: context.cancel,
        }),
        onDone: {
          target: 'finished',
          actions: ({ context, event }) =>
            context.replyTo?.reply({ ok: true, value: event.output }),
        },
        onError: {
          target: 'finished',
          actions: ({ context, event }) => {
            const d = describeError(event.error);
            context.replyTo?.reply({
              ok: false,
              error: { code: d.code, message: d.message, retryable: d.retryable },
            } satisfies ActorReply);
          },
        },
      },
    },
    finished: { type: 'final' },
  },
});

/** The start function of teleprompter workers (`startChild([job])`). */
export function teleprompterWorkerStart(services: TeleprompterServices): StartFunction {
  return actorWorker(teleprompterWorkerMachine, {
    input: (_ctx, ...args) => ({ job: args[0] as OptimizationJob, services }),
  });
}
