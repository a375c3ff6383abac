import { assign, fromPromise, setup } from 'xstate';
import { z } from 'zod';
import type { LM } from '../src/lm/types.js';
import { context, currentSettings, type Module } from '../src/modules/index.js';
import {
  BootstrapFewShot,
  BootstrapFewShotWithRandomSearch,
  LabeledFewShot,
  type Optimizer,
  type OptimizerProgress,
} from '../src/optimizers/index.js';
import { actorWorker, type ReplyHandle, type StartFunction } from '../src/kernel/index.js';
import { StoreError } from '../src/store/index.js';
import { ActorError, describeError } from './actor-error.js';
import { CLIENT_POOL } from './client-pool.js';
import type { EvaluationServices } from './evaluation-worker.js';
import { exampleDataSchema, fromExampleData, resolveMetric } from './example-data.js';
import { materializeProgram } from './program-materialize.js';
import { callActor, parseMessage, replyHandleOf, type ActorReply } from './protocol.js';
import { VARIABLE_REGISTRY, type ConfigVersion } from './variable-registry.js';

/** Optimizers a run may name. */
export const OPTIMIZER_NAMES = ['labeled-few-shot', 'bootstrap-few-shot', 'random-search'] as const;

/** Job data of one optimization run (queue `dspex-optimize`; the job id is the run id). */
export const optimizationJobSchema = z.object({
  runId: z.string().min(1),
  program: z.string().min(1),
  optimizer: z.enum(OPTIMIZER_NAMES),
  trainset: z.array(exampleDataSchema),
  valset: z.array(exampleDataSchema).optional(),
  params: z
    .object({
      /** Metric name (the node's metric table). Required by the bootstrap optimizers. */
      metric: z.string().min(1).optional(),
      /** Publish the result as the program's active state and tell the variable registry (default true). */
      deploy: z.boolean().optional(),
    })
    .catchall(z.unknown())
    .default({}),
});
/** One optimization run as job data. */
export type OptimizationJob = z.infer<typeof optimizationJobSchema>;

/** What a run returns. */
export interface OptimizationOutcome {
  runId: string;
  /** Store program version holding the optimized state. */
  version: string;
  deployed: boolean;
}

/** Progress event of a run (runtime events). */
export interface OptimizationProgressEvent {
  runId: string;
  progress: OptimizerProgress;
}

/** What teleprompter workers need. */
export interface TeleprompterServices extends EvaluationServices {
  onOptimizationProgress?: (e: OptimizationProgressEvent) => void;
}

/** Checkpoint of a run: written after the compile, so a restarted run skips straight to publishing. */
interface RunCheckpoint {
  phase: 'compiled';
  state: Record<string, unknown>;
}

function optimizerFor(
  job: OptimizationJob,
  services: TeleprompterServices,
  onProgress: (p: OptimizerProgress) => void,
): Optimizer {
  const { metric: metricName, deploy: _deploy, ...rest } = job.params;
  const metric = metricName === undefined ? undefined : resolveMetric(services.metrics, metricName);
  const common = { ...rest, onProgress };
  switch (job.optimizer) {
    case 'labeled-few-shot':
      return new LabeledFewShot(rest as ConstructorParameters<typeof LabeledFewShot>[0]);
    case 'bootstrap-few-shot':
      return new BootstrapFewShot({ ...common, ...(metric === undefined ? {} : { metric }) });
    case 'random-search':
      if (metric === undefined)
        throw new ActorError('unknown_metric', 'random-search needs params.metric');
      return new BootstrapFewShotWithRandomSearch({ ...common, metric, display: false });
  }
}

async function cancelledInStore(services: TeleprompterServices, runId: string): Promise<boolean> {
  const run = await services.store.optimizationRuns.find(runId);
  return run?.status === 'cancelled';
}

/**
 * Runs one optimization: marks the run `running`, compiles (progress → store and events, a
 * cancelled run stops at its next progress event), checkpoints the compiled state, publishes it as
 * a new program version, activates it and (unless `deploy: false`) points the variable registry's
 * `stateVersion` at it, so running workers pick it up. A run restarted after a crash resumes from
 * its checkpoint.
 */
export async function runOptimization(
  services: TeleprompterServices,
  job: OptimizationJob,
  isCancelled: () => boolean,
): Promise<OptimizationOutcome> {
  const { store, kernel } = services;
  const runs = store.optimizationRuns;
  if (await cancelledInStore(services, job.runId))
    throw new ActorError('cancelled', `optimization run ${job.runId} was cancelled`);
  await runs.update(job.runId, { status: 'running' });
  const checkpoint = (await runs.loadCheckpoint(job.runId)) as RunCheckpoint | undefined;
  let state: Record<string, unknown>;
  if (checkpoint?.phase === 'compiled') {
    state = checkpoint.state;
  } else {
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
    });
    let step = 0;
    const pending: Promise<unknown>[] = [];
    const onProgress = (p: OptimizerProgress): void => {
      if (isCancelled())
        throw new ActorError('cancelled', `optimization run ${job.runId} was cancelled`);
      services.onOptimizationProgress?.({ runId: job.runId, progress: p });
      const progress =
        p.phase === 'bootstrap'
          ? { done: p.processed, total: p.total }
          : { done: ++step, total: 0 };
      pending.push(
        runs
          .update(job.runId, {
            progress,
            ...(p.phase === 'candidate'
              ? { bestScore: p.bestScore, appendHistory: [{ step, score: p.score }] }
              : {}),
          })
          .catch(() => undefined),
      );
    };
    const optimizer = optimizerFor(job, services, onProgress);
    const trainset = fromExampleData(job.trainset);
    const valset = job.valset === undefined ? undefined : fromExampleData(job.valset);
    const compiled: Module = await context(
      {
        ...(program.lm === undefined ? {} : { lm: program.lm }),
        ...(program.adapter === undefined ? {} : { adapter: program.adapter }),
      },
      () =>
        optimizer.compile(program.module, {
          trainset,
          ...(valset === undefined ? {} : { valset }),
        }),
    );
    await Promise.all(pending);
    state = JSON.parse(JSON.stringify(compiled.save())) as Record<string, unknown>;
    await runs.saveCheckpoint(job.runId, { phase: 'compiled', state } as never);
  }
  if (isCancelled() || (await cancelledInStore(services, job.runId)))
    throw new ActorError('cancelled', `optimization run ${job.runId} was cancelled`);
  const existing = await store.programs.find(job.program);
  if (existing === undefined)
    await store.programs.create({ name: job.program }).catch(ignoreConflict);
  const published = await store.programs.publishVersion(job.program, {
    state: state as never,
    note: `optimization run ${job.runId} (${job.optimizer})`,
  });
  const version = published.versions.at(-1)?.version as string;
  const deploy = job.params.deploy !== false;
  if (deploy) {
    await store.programs.activate(job.program, version);
    await callActor(kernel, VARIABLE_REGISTRY, {
      type: 'set',
      program: job.program,
      config: { stateVersion: version },
    });
  }
  const outcome: OptimizationOutcome = { runId: job.runId, version, deployed: deploy };
  await runs.update(job.runId, { status: 'succeeded', result: { ...outcome } });
  return outcome;
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
