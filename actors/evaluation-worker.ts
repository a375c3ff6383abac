import { assign, fromPromise, setup } from 'xstate';
import { z } from 'zod';
import { Evaluate, type Metric } from '../src/evaluate/index.js';
import type { LM } from '../src/lm/types.js';
import {
  chargeOf,
  exampleSpend,
  runTraced,
  type EvaluationSpend,
} from '../src/optimizers/index.js';
import { CallAccounting } from '../src/evaluate/index.js';
import { context, currentSettings } from '../src/modules/index.js';
import { actorWorker, type ReplyHandle, type StartFunction } from '../src/kernel/index.js';
import { ActorError, describeError } from '../services/actor-error.js';
import { CLIENT_POOL } from './client-pool.js';
import { fromExampleData, resolveMetric } from '../services/example-data.js';
import {
  evaluationShardSchema,
  type EvaluationShard,
  type ShardResult,
} from '../src/contracts/index.js';
import type { ExecutionServices } from '../services/execution.js';
import { materializeProgram } from '../services/program-materialize.js';
import { callActor, parseMessage, replyHandleOf, type ActorReply } from '../services/protocol.js';
import { VARIABLE_REGISTRY, type ConfigVersion, type ProgramConfig } from './variable-registry.js';

// A shard's job data and result are contracts (src/contracts).
export { evaluationShardSchema };
export type { EvaluationShard, ShardResult };

/** Progress of a shard (examples done out of the shard's). */
export interface ShardProgress {
  evalId: string;
  shard: number;
  done: number;
  total: number;
}

/** What evaluation workers need besides the execution services. */
export interface EvaluationServices extends ExecutionServices {
  metrics: ReadonlyMap<string, Metric>;
  onShardProgress?: (p: ShardProgress) => void;
}

function spendOf(calls: Parameters<typeof chargeOf>[1]): EvaluationSpend {
  const { lmCalls, promptTokens, completionTokens, usd } = chargeOf('task', calls);
  return { lmCalls, promptTokens, completionTokens, usd };
}

/**
 * The configuration a shard's program is built with: the deployed one, the shard's over it. A
 * candidate's state replaces every predictor's, so the deployed `stateVersion` is not loaded
 * first (a candidate of another strategy has other predictors than the deployed version).
 */
function shardConfig(deployed: ProgramConfig, shard: EvaluationShard): ProgramConfig {
  const config = { ...deployed, ...(shard.config ?? {}) };
  // A shard of another configuration runs its own candidates (or its state's), not the deployed ones.
  if (shard.config?.variables !== undefined && shard.config.candidates === undefined)
    delete config.candidates;
  if (shard.state !== undefined && shard.config?.stateVersion === undefined)
    delete config.stateVersion;
  return config;
}

