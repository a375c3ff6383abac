import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import type { EvaluatedPoint } from '../../src/variables/index.js';
import { SimQA, answerMatches, items } from '../variables/simulated-task.js';

/** What must not depend on where the evaluations ran: the points and their accounting. */
const accounting = (points: readonly EvaluatedPoint[]) =>
  points.map(({ configuration, quality, cost, evaluations, examples, lmCalls, dollars }) => ({
    configuration,
    quality,
    cost,
    evaluations,
    examples,
    lmCalls,
    dollars,
  }));

describe('the variable system through the embedding API (startRuntime)', () => {
  let fx: LMFixture;
  let rt: Runtime | undefined;
  beforeAll(async () => {
    fx = await startOpenAIFixture();
    const { simulatedHandler } = await import('../variables/simulated-task.js');
    fx.handle(simulatedHandler());
  });
  afterAll(() => fx.close());
  afterEach(async () => {
    await rt?.stop();
    rt = undefined;
  });

  const start = async (models = ['sim-small', 'sim-large']): Promise<Runtime> => {
    const qa = new SimQA(fx.url, items(4, 1), { models, temperatures: [0] });
    rt = await startRuntime(
      { programs: { qa } },
      {
        trapFaults: false,
        metrics: { match: answerMatches },
        logger: createLogger({ level: 'silent' }),
      },
    );
    return rt;
  };

  it('describes_the_program_space_and_stores_it_as_version_1', async () => {
    const runtime = await start();
    const view = await runtime.variables('qa');
    expect(view.variables.map((v) => [v.name, v.kind])).toEqual([
      ['strategy', 'module'],
      ['model', 'choice'],
      ['temperature', 'float'],
      ['answer.instructions', 'choice'],
      ['answer.demos', 'choice'],
    ]);
    expect(view.variables.find((v) => v.name === 'model')).toMatchObject({
      choices: ['sim-small', 'sim-large'],
      default: 'sim-small',
      overridable: false,
    });
    expect(view).toMatchObject({ spaceVersion: '1', active: { revision: 0 } });
    expect((await runtime.store.variableSpaces.get('qa')).variables).toEqual(view.variables);
  });

  it('searches_the_front_stores_each_point_and_deploys_the_chosen_one', async () => {
    const runtime = await start();
    const result = await runtime.searchVariables('qa', {
      trainset: items(12, 101),
      metric: answerMatches,
      objectives: ['quality', 'cost'],
      algorithm: 'grid',
      select: 'cheapest',
      concurrency: 4,
    });
    expect(result.evaluated).toHaveLength(16);
    expect(result.front.length).toBeGreaterThan(0);
    const stored = await runtime.store.variableConfigurations.list({ runId: result.runId });
    expect(stored.items.map((c) => c.id).sort()).toEqual(
      result.front.map((p) => p.configurationId).sort(),
    );
    const chosen = result.chosen!;
    expect(chosen.cost).toBe(Math.min(...result.front.map((p) => p.cost)));
    expect(await runtime.store.variableConfigurations.get(chosen.configurationId)).toMatchObject({
      program: 'qa',
      values: chosen.configuration,
      source: 'optimization',
      chosen: true,
      objectives: { quality: chosen.quality, cost: chosen.cost },
    });
    expect(result.table).toContain('$/example');
    expect(result.html).toContain('<svg');
    expect((await runtime.optimizationRun(result.runId))?.status).toBe('succeeded');

    const deployed = await runtime.deploy('qa', { configuration: chosen.configurationId });
    expect(deployed).toMatchObject({ revision: 1, configuration: chosen.configurationId });
    fx.requests.length = 0;
    await runtime.run('qa', { question: 'What is item 7?' });
    expect(fx.requests.at(-1)?.body.model).toBe(chosen.configuration['model']);
  }, 60_000);

  it('refuses_to_deploy_an_unknown_configuration_or_one_outside_the_space', async () => {
    const runtime = await start();
    await expect(runtime.deploy('qa', { configuration: 'nope' })).rejects.toThrow(
      'configuration "nope" not found',
    );
    const bad = await runtime.store.variableConfigurations.create({
      program: 'qa',
      values: { model: 'gpt-5' },
    });
    await expect(runtime.deploy('qa', { configuration: bad.id })).rejects.toThrow(
      'Variable \'model\': value "gpt-5" is not one of',
    );
    expect((await runtime.variables('qa')).active.revision).toBe(0);
  });

  it('deploys_a_published_version_and_refuses_a_configuration_chosen_per_job', async () => {
    const runtime = await start();
    await runtime.store.programs.create({ name: 'qa' });
    await runtime.store.programs.publishVersion('qa', {
      version: 'v1',
      state: new SimQA(fx.url, items(4, 1)).save() as never,
    });
    expect(await runtime.deploy('qa', { version: 'v1' })).toMatchObject({
      revision: 1,
      version: 'v1',
    });
    expect((await runtime.store.programs.get('qa')).activeVersion).toBe('v1');
    expect((await runtime.variables('qa')).active.config).toEqual({ stateVersion: 'v1' });
    await expect(
      runtime.run('qa', { question: 'What is item 3?' }, { config: { configuration: 'x' } }),
    ).rejects.toMatchObject({ code: 'invalid_job' });
    await expect(
      runtime.run(
        'qa',
        { question: 'What is item 3?' },
        { config: { variables: { model: 'sim-large' } } },
      ),
    ).rejects.toThrow(
      'Variable \'model\' (value "sim-large") is not overridable by jobs (overridable: none)',
    );
  });

  // A search by metric name is a `space-search` optimization job whose evaluations go out as
  // evaluation shards (here the embedded transport's): it must find what the in-process one does.
  const request = {
    trainset: items(12, 101),
    objectives: ['quality', 'cost'] as const,
    budget: { evaluations: 8 },
    seed: 3,
    select: { within: 5 },
  };

  it('finds_the_same_front_with_the_same_accounting_as_the_search_in_one_process', async () => {
    const runtime = await start(['sim-small', 'sim-medium', 'sim-large']);
    const here = await runtime.searchVariables('qa', { ...request, metric: answerMatches });
    const sharded = await runtime.searchVariables('qa', { ...request, metric: 'match' });

    // The in-process search ran no shard; the queued one sent every evaluation out as shards.
    expect(here.shardsByNode).toEqual({});
    expect(Object.values(sharded.shardsByNode).reduce((s, n) => s + n, 0)).toBeGreaterThan(0);
    expect(accounting(sharded.front)).toEqual(accounting(here.front));
    expect(accounting(sharded.evaluated)).toEqual(accounting(here.evaluated));
    expect(sharded.spent).toEqual(here.spent);
    expect(sharded.chosen?.configuration).toEqual(here.chosen?.configuration);
    expect(sharded.front.length).toBeGreaterThan(1);

    const run = await runtime.optimizationRun(sharded.runId);
    expect(run).toMatchObject({ optimizer: 'space-search', status: 'succeeded' });
    const result = run!.result as Record<string, unknown>;
    expect(result['chosen']).toBe(sharded.chosen?.configurationId);
    expect(result['front']).toEqual(
      sharded.front.map((p) =>
        expect.objectContaining({
          configurationId: p.configurationId,
          quality: p.quality,
          cost: p.cost,
          latencyMs: p.latency,
          latencyP95Ms: p.latencyP95,
          evaluations: p.evaluations,
        }),
      ),
    );
    expect(result['evaluated']).toHaveLength(sharded.evaluated.length);
    expect(result['searchedFrom']).toEqual({ revision: 0 });
  }, 120_000);

  it('starts_from_the_deployed_state_and_records_the_version_it_searched_from', async () => {
    const runtime = await start(['sim-small', 'sim-medium', 'sim-large']);
    await runtime.store.programs.create({ name: 'qa' });
    const published = await runtime.store.programs.publishVersion('qa', {
      state: new SimQA(fx.url, items(4, 1), {
        models: ['sim-small'],
        temperatures: [0],
      }).save() as never,
      note: 'a deployed state',
    });
    const version = published.versions.at(-1)!.version;
    await runtime.deploy('qa', { version });
    const outcome = await runtime.searchVariables('qa', { ...request, metric: 'match' });
    expect(outcome.searchedFrom).toEqual({ revision: 1, stateVersion: version });
  }, 120_000);
});
