/**
 * A space search spread over a real 2-node cluster: two dspex node processes on a redis-server of
 * their own, the simulated task of the variable system behind the OpenAI fixture. The search is a
 * `space-search` optimization job; whichever node takes it sends every configuration's
 * evaluations out as `dspex-eval` shards, and both nodes' evaluation workers run some.
 */
import { Queue } from 'bullmq';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import type { SpaceSearchRecord } from '../../services/variable-search.js';
import { INSTRUCTIONS, items, simulatedHandler } from '../variables/simulated-task.js';
import { ROOT, spawnNode, type NodeProcess } from './fixtures/node-process.js';
import { isFinal, submitOptimization, waitForRun } from './fixtures/optimize-cluster.js';

const PROGRAMS = join(ROOT, 'test', 'runtime', 'fixtures', 'space-search-programs.ts');

describe('a space search on a 2-node cluster', () => {
  const prefix = `varshards-${process.pid}`;
  let redisServer: RedisServerHandle;
  let fixture: LMFixture;
  let nodes: NodeProcess[] = [];
  let queue: Queue;
  let store: RedisStore;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    fixture = await startOpenAIFixture();
    fixture.recordRequests = false;
    fixture.handle(simulatedHandler({ proposer: true }));
    // Slow enough that a shard is still running when the next ones are taken.
    fixture.latencyMs = 5;
    nodes = ['var-a', 'var-b'].map((nodeId) =>
      spawnNode({
        nodeId,
        redisUrl: redisServer.url,
        prefix,
        lmUrl: fixture.url,
        concurrency: 2,
        heartbeatMs: 200,
        extraConfig: { programs: PROGRAMS },
      }),
    );
    await Promise.all(nodes.map((n) => n.ready));
    queue = new Queue('dspex-optimize', {
      prefix,
      connection: { host: '127.0.0.1', port: redisServer.port, maxRetriesPerRequest: null },
    });
    queue.on('error', () => undefined);
    store = new RedisStore({ redis: redisServer.url, prefix: `${prefix}:store` });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    await queue?.close();
    await store?.close();
    await fixture?.close();
    await redisServer?.stop();
  });

  it('both_nodes_evaluate_shards_of_one_search_and_the_chosen_point_deploys_on_top_of_the_active_state', async () => {
    const runId = await submitOptimization(store, queue, {
      program: 'qa',
      optimizer: 'space-search',
      trainset: items(8, 101),
      params: {
        metric: 'match',
        objectives: ['quality', 'cost'],
        algorithm: 'grid',
        shards: 4,
        select: 'within:10',
        deploy: true,
      },
    });
    const run = await waitForRun(store, runId, isFinal, 120_000);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const result = run.result as {
      version: string;
      chosen: string;
      front: { configurationId: string; configuration: Record<string, unknown> }[];
      evaluated: unknown[];
      shardsByNode: Record<string, number>;
      searchedFrom: { revision: number };
    };
    expect(result.evaluated).toHaveLength(16);
    // 16 configurations × 4 shards, every one run on one of the two nodes.
    expect(Object.keys(result.shardsByNode).sort()).toEqual(['var-a', 'var-b']);
    expect(Object.values(result.shardsByNode).reduce((s, n) => s + n, 0)).toBe(64);
    expect(result.searchedFrom).toEqual({ revision: 0 });

    const chosen = result.front.find((p) => p.configurationId === result.chosen)!;
    const deployment = await store.deployments.find('qa');
    // The chosen instruction text and demos travel with the values.
    expect(deployment?.config).toEqual({
      stateVersion: result.version,
      configuration: chosen.configurationId,
      variables: chosen.configuration,
      candidates: {
        'answer.instructions': INSTRUCTIONS[chosen.configuration['answer.instructions'] as number],
        'answer.demos': JSON.parse(
          JSON.stringify(items(4, 1).slice(0, chosen.configuration['answer.demos'] as number)),
        ),
      },
    });
    expect((await store.variableConfigurations.get(chosen.configurationId)).chosen).toBe(true);
  }, 180_000);

  it('a_search_filling_candidates_runs_over_both_nodes_and_its_chosen_point_deploys_with_its_texts_and_demos', async () => {
    const runId = await submitOptimization(store, queue, {
      program: 'filled',
      optimizer: 'space-search',
      trainset: items(6, 101),
      params: {
        metric: 'match',
        algorithm: 'grid',
        candidates: { numCandidates: 3 },
        shards: 2,
        deploy: true,
      },
    });
    const run = await waitForRun(store, runId, isFinal, 120_000);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const result = run.result as unknown as SpaceSearchRecord & { version: string };
    expect(Object.keys(result.shardsByNode).sort()).toEqual(['var-a', 'var-b']);
    const added = result.candidatesAdded!;
    expect(added['answer.instructions']!.length).toBeGreaterThan(0);
    const texts = [INSTRUCTIONS[0], ...added['answer.instructions']!];
    for (const point of result.front)
      expect(point.candidates?.['answer.instructions']).toBe(
        texts[point.configuration['answer.instructions'] as number],
      );
    const chosen = result.front.find((p) => p.configurationId === result.chosen)!;
    expect((await store.variableConfigurations.get(chosen.configurationId!)).candidates).toEqual(
      chosen.candidates,
    );
    const deployment = await store.deployments.find('filled');
    expect(deployment?.config).toEqual({
      stateVersion: result.version,
      configuration: chosen.configurationId,
      variables: chosen.configuration,
      candidates: chosen.candidates,
    });
  }, 180_000);
});
