import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Example, Predict, type Prediction } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime, RuntimeEvent } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { eventually, fixtureLm } from '../supervisors/runtime-helpers.js';

let fixture: LMFixture;
let rt: Runtime;
let events: RuntimeEvent[];

beforeEach(async () => {
  fixture = await startOpenAIFixture();
  rt = await startRuntime(
    { programs: { qa: new Predict('question -> answer') }, shutdown: { drainTimeoutMs: 2000 } },
    {
      logger: silentLogger(),
      lm: fixtureLm(fixture),
      metrics: {
        echoed: (_ex: Example, pred: Prediction) => String(pred['answer']).startsWith('answer-'),
      },
    },
  );
  events = [];
  rt.subscribe((e) => events.push(e));
});

afterEach(async () => {
  await rt.stop();
  await fixture.close();
});

const devset = [1, 2, 3, 4, 5].map((i) =>
  new Example({ question: `q${i}`, answer: 'x' }).withInputs('question'),
);

describe('embedded evaluation and optimization', () => {
  it('evaluates_with_a_named_metric_in_shards_run_as_jobs_with_progress_events', async () => {
    const summary = await rt.evaluate('qa', {
      devset,
      metric: 'echoed',
      shards: 2,
      concurrency: 2,
    });
    expect(summary).toMatchObject({
      program: 'qa',
      metric: 'echoed',
      score: 100,
      total: 5,
      errors: 0,
      shards: 2,
    });
    expect(summary.scores).toEqual([1, 1, 1, 1, 1]);
    expect(events.filter((e) => e.type === 'evaluation_progress')).toHaveLength(5);
    expect(
      events.filter((e) => e.type === 'job' && e.queue === 'dspex-eval' && e.phase === 'completed'),
    ).toHaveLength(2);
  });

  it('evaluates_with_a_metric_function_on_local_evaluation_workers', async () => {
    const exact = (ex: Example, pred: Prediction) => ex['answer'] === pred['answer'];
    const summary = await rt.evaluate('qa', {
      devset: devset.slice(0, 2),
      metric: exact,
      shards: 2,
    });
    expect(summary).toMatchObject({ score: 0, total: 2, metric: 'exact', shards: 2 });
  });

  it('runs_an_optimization_as_a_job_publishes_and_deploys_its_state_to_later_runs', async () => {
    const trainset = [
      new Example({ question: 'Capital of Peru?', answer: 'Lima' }).withInputs('question'),
    ];
    const { runId } = await rt.optimize('qa', {
      optimizer: 'labeled-few-shot',
      trainset,
      params: { k: 1 },
    });
    await eventually(async () => (await rt.optimizationRun(runId))?.status === 'succeeded');
    const run = await rt.optimizationRun(runId);
    expect(run?.result).toEqual({ runId, version: '1', deployed: true });
    expect((await rt.store.programs.get('qa')).activeVersion).toBe('1');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'config_changed',
        program: 'qa',
        config: { stateVersion: '1' },
      }),
    );
    await rt.run('qa', { question: 'Capital of Chile?' });
    expect(JSON.stringify(fixture.requests.at(-1)?.body.messages)).toContain('Capital of Peru?');
    const exec = (await rt.store.executions.list({ program: 'qa' })).items[0];
    expect(exec?.version).toBe('1');
  });

  it('marks_a_cancelled_run_and_never_publishes_it', async () => {
    const run = await rt.store.optimizationRuns.create({
      program: 'qa',
      optimizer: 'labeled-few-shot',
    });
    await rt.cancelOptimization(run.id);
    const { runOptimization } = await import('../../actors/index.js');
    const services = (
      rt as unknown as { deps: { services: Parameters<typeof runOptimization>[0] } }
    ).deps.services;
    await expect(
      runOptimization(
        services,
        { runId: run.id, program: 'qa', optimizer: 'labeled-few-shot', trainset: [], params: {} },
        () => false,
      ),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect((await rt.optimizationRun(run.id))?.status).toBe('cancelled');
    expect(await rt.store.programs.find('qa')).toBeUndefined();
  });

  it('resumes_a_run_from_its_checkpoint_without_compiling_again', async () => {
    const run = await rt.store.optimizationRuns.create({
      program: 'qa',
      optimizer: 'bootstrap-few-shot',
    });
    const compiled = new Predict('question -> answer');
    compiled.demos = [{ question: 'checkpointed?', answer: 'yes' }];
    await rt.store.optimizationRuns.saveCheckpoint(run.id, {
      phase: 'compiled',
      state: compiled.save(),
    } as never);
    const { runOptimization } = await import('../../actors/index.js');
    const services = (
      rt as unknown as { deps: { services: Parameters<typeof runOptimization>[0] } }
    ).deps.services;
    const before = fixture.requests.length;
    const outcome = await runOptimization(
      services,
      { runId: run.id, program: 'qa', optimizer: 'bootstrap-few-shot', trainset: [], params: {} },
      () => false,
    );
    expect(outcome).toEqual({ runId: run.id, version: '1', deployed: true });
    expect(fixture.requests.length).toBe(before);
    expect((await rt.store.programs.getVersion('qa')).state).toMatchObject({
      self: { demos: [{ question: 'checkpointed?', answer: 'yes' }] },
    });
  });

  it('cancels_a_running_optimization_at_its_next_step_keeping_the_best_so_far_undeployed', async () => {
    fixture.latencyMs = 40;
    const trainset = [1, 2, 3, 4, 5, 6].map((i) =>
      new Example({ question: `t${i}`, answer: 'x' }).withInputs('question'),
    );
    const { runId } = await rt.optimize('qa', {
      optimizer: 'bootstrap-few-shot',
      trainset,
      params: { metric: 'echoed', maxBootstrappedDemos: 6 },
    });
    await eventually(() =>
      events.some((e) => e.type === 'optimization_progress' && e.runId === runId),
    );
    await rt.cancelOptimization(runId);
    await eventually(() =>
      events.some((e) => e.type === 'job' && e.queue === 'dspex-optimize' && e.phase === 'failed'),
    );
    const run = await rt.optimizationRun(runId);
    expect(run?.status).toBe('cancelled');
    // The best program so far is kept as a version, but not deployed.
    expect(run?.result).toMatchObject({ version: '1', deployed: false, stopReason: 'cancelled' });
    const qa = await rt.store.programs.get('qa');
    expect(qa.versions.map((v) => v.version)).toEqual(['1']);
    expect(qa.activeVersion ?? null).toBeNull();
  });
});
