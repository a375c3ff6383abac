/**
 * Optimizations submitted to an embedded runtime: COPRO's candidate evaluations go out as
 * evaluation shards (queue `dspex-eval`) and the run ends where a plain local COPRO run ends; every
 * step checkpoints in the store; cancel stops at the next step and keeps the best so far. The LM
 * is the quality benchmark's simulated world through the OpenAI wire protocol.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COPRO, GEPA, type GepaMetric } from '../../src/optimizers/index.js';
import { Predict, context, type Example } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime, RuntimeEvent } from '../../supervisors/runtime-types.js';
import type { LMFixture } from '../fixtures/index.js';
import { eventually, fixtureLm } from '../supervisors/runtime-helpers.js';
import { SIM_TASK, exactLabel, startSimWorld } from './fixtures/sim-world.js';

let fixture: LMFixture;
let train: Example[];
let rt: Runtime;
let events: RuntimeEvent[];

const COPRO_PARAMS = { breadth: 3, depth: 2, initTemperature: 1.0 };

beforeEach(async () => {
  ({ fixture, train } = await startSimWorld());
  rt = await startRuntime(
    {
      programs: { sentiment: new Predict(SIM_TASK.signature) },
      shutdown: { drainTimeoutMs: 2000 },
    },
    { logger: silentLogger(), lm: fixtureLm(fixture, 'sim-small'), metrics: { exact: exactLabel } },
  );
  events = [];
  rt.subscribe((e) => events.push(e));
});

afterEach(async () => {
  await rt.stop();
  await fixture.close();
});

async function finished(runId: string) {
  await eventually(async () => {
    const run = await rt.optimizationRun(runId);
    return run !== undefined && ['succeeded', 'failed', 'cancelled'].includes(run.status);
  }, 60_000);
  return (await rt.optimizationRun(runId))!;
}

describe('optimizations on the runtime', () => {
  it('runs_copro_with_its_candidates_scored_as_evaluation_shards_ending_where_a_local_run_ends', async () => {
    const { runId } = await rt.optimize('sentiment', {
      optimizer: 'copro',
      trainset: train,
      params: { metric: 'exact', shards: 2, ...COPRO_PARAMS },
    });
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    const shardJobs = events.filter(
      (e) => e.type === 'job' && e.queue === 'dspex-eval' && e.phase === 'completed',
    );
    // Baseline + breadth candidates per round, 2 shards each.
    expect(shardJobs.length).toBeGreaterThanOrEqual(2 * (1 + COPRO_PARAMS.breadth));
    expect(run.history.map((h) => h.step)).toEqual(run.history.map((_, i) => i + 1));
    expect(run.spend?.lmCalls).toBeGreaterThan(0);
    const version = (run.result as { version: string }).version;
    const state = (await rt.store.programs.getVersion('sentiment', version)).state;

    const local = await context({ lm: fixtureLm(fixture, 'sim-small') }, () =>
      new COPRO({ metric: exactLabel, ...COPRO_PARAMS }).optimize(new Predict(SIM_TASK.signature), {
        trainset: train,
      }),
    );
    expect(run.bestScore).toBe(local.score);
    expect((run.result as { score: number }).score).toBe(local.score);
    const instructions = (s: unknown) =>
      (s as { self: { signature: { instructions: string } } }).self.signature.instructions;
    expect(instructions(state)).toBe(instructions(local.program.save()));
    // The run's spend counts the shards' LM calls as a local run counts its own.
    expect(run.spend?.lmCalls).toBe(local.usage.task.lmCalls + local.usage.prompt.lmCalls);
    expect(run.spend?.metricCalls).toBe(local.usage.metricCalls);
  });

  it('runs_gepa_with_its_evaluations_as_traced_evaluation_shards_ending_where_a_local_run_ends', async () => {
    const params = { maxMetricCalls: 40, useMerge: false, seed: 1 };
    const { runId } = await rt.optimize('sentiment', {
      optimizer: 'gepa',
      trainset: train,
      params: { metric: 'exact', shards: 2, deploy: false, ...params },
    });
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    const shardJobs = events.filter(
      (e) => e.type === 'job' && e.queue === 'dspex-eval' && e.phase === 'completed',
    );
    expect(shardJobs.length).toBeGreaterThanOrEqual(4); // seed evaluation + a minibatch, 2 shards each
    const state = (
      await rt.store.programs.getVersion('sentiment', (run.result as { version: string }).version)
    ).state;

    const lm = fixtureLm(fixture, 'sim-small');
    const local = await context({ lm }, () =>
      new GEPA({ metric: exactLabel as GepaMetric, reflectionLm: lm, ...params }).optimize(
        new Predict(SIM_TASK.signature),
        { trainset: train },
      ),
    );
    expect(local.candidates.length).toBeGreaterThan(1);
    expect((run.result as { score: number }).score).toBe(
      local.valAggregateScores[local.bestIdx]! * 100,
    );
    const instructions = (s: unknown) =>
      (s as { self: { signature: { instructions: string } } }).self.signature.instructions;
    expect(instructions(state)).toBe(instructions(local.program.save()));
    expect(run.spend?.lmCalls).toBe(local.usage.task.lmCalls + local.usage.prompt.lmCalls);
    expect(run.spend?.metricCalls).toBe(local.usage.metricCalls);
  });

  it('checkpoints_every_step_in_the_store_and_replays_them_without_lm_calls', async () => {
    const { runId } = await rt.optimize('sentiment', {
      optimizer: 'copro',
      trainset: train,
      params: { metric: 'exact', ...COPRO_PARAMS, deploy: false },
    });
    const saved: unknown[] = [];
    const store = rt.store.optimizationRuns;
    await eventually(async () => {
      const c = await store.loadCheckpoint(runId).catch(() => undefined);
      if (c !== undefined && JSON.stringify(c) !== JSON.stringify(saved.at(-1))) saved.push(c);
      return c !== undefined && (c as { phase: string }).phase === 'compiled';
    }, 60_000);
    const running = saved.filter((c) => (c as { phase: string }).phase === 'running');
    expect(running.length).toBeGreaterThan(1);
    expect(running.at(-1)).toMatchObject({
      optimizer: 'copro',
      checkpoint: { optimizer: 'COPRO' },
    });
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    expect((run.result as { deployed: boolean }).deployed).toBe(false);
  });

  it('cancels_a_copro_run_at_its_next_step_keeping_the_best_program_so_far', async () => {
    fixture.latencyMs = 5;
    const { runId } = await rt.optimize('sentiment', {
      optimizer: 'copro',
      trainset: train,
      params: { metric: 'exact', breadth: 3, depth: 4 },
    });
    await eventually(async () => ((await rt.optimizationRun(runId))?.history.length ?? 0) >= 2);
    const cancelled = await rt.cancelOptimization(runId);
    expect(cancelled.status).toBe('cancelled');
    await eventually(async () => (await rt.optimizationRun(runId))?.result !== undefined, 30_000);
    const run = (await rt.optimizationRun(runId))!;
    expect(run.status).toBe('cancelled');
    expect(run.result).toMatchObject({ deployed: false, stopReason: 'cancelled' });
    // Stopped well before COPRO's 1 + 4 × 3 candidate evaluations.
    expect(run.history.length).toBeLessThan(13);
    const version = (run.result as { version: string }).version;
    const kept = await rt.store.programs.getVersion('sentiment', version);
    expect(kept.note).toMatch(/best so far of cancelled optimization run/);
    expect((await rt.store.programs.get('sentiment')).activeVersion ?? null).toBeNull();
  });

  it('runs_mipro_simba_and_gepa_to_a_published_version', async () => {
    const runs = await Promise.all(
      [
        {
          optimizer: 'mipro',
          params: { auto: null, numCandidates: 2, numTrials: 3, minibatch: false },
        },
        { optimizer: 'simba', params: { bsize: 4, numCandidates: 2, maxSteps: 2 } },
        { optimizer: 'gepa', params: { maxMetricCalls: 40, useMerge: false } },
      ].map(({ optimizer, params }) =>
        rt.optimize('sentiment', {
          optimizer,
          trainset: train,
          params: { metric: 'exact', deploy: false, ...params },
        }),
      ),
    );
    for (const { runId } of runs) {
      const run = await finished(runId);
      expect({ optimizer: run.optimizer, status: run.status, error: run.error }).toEqual({
        optimizer: run.optimizer,
        status: 'succeeded',
        error: undefined,
      });
      expect(run.history.length).toBeGreaterThan(0);
    }
  }, 60_000);
});
