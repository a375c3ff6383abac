import { type EvaluationShard, type ShardResult } from '../actors/index.js';
import { toExampleData, type ShardRunner } from '../services/index.js';
import type { OptimizationRun } from '../src/store/index.js';
import type { BackoffOptions, JsonObject, Transport } from '../src/transport/index.js';
import { inputKeysFor, requestExamples } from '../services/dataset-source.js';
import { datasetOf } from './evaluation-service.js';
import type { NodeServices } from './node-services.js';
import { publishTraced } from './run-service.js';
import type { OptimizeRequest } from './runtime-types.js';

/**
 * The optimize service's shard runner: an optimization's candidate evaluations as jobs on the
 * evaluation queue (`dspex-eval`), so every node's evaluation workers take a share (adding a node
 * shortens the run), each shard retried by the node's job policy. Resolves with every shard's
 * result; rejects with the first shard that fails for good or outlives `timeoutMs`.
 */
export function clusterShardRunner(
  transport: Transport,
  queue: string,
  jobs: () => { attempts: number; backoff: BackoffOptions },
  timeoutMs = 600_000,
): ShardRunner {
  return (shards: EvaluationShard[]) =>
    Promise.all(
      shards.map(async (shard) => {
        const { attempts, backoff } = jobs();
        const id = await transport.enqueue(queue, shard as unknown as JsonObject, {
          jobId: `${shard.evalId}.${shard.shard}`,
          attempts,
          backoff,
        });
        return (await transport.waitForResult(queue, id, timeoutMs)) as unknown as ShardResult;
      }),
    );
}

/**
 * Optimization runs (`Runtime.optimize`): the run recorded in the store, its examples resolved
 * (inline or a stored dataset), published as a job on the optimize queue (any node's teleprompter
 * worker takes it); `cancelOptimization` marks the run and stops a local worker at its next
 * progress event.
 */
export class OptimizationService {
  constructor(
    private readonly node: Pick<
      NodeServices,
      'kernel' | 'transport' | 'store' | 'catalog' | 'queues' | 'jobOptions' | 'intake' | 'handlers'
    >,
  ) {}

  async optimize(program: string, request: OptimizeRequest): Promise<{ runId: string }> {
    const { transport, store, catalog, queues, jobOptions, intake } = this.node;
    intake.assertOpen();
    const module = catalog.get(program);
    catalog.extensions.check('optimizers', request.optimizer);
    const train = await requestExamples(
      store,
      { examples: request.trainset, ...datasetOf(request.dataset, request.split) },
      'trainset',
    );
    const val =
      request.valset === undefined && request.valDataset === undefined
        ? undefined
        : await requestExamples(
            store,
            { examples: request.valset, ...datasetOf(request.valDataset, request.valSplit) },
            'valset',
          );
    const inputKeys = inputKeysFor(request.inputKeys, train, module);
    const params = JSON.parse(JSON.stringify(request.params ?? {})) as JsonObject;
    const run = await store.optimizationRuns.create({
      program,
      optimizer: request.optimizer,
      params,
      ...(train.link === undefined ? {} : { dataset: train.link }),
      ...(val?.link === undefined ? {} : { valDataset: val.link }),
    });
    const data = {
      runId: run.id,
      program,
      optimizer: request.optimizer,
      trainset: toExampleData(train.examples, inputKeys),
      ...(val === undefined ? {} : { valset: toExampleData(val.examples, inputKeys) }),
      params,
    };
    await publishTraced(queues.optimize, data as unknown as JsonObject, (traced) =>
      transport.enqueue(queues.optimize, traced, {
        jobId: run.id,
        attempts: jobOptions.attempts,
        backoff: jobOptions.backoff,
      }),
    );
    return { runId: run.id };
  }

  optimizationRun(runId: string): Promise<OptimizationRun | undefined> {
    return this.node.store.optimizationRuns.find(runId);
  }

  async cancelOptimization(runId: string): Promise<OptimizationRun> {
    const { store, kernel, handlers } = this.node;
    const run = await store.optimizationRuns.get(runId);
    const updated = ['queued', 'running'].includes(run.status)
      ? await store.optimizationRuns.update(runId, { status: 'cancelled' })
      : run;
    const pid = handlers.optimizers.get(runId);
    if (pid !== undefined) kernel.cast(pid, { type: 'cancel' });
    return updated;
  }
}
