/**
 * Kill-and-resume of a space search with real processes: two dspex nodes on a redis-server of
 * their own (test/helpers/node-cluster.ts), the simulated task of the variable system behind the
 * OpenAI fixture. The search checkpoints after every evaluated configuration; the node running it
 * is SIGKILLed mid-search; the other takes the `dspex-optimize` job over, replays the checkpoint
 * from the store and ends with the front of an uninterrupted search with the same seed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptimizationRun } from '../../src/store/index.js';
import type { SearchCheckpoint } from '../../src/variables/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { pollUntil, type NodeCluster } from '../helpers/node-cluster.js';
import { items, simulatedHandler } from '../variables/simulated-task.js';
import { ROOT } from './fixtures/node-process.js';
import {
  isFinal,
  killOptimizationNode,
  startOptimizeCluster,
  submitOptimization,
  waitForRun,
} from './fixtures/optimize-cluster.js';

const PROGRAMS = join(ROOT, 'test', 'runtime', 'fixtures', 'space-search-programs.ts');
const PARAMS = {
  metric: 'match',
  objectives: ['quality', 'cost'],
  algorithm: 'pareto',
  seed: 7,
  shards: 2,
  deploy: false,
};

interface SearchResult {
  front: { configuration: Record<string, unknown>; quality: number; cost: number }[];
  evaluated: { configuration: Record<string, unknown>; quality: number; examples: number }[];
  spent: { examples: number; lmCalls: number; dollars: number };
}

/** What must not depend on the kill: the points (not their wall-clock latency) and the spend. */
const outcome = (run: OptimizationRun) => {
  const r = run.result as unknown as SearchResult;
  return {
    front: r.front.map(({ configuration, quality, cost }) => ({ configuration, quality, cost })),
    evaluated: r.evaluated.map(({ configuration, quality, examples }) => ({
      configuration,
      quality,
      examples,
    })),
    spent: { examples: r.spent.examples, lmCalls: r.spent.lmCalls },
  };
};

describe('a space search whose node is SIGKILLed', () => {
  const prefix = `varfail-${process.pid}`;
  let fixture: LMFixture;
  let cluster: NodeCluster;
  let calls = 0;

  beforeAll(async () => {
    fixture = await startOpenAIFixture();
    fixture.recordRequests = false;
    fixture.handle(simulatedHandler({ onCall: () => void calls++ }));
    // Slow enough that the search is still going when the kill lands.
    fixture.latencyMs = 20;
    cluster = await startOptimizeCluster(prefix, ['var-a', 'var-b'], fixture.url, PROGRAMS);
  }, 90_000);

  afterAll(async () => {
    await cluster?.close();
    await fixture?.close();
  });

  it('is_resumed_by_the_other_node_from_its_per_point_checkpoint_and_ends_with_the_uninterrupted_front', async () => {
    const { store, queue } = cluster;
    const submit = () =>
      submitOptimization(store, queue, {
        program: 'qa',
        optimizer: 'space-search',
        trainset: items(12, 101),
        params: PARAMS,
      });
    const checkpointOf = async (runId: string) =>
      (
        (await store.optimizationRuns.loadCheckpoint(runId)) as unknown as
          { checkpoint?: SearchCheckpoint } | undefined
      )?.checkpoint;
    const callsAtStart = calls;
    const killedRun = await submit();
    // Past the screening of all 16 configurations and into the racing (checkpoints come after
    // every evaluated configuration; the steps, RNG state and spend after every whole step).
    await pollUntil('a checkpoint two steps into the search', 60_000, async () =>
      ((await checkpointOf(killedRun))?.steps ?? 0) >= 2 ? true : undefined,
    );
    expect((await store.optimizationRuns.get(killedRun)).status).toBe('running');
    expect(typeof (await checkpointOf(killedRun))!.rngState).toBe('number');
    const callsBeforeKill = calls - callsAtStart;
    const { survivors } = await killOptimizationNode(cluster, prefix);

    const resumed = await waitForRun(store, killedRun, isFinal, 120_000);
    expect({ status: resumed.status, error: resumed.error }).toEqual({
      status: 'succeeded',
      error: undefined,
    });
    expect(survivors.every((n) => n.alive)).toBe(true);
    const callsOfKilledRun = calls - callsAtStart;

    // The same search again, uninterrupted, on the surviving node.
    const callsBeforeReference = calls;
    const reference = await waitForRun(store, await submit(), isFinal, 120_000);
    expect(reference.status).toBe('succeeded');
    const callsOfReference = calls - callsBeforeReference;

    expect(outcome(resumed)).toEqual(outcome(reference));
    expect(outcome(reference).front.length).toBeGreaterThan(0);
    // Resumed, not restarted: what ran before the kill was not paid for again (only the
    // configuration in flight at the kill may have been).
    expect(callsOfKilledRun - callsOfReference).toBeLessThan(callsBeforeKill);
  }, 300_000);
});
