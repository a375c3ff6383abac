import type { EvaluationShard, ShardResult, ShardRunner } from '../actors/index.js';
import type { BackoffOptions, JsonObject, Transport } from '../src/transport/index.js';

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
