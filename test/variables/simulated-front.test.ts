import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Evaluate } from '../../src/evaluate/index.js';
import { applyConfiguration, programSpace } from '../../src/modules/index.js';
import { SpaceSearch } from '../../src/optimizers/index.js';
import {
  configurationKey,
  formatFrontTable,
  renderFrontHtml,
  type EvaluatedPoint,
} from '../../src/variables/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { SimQA, answerMatches, items, simulatedHandler } from './simulated-task.js';

const keys = (front: readonly EvaluatedPoint[]): string[] =>
  front.map((p) => configurationKey(p.configuration)).sort();

describe('simulated task through the OpenAI wire protocol', () => {
  let fx: LMFixture;
  let virtualNow = 0;
  beforeAll(async () => {
    fx = await startOpenAIFixture();
    fx.recordRequests = false;
    // Latency on a virtual clock: each call advances it by the simulated model latency.
    fx.handle(simulatedHandler({ onCall: (ms) => (virtualNow += ms) }));
  });
  afterAll(() => fx.close());

  const program = (): SimQA => new SimQA(fx.url, items(4, 1));
  const devset = items(40, 101);

  it('the_space_has_the_declared_variables', () => {
    expect(programSpace(program()).names()).toEqual([
      'strategy',
      'model',
      'temperature',
      'answer.instructions',
      'answer.demos',
    ]);
  });

  it('evaluate_reports_dollars_from_prices_and_latency_from_the_clock', async () => {
    const configured = applyConfiguration(program(), {
      model: 'sim-large',
      strategy: 'ChainOfThought',
    });
    const result = await new Evaluate({
      devset: devset.slice(0, 5),
      metric: answerMatches,
      concurrency: 1,
      display: false,
      clock: () => virtualNow,
    }).run(configured);
    const tokens = Object.values(result.calls.usage)[0]!;
    expect(result.cost).toBeCloseTo(
      (tokens.promptTokens * 3 + tokens.completionTokens * 12) / 1e6,
      12,
    );
    expect(result.latency.meanMs).toBeGreaterThan(25);
    expect(result.objectives()).toMatchObject({ quality: result.score, cost: result.cost / 5 });
    expect(result.violations(['cost <= 0'])).toHaveLength(1);
  });

  it('pareto_search_front_matches_brute_force_with_half_the_evaluations', async () => {
    const common = {
      metric: answerMatches,
      objectives: { quality: 'max', cost: 'min' } as const,
      exampleConcurrency: 8,
    };
    const brute = await new SpaceSearch({ ...common, algorithm: 'grid', concurrency: 4 }).optimize(
      program(),
      { trainset: devset },
    );
    expect(brute.spent.evaluations).toBe(48);
    const found = await new SpaceSearch({
      ...common,
      seed: 1,
      budget: { evaluations: 24 },
    }).optimize(program(), { trainset: devset });
    expect(found.spent.evaluations).toBeLessThanOrEqual(24);
    expect(keys(found.front)).toEqual(keys(brute.front));
    expect(formatFrontTable(found.front)).toContain('sim-large');
    const html = renderFrontHtml(found.front, { evaluated: found.evaluated, chosen: found.chosen });
    expect(html.match(/<circle /g)!.length).toBeGreaterThanOrEqual(found.evaluated.length);
    expect(found.program.answer).toBeDefined();
  }, 120_000);

  it('every_bench_seed_finds_the_brute_force_front_of_60_examples_with_half_the_evaluations', async () => {
    // bench/variables/run.ts's setting. Seed 1 once lost a front point that tied a cheaper rival
    // on its first 48 examples and led it by one of the last 12: it was left one step from
    // complete while the budget went to candidates further behind.
    const common = {
      metric: answerMatches,
      objectives: { quality: 'max', cost: 'min' } as const,
      exampleConcurrency: 8,
      concurrency: 4,
    };
    const devset60 = items(60, 101);
    const brute = await new SpaceSearch({ ...common, algorithm: 'grid' }).optimize(program(), {
      trainset: devset60,
    });
    for (const seed of [1, 2, 3]) {
      const found = await new SpaceSearch({
        ...common,
        seed,
        budget: { evaluations: 24 },
      }).optimize(program(), { trainset: devset60 });
      expect(found.spent.evaluations).toBeLessThanOrEqual(24);
      expect({ seed, front: keys(found.front) }).toEqual({ seed, front: keys(brute.front) });
    }
  }, 180_000);
});
