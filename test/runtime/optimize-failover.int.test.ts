/**
 * Kill-and-resume of an optimization with real processes: two dspex nodes (startRuntime +
 * startDaemon, test/runtime/fixtures/cluster-node.ts) on a redis-server of their own
 * (test/helpers/node-cluster.ts), the simulated world behind the OpenAI fixture. A COPRO run's candidate evaluations go out as
 * evaluation shards to both nodes; the node running the optimization is SIGKILLed mid-run; the
 * other takes the job over, replays the checkpoint from the store and finishes with what an
 * uninterrupted run with the same seed produces.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Example } from '../../src/modules/index.js';
import type { LMFixture } from '../fixtures/index.js';
import { pollUntil, startNodeCluster, type NodeCluster } from '../helpers/node-cluster.js';
import { ROOT } from './fixtures/node-process.js';
import {
  isFinal,
  nodesRunningOptimizations,
  submitOptimization,
  waitForRun,
} from './fixtures/optimize-cluster.js';
import { startSimWorld } from './fixtures/sim-world.js';

const PROGRAMS = join(ROOT, 'test', 'runtime', 'fixtures', 'optimize-programs.ts');
const PARAMS = { metric: 'exact', breadth: 4, depth: 3, shards: 2, deploy: false };

describe('an optimization whose node is SIGKILLed', () => {
  const prefix = `optfail-${process.pid}`;
  let world: Awaited<ReturnType<typeof startSimWorld>>;
  let fixture: LMFixture;
  let train: Example[];
  let cluster: NodeCluster;

  beforeAll(async () => {
    world = await startSimWorld({ train: 10, val: 1, test: 1 });
    ({ fixture, train } = world);
    // Slow enough that the run is still going when the kill lands.
    fixture.latencyMs = 25;
    cluster = await startNodeCluster({
      prefix,
      nodeIds: ['opt-a', 'opt-b'],
      node: {
        lmUrl: fixture.url,
        concurrency: 2,
        heartbeatMs: 200,
        extraConfig: { programs: PROGRAMS },
      },
      queue: 'dspex-optimize',
    });
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
    await fixture?.close();
  });

  it('is_resumed_by_the_other_node_from_its_checkpoint_and_ends_as_an_uninterrupted_run', async () => {
    const { store, queue, redis, nodes } = cluster;
    const submit = () =>
      submitOptimization(store, queue, {
        program: 'sentiment',
        optimizer: 'copro',
        trainset: train,
        params: PARAMS,
      });
    const callsAtStart = world.calls();
    const killedRun = await submit();
    await waitForRun(
      store,
      killedRun,
      (r) => r.history.length >= 4 && r.checkpointAt !== null,
      60_000,
    );
    const runner = await pollUntil('the node running the optimization', 10_000, async () => {
      const running = await nodesRunningOptimizations(redis, prefix);
      return running.length === 1 ? running : undefined;
    });
    const victim = nodes.find((n) => n.nodeId === runner[0])!;
    const survivor = nodes.find((n) => n !== victim)!;
    const before = await store.optimizationRuns.get(killedRun);
    expect(before.status).toBe('running');
    const callsBeforeKill = world.calls() - callsAtStart;
    await victim.kill('SIGKILL');

    const resumed = await waitForRun(store, killedRun, isFinal, 90_000);
    expect({ status: resumed.status, error: resumed.error }).toEqual({
      status: 'succeeded',
      error: undefined,
    });
    expect(survivor.alive).toBe(true);
    const callsOfKilledRun = world.calls() - callsAtStart;

    // The same run again, uninterrupted, on the surviving node.
    const callsBeforeReference = world.calls();
    const reference = await waitForRun(store, await submit(), isFinal, 90_000);
    expect(reference.status).toBe('succeeded');
    const callsOfReference = world.calls() - callsBeforeReference;

    const stateOf = async (run: typeof reference) =>
      (await store.programs.getVersion('sentiment', (run.result as { version: string }).version))
        .state;
    expect(await stateOf(resumed)).toEqual(await stateOf(reference));
    expect((resumed.result as { score: number }).score).toBe(
      (reference.result as { score: number }).score,
    );
    expect(resumed.bestScore).toBe(reference.bestScore);
    // Each trial recorded once, with the reference's scores.
    expect(resumed.history.map((h) => [h.step, h.score])).toEqual(
      reference.history.map((h) => [h.step, h.score]),
    );
    expect(resumed.spend).toEqual(reference.spend);
    // Resumed, not restarted: the steps done before the kill were not paid for again (only the
    // step in flight at the kill may have been).
    expect(callsOfKilledRun - callsOfReference).toBeLessThan(callsBeforeKill);
  }, 240_000);
});