/** Runs one shard: the program over its examples with the named metric. */
export async function runShard(
  services: EvaluationServices,
  shard: EvaluationShard,
): Promise<ShardResult> {
  const metric = resolveMetric(services.metrics, shard.metric);
  const base = services.catalog.get(shard.program);
  const registry = await callActor<ConfigVersion>(services.kernel, VARIABLE_REGISTRY, {
    type: 'get',
    program: shard.program,
  });
  const program = await materializeProgram({
    name: shard.program,
    base,
    config: shardConfig(registry.config, shard),
    store: services.store,
    contextLm: services.defaultLm?.() ?? currentSettings().lm,
    pool: (lm) => callActor<LM>(services.kernel, CLIENT_POOL, { type: 'acquire', lm }),
    extensions: services.catalog.extensions,
  });
  if (shard.state !== undefined) program.module.load(shard.state);
  const devset = fromExampleData(shard.examples);
  const scope = {
    ...(program.lm === undefined ? {} : { lm: program.lm }),
    ...(program.adapter === undefined ? {} : { adapter: program.adapter }),
  };
  if (shard.traces === true) {
    const accounting = new CallAccounting();
    const runs = await context(scope, () =>
      accounting.run(() => runTraced(program.module, devset, metric, shard.concurrency ?? 1)),
    );
    return {
      evalId: shard.evalId,
      shard: shard.shard,
      scores: runs.map((r) => r.score),
      errors: runs.filter((r) => r.error !== undefined).length,
      spend: spendOf(accounting.stats()),
      failures: runs.flatMap((r, index) =>
        r.error === undefined ? [] : [{ index, reason: r.error }],
      ),
      runs,
    };
  }
  const evaluate = new Evaluate({
    devset,
    metric,
    display: false,
    maxErrors: devset.length + 1,
    ...(shard.concurrency === undefined ? {} : { concurrency: shard.concurrency }),
    onProgress: (p) =>
      services.onShardProgress?.({
        evalId: shard.evalId,
        shard: shard.shard,
        done: p.completed,
        total: devset.length,
      }),
  });
  const result = await context(scope, () => evaluate.run(program.module));
  return {
    evalId: shard.evalId,
    shard: shard.shard,
    scores: result.results.map((r) => Number(r.score)),
    errors: result.errorCount,
    spend: spendOf(result.calls),
    outcomes: result.results.map(exampleSpend),
    node: services.nodeId,
    failures: result.results.flatMap((r, index) =>
      r.error === undefined ? [] : [{ index, reason: describeError(r.error).message }],
    ),
  };
}

/** Messages of an evaluation worker. */
export const evaluationWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('execute') }),
  z.object({ type: z.literal('cancel') }),
]);

interface Context {
  shard: EvaluationShard;
  services: EvaluationServices;
  replyTo: ReplyHandle | undefined;
}

const cancelled = (c: Context): ActorReply => ({
  ok: false,
  error: {
    code: 'cancelled',
    message: `evaluation ${c.shard.evalId} shard ${c.shard.shard} cancelled`,
    retryable: false,
  },
});

/**
 * An evaluation worker: one shard (`ready` → `running` → `finished`), progress reported as
 * examples settle; `cancel` answers the pending `execute` with `cancelled` and ends the worker.
 */
export const evaluationWorkerMachine = setup({
  types: { input: {} as Omit<Context, 'replyTo'>, context: {} as Context },
  actors: {
    run: fromPromise<ShardResult, Omit<Context, 'replyTo'>>(({ input }) =>
      runShard(input.services, input.shard),
    ),
  },
}).createMachine({
  id: 'evaluation-worker',
  context: ({ input }) => ({ ...input, replyTo: undefined }),
  initial: 'ready',
  on: {
    '*': {
      actions: ({ event }) => parseMessage(evaluationWorkerMessage, event, 'evaluation-worker'),
    },
  },
  states: {
    ready: {
      on: {
        execute: {
          target: 'running',
          actions: assign({ replyTo: ({ event }) => replyHandleOf(event) }),
        },
        cancel: { target: 'finished' },
      },
    },
    running: {
      invoke: {
        src: 'run',
        input: ({ context }) => ({ shard: context.shard, services: context.services }),
        onDone: {
          target: 'finished',
          actions: ({ context, event }) =>
            context.replyTo?.reply({ ok: true, value: event.output }),
        },
        onError: {
          target: 'finished',
          actions: ({ context, event }) => {
            const e = event.error;
            context.replyTo?.reply({
              ok: false,
              error: {
                code: e instanceof ActorError ? e.code : 'execution_failed',
                message: e instanceof Error ? e.message : String(e),
                retryable: (e as { retryable?: boolean } | undefined)?.retryable === true,
              },
            } satisfies ActorReply);
          },
        },
      },
      on: {
        cancel: {
          target: 'finished',
          actions: ({ context }) => context.replyTo?.reply(cancelled(context)),
        },
      },
    },
    finished: { type: 'final' },
  },
});

/** The start function of evaluation workers (`startChild([shard])`). */
export function evaluationWorkerStart(services: EvaluationServices): StartFunction {
  return actorWorker(evaluationWorkerMachine, {
    input: (_ctx, ...args) => ({ shard: args[0] as EvaluationShard, services }),
  });
}
