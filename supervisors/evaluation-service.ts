import { nanoid } from 'nanoid';
import { type ShardResult } from '../actors/index.js';
import { ActorError, callActor, toExampleData } from '../services/index.js';
import { pythonRound } from '../src/evaluate/index.js';
import type { DatasetLink } from '../src/store/index.js';
import type { JsonObject } from '../src/transport/index.js';
import { inputKeysFor, requestExamples } from '../services/dataset-source.js';
import { evaluationOutcome } from '../services/evaluation-outcome.js';
import { currentConfig } from '../services/variable-table.js';
import type { NodeServices } from './node-services.js';
import type { EvaluateRequest, EvaluationSummary } from './runtime-types.js';
import { TREE_NAMES } from './tree.js';

/** A request's `dataset`/`split` pair without undefined fields (exact optional types). */
export function datasetOf(
  dataset: string | DatasetLink | undefined,
  split: string | undefined,
): { dataset?: string | DatasetLink; split?: string } {
  return {
    ...(dataset === undefined ? {} : { dataset }),
    ...(split === undefined ? {} : { split }),
  };
}

/**
 * Evaluations (`Runtime.evaluate`): a devset cut into shards, each an evaluation job on the
 * `dspex-eval` queue (a named metric: any node takes a share) or, for a metric function, an
 * evaluation worker of this node; the shards' scores merged in order. Each evaluation is an
 * evaluation record in the store (id = `evalId`): `running` from the start, then `succeeded` with
 * the score, counts, per-example results and spend, or `failed` with the error.
 */
export class EvaluationService {
  constructor(
    private readonly node: Pick<
      NodeServices,
      | 'kernel'
      | 'transport'
      | 'store'
      | 'catalog'
      | 'queues'
      | 'jobOptions'
      | 'metricTable'
      | 'slots'
      | 'intake'
      | 'variables'
      | 'nodeId'
    >,
  ) {}

  async evaluate(program: string, request: EvaluateRequest): Promise<EvaluationSummary> {
    const { kernel, transport, store, catalog, queues, jobOptions, metricTable, slots, intake } =
      this.node;
    intake.assertOpen();
    const module = catalog.get(program);
    const source = await requestExamples(
      store,
      { examples: request.devset, ...datasetOf(request.dataset, request.split) },
      'devset',
    );
    const inputKeys = inputKeysFor(request.inputKeys, source, module);
    const examples = toExampleData(source.examples, inputKeys);
    if (examples.length === 0) throw new ActorError('bad_message', 'the devset is empty');
    const shards = Math.max(1, Math.min(request.shards ?? 1, examples.length || 1));
    const evalId = `eval-${nanoid(12)}`;
    let metric: string;
    if (typeof request.metric === 'string') metric = request.metric;
    else {
      metric = `local-${evalId}`;
      metricTable.set(metric, request.metric);
    }
    const size = Math.ceil(examples.length / shards);
    const shardData = Array.from({ length: shards }, (_, shard) => ({
      evalId,
      shard,
      shards,
      program,
      metric,
      examples: examples.slice(shard * size, (shard + 1) * size),
      concurrency: request.concurrency ?? 4,
    }));
    const timeout = request.timeoutMs ?? 600_000;
    const metricName =
      typeof request.metric === 'string' ? request.metric : request.metric.name || 'metric';
    const startedAt = kernel.clock.now();
    const version = currentConfig(this.node.variables, program, startedAt).config.stateVersion;
    await store.evaluations.create({
      id: evalId,
      program,
      metric: metricName,
      shards,
      node: this.node.nodeId,
      ...(version === undefined ? {} : { version }),
      ...(source.link === undefined ? {} : { dataset: source.link }),
    });
    try {
      const results: ShardResult[] =
        typeof request.metric === 'string'
          ? await Promise.all(
              shardData.map(async (d) => {
                const id = await transport.enqueue(queues.eval, d as unknown as JsonObject, {
                  jobId: `${evalId}.${d.shard}`,
                  attempts: jobOptions.attempts,
                  backoff: jobOptions.backoff,
                });
                return (await transport.waitForResult(
                  queues.eval,
                  id,
                  timeout,
                )) as unknown as ShardResult;
              }),
            )
          : await intake.track(
              Promise.all(
                shardData.map(async (d) => {
                  const pid = await slots.start(TREE_NAMES.evaluationWorkers, [d]);
                  return callActor<ShardResult>(kernel, pid, { type: 'execute' }, 'infinity');
                }),
              ),
            );
      const ordered = results.sort((a, b) => a.shard - b.shard);
      const scores = ordered.flatMap((r) => r.scores);
      let offset = 0;
      const failures = ordered.flatMap((r) => {
        const at = offset;
        offset += r.scores.length;
        return (r.failures ?? []).map((f) => ({ index: at + f.index, reason: f.reason }));
      });
      const sum = scores.reduce((s, x) => s + x, 0);
      const score = scores.length === 0 ? 0 : pythonRound((100 * sum) / scores.length, 2);
      await store.evaluations.update(evalId, {
        status: 'succeeded',
        ...evaluationOutcome(ordered, score, kernel.clock.now() - startedAt),
      });
      return {
        evalId,
        program,
        metric: metricName,
        score,
        total: scores.length,
        errors: results.reduce((s, r) => s + r.errors, 0),
        failures,
        scores,
        shards,
        ...(source.link === undefined ? {} : { dataset: source.link }),
      };
    } catch (error) {
      // The record says why; a store that fails here must not hide the evaluation's own error.
      await store.evaluations
        .update(evalId, {
          status: 'failed',
          durationMs: kernel.clock.now() - startedAt,
          error: {
            code: (error as { code?: unknown }).code?.toString() ?? 'error',
            message: error instanceof Error ? error.message : String(error),
          },
        })
        .catch(() => undefined);
      throw error;
    } finally {
      if (typeof request.metric !== 'string') metricTable.delete(metric);
    }
  }
}
