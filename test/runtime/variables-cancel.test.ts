/**
 * Cancelling a space search queued on an embedded runtime (`cancelOptimization`, what `dspex runs
 * cancel` calls): it stops at its next evaluation and the run record keeps the front of what it
 * ran, with `stopReason: 'cancelled'`. The simulated task of the variable system behind the
 * OpenAI fixture.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/telemetry/index.js';
import type { SearchCheckpoint } from '../../src/variables/index.js';
import { openai } from '../../src/lm/index.js';
import type { SpaceSearchRecord } from '../../services/variable-search.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { eventually } from '../supervisors/runtime-helpers.js';
import {
  INSTRUCTIONS,
  SimQA,
  answerMatches,
  items,
  simulatedHandler,
} from '../variables/simulated-task.js';

let fx: LMFixture;
let rt: Runtime;

beforeEach(async () => {
  fx = await startOpenAIFixture();
  fx.recordRequests = false;
  fx.handle(simulatedHandler({ proposer: true }));
  const qa = new SimQA(fx.url, items(4, 1), {
    models: ['sim-small', 'sim-large'],
    temperatures: [0],
  });
  // One declared instruction and an empty demo set: a search with `candidates` fills them.
  const filled = new SimQA(fx.url, [], {
    models: ['sim-small', 'sim-large'],
    temperatures: [0],
    instructions: [INSTRUCTIONS[0]!],
    demoSets: true,
  });
  rt = await startRuntime(
    { programs: { qa, filled } },
    {
      trapFaults: false,
      metrics: { match: answerMatches },
      logger: silentLogger(),
      // The node's LM: bootstraps demos and proposes instructions.
      lm: openai({ model: 'sim-medium', apiKey: 'sim', baseURL: fx.url, cache: false }),
    },
  );
});

afterEach(async () => {
  await rt.stop();
  await fx.close();
});

describe('a space search on the runtime', () => {
  it('cancelled_mid_search_stops_at_the_next_evaluation_and_keeps_the_front_so_far', async () => {
    // Slow enough that the cancel lands while the 16 configurations are still being run.
    fx.latencyMs = 10;
    const { runId } = await rt.optimize('qa', {
      optimizer: 'space-search',
      trainset: items(10, 101),
      params: { metric: 'match', algorithm: 'grid', objectives: ['quality', 'cost'] },
    });
    const checkpoint = async () =>
      (
        (await rt.store.optimizationRuns.loadCheckpoint(runId)) as unknown as
          { checkpoint: SearchCheckpoint } | undefined
      )?.checkpoint;
    // The checkpoint written after each evaluated configuration.
    await eventually(async () => ((await checkpoint())?.observations.length ?? 0) >= 3, 30_000);
    const atCancel = (await checkpoint())!.observations.length;
    expect((await rt.cancelOptimization(runId)).status).toBe('cancelled');
    await eventually(async () => (await rt.optimizationRun(runId))?.result !== undefined, 30_000);
    const run = (await rt.optimizationRun(runId))!;
    expect(run.status).toBe('cancelled');
    const result = run.result as {
      stopReason: string;
      deployed: boolean;
      front: { configurationId: string; complete: boolean }[];
      evaluated: { complete: boolean }[];
      chosen: string | null;
    };
    expect(result).toMatchObject({ stopReason: 'cancelled', deployed: false });
    // Stopped at its next evaluation (one may have been in flight, one finishing as the cancel
    // was sent), far from the grid's 16 configurations; every one it ran is in the record.
    expect(result.evaluated.length).toBeGreaterThanOrEqual(atCancel);
    expect(result.evaluated.length).toBeLessThanOrEqual(atCancel + 2);
    expect(result.evaluated.every((p) => p.complete)).toBe(true);
    expect(result.front.length).toBeGreaterThan(0);
    expect(result.front.map((p) => p.configurationId)).toContain(result.chosen);
    for (const p of result.front)
      expect((await rt.store.variableConfigurations.get(p.configurationId)).runId).toBe(runId);
    // A cancelled run takes no more checkpoints; nothing is deployed.
    expect((await checkpoint())!.observations.length).toBeLessThanOrEqual(result.evaluated.length);
    expect(await rt.store.deployments.find('qa')).toBeUndefined();
  }, 60_000);

  it('a_queued_search_fills_candidates_and_its_front_points_carry_their_texts_and_demos_to_deploy', async () => {
    const { runId } = await rt.optimize('filled', {
      optimizer: 'space-search',
      trainset: items(6, 101),
      params: { metric: 'match', algorithm: 'grid', candidates: { numCandidates: 3 } },
    });
    const final = new Set(['succeeded', 'failed', 'cancelled']);
    await eventually(
      async () => final.has((await rt.optimizationRun(runId))?.status ?? ''),
      60_000,
    );
    const run = (await rt.optimizationRun(runId))!;
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const result = run.result as unknown as SpaceSearchRecord;
    expect(result.candidatesAdded?.['answer.instructions']?.length).toBeGreaterThan(0);
    // Every front point carries its instruction text and demos beside the indexes.
    const lists = {
      instructions: [INSTRUCTIONS[0], ...result.candidatesAdded!['answer.instructions']!],
      demos: [[], ...(result.candidatesAdded!['answer.demos'] ?? [])],
    };
    for (const point of result.front) {
      const values = point.configuration as Record<string, number>;
      expect(point.candidates).toEqual({
        'answer.instructions': lists.instructions[values['answer.instructions']!],
        'answer.demos': JSON.parse(JSON.stringify(lists.demos[values['answer.demos']!])),
      });
      const stored = await rt.store.variableConfigurations.get(point.configurationId!);
      expect(stored.candidates).toEqual(point.candidates);
    }
    // A point over a filled candidate (an index the declared program does not hold) deploys and serves.
    const filledPoint = result.front.find(
      (p) => (p.configuration['answer.instructions'] as number) > 0,
    );
    expect(filledPoint, JSON.stringify(result.front)).toBeDefined();
    await rt.deploy('filled', { configuration: filledPoint!.configurationId! });
    fx.recordRequests = true;
    await rt.run('filled', { question: 'What is item 7?' });
    const system = JSON.stringify(fx.requests.at(-1)?.body.messages?.[0]);
    expect(system).toContain(filledPoint!.candidates!['answer.instructions']);
    // A job may not bring its own candidate values.
    await expect(
      rt.run(
        'filled',
        { question: 'What is item 8?' },
        { config: { candidates: { 'answer.instructions': 'Say anything.' } } },
      ),
    ).rejects.toThrow(/candidates \(answer.instructions\) come with a deployed configuration/);
  }, 60_000);
});
