import { AsyncResource } from 'node:async_hooks';

import type { ShardRunner } from '../../services/shard-evaluator.js';
import type { EvaluationShard, ShardResult } from '../../src/contracts/index.js';

/** Runs shard work outside the optimizer's async context, as another worker or node would. */
const NODE = new AsyncResource('dspex-eval-node');

/**
 * A {@link ShardRunner} that plays the nodes: each shard runs `work` outside the optimizer's async
 * context, its answer goes through JSON as over the queue, and the answers come back in reverse
 * order (any order is allowed). `seen` collects each shard's example count.
 */
export function nodeRunner(
  seen: number[],
  work: (shard: EvaluationShard) => Promise<ShardResult>,
): ShardRunner {
  return (shards) =>
    Promise.all(
      shards.map((shard) =>
        NODE.runInAsyncScope(async () => {
          seen.push(shard.examples.length);
          return JSON.parse(JSON.stringify(await work(shard))) as ShardResult;
        }),
      ),
    ).then((results) => results.reverse());
}
