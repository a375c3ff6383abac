import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cheapestWithin,
  choosePoint,
  configurationKey,
  gridSearch,
  nondominatedRanks,
  paretoFront,
  paretoSearch,
  parseObjectiveConstraint,
  randomSearch,
  v,
  VariableSpace,
  type Configuration,
  type ConfigurationEvaluator,
  type EvaluatedPoint,
  type SearchCheckpoint,
} from '../../src/variables/index.js';

/** `evaluate`, counting its calls. */
function countCalls(evaluate: ConfigurationEvaluator): {
  evaluate: ConfigurationEvaluator;
  calls: () => number;
} {
  let calls = 0;
  return {
    evaluate: (c, indices) => {
      calls++;
      return evaluate(c, indices);
    },
    calls: () => calls,
  };
}

/**
 * A pure simulated task (no LM): the structure of simulated-task.ts — skill per configuration,
 * difficulty per example, cost from model price × prompt/output size — over 48 configurations.
 */
function synthetic(): { space: VariableSpace; evaluate: ConfigurationEvaluator } {
  const space = new VariableSpace()
    .add(v.choice(['s', 'm', 'l'], { name: 'model' }))
    .add(v.choice(['plain', 'cot'], { name: 'strategy' }))
    .add(v.choice([0, 1], { name: 'temperature' }))
    .add(v.choice([0, 1], { name: 'instructions' }))
    .add(v.choice([0, 4], { name: 'demos' }));
  const price: Record<string, number> = { s: 1, m: 5, l: 30 };
  const skill = (c: Configuration): number => {
    const size = ['s', 'm', 'l'].indexOf(c['model'] as string);
    let k = [0.3, 0.55, 0.85][size]!;
    if (c['strategy'] === 'cot') k += [0.15, 0.1, -0.03][size]!;
    if (c['temperature'] === 1) k -= [0.1, 0.05, 0.05][size]!;
    if (c['instructions'] === 1) k += 0.08;
    if (c['demos'] === 4) k += [0.1, 0.06, 0][size]!;
    return k;
  };
  const difficulty = (i: number): number => (i * 0.6180339887 + 0.1) % 1;
  const evaluate: ConfigurationEvaluator = (c, indices) =>
    Promise.resolve(
      indices.map((i) => ({
        score: skill(c) > difficulty(i) ? 1 : 0,
        cost:
          (price[c['model'] as string]! *
            (10 +
              (c['strategy'] === 'cot' ? 8 : 0) +
              (c['demos'] === 4 ? 4 : 0) +
              Number(c['instructions'])) *
            (1 + (i % 3) / 10)) /
          1e6,
        latencyMs: 10,
        lmCalls: 1,
      })),
    );
  return { space, evaluate };
}

const keys = (front: readonly EvaluatedPoint[]): string[] =>
  front.map((p) => configurationKey(p.configuration)).sort();

describe('pareto search against brute force (synthetic task)', () => {
  const n = 60;
  const objectives = { quality: 'max', cost: 'min' } as const;
  it('finds_the_brute_force_front_with_at_most_half_the_evaluations', async () => {
    const { space, evaluate } = synthetic();
    const brute = await gridSearch({ space, evaluate, devsetSize: n, objectives });
    expect(brute.spent.evaluations).toBe(48);
    const found = await paretoSearch({
      space,
      evaluate,
      devsetSize: n,
      objectives,
      budget: { evaluations: 24 },
      seed: 1,
    });
    expect(found.spent.evaluations).toBeLessThanOrEqual(24);
    expect(keys(found.front)).toEqual(keys(brute.front));
    for (const p of found.front) expect(p.complete).toBe(true);
  });
  it('never_spends_more_than_its_budget', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20 }), fc.integer(), async (budget, seed) => {
        const { space, evaluate } = synthetic();
        const r = await paretoSearch({
          space,
          evaluate,
          devsetSize: n,
          objectives,
          budget: { evaluations: budget / 2 },
          seed,
        });
        expect(r.spent.examples).toBeLessThanOrEqual((budget / 2) * n);
      }),
      { numRuns: 20 },
    );
  });
  it('stops_at_the_lm_call_and_dollar_budgets', async () => {
    const { space, evaluate } = synthetic();
    const calls = await gridSearch({ space, evaluate, devsetSize: n, budget: { lmCalls: 100 } });
    expect(calls.budgetExhausted).toBe(true);
    expect(calls.spent.lmCalls).toBeLessThan(100 + n);
    const dollars = await gridSearch({ space, evaluate, devsetSize: n, budget: { dollars: 1e-4 } });
    expect(dollars.budgetExhausted).toBe(true);
  });
  /**
   * A pareto search of the synthetic task (its evaluator, or `evaluate` wrapping it) that keeps a
   * JSON copy of every checkpoint it writes.
   */
  const checkpointedSearch = async (options: {
    evaluations: number;
    seed: number;
    evaluate?: (inner: ConfigurationEvaluator) => ConfigurationEvaluator;
    concurrency?: number;
    resumeFrom?: SearchCheckpoint;
  }) => {
    const { space, evaluate } = synthetic();
    const checkpoints: SearchCheckpoint[] = [];
    const result = await paretoSearch({
      space,
      evaluate: options.evaluate?.(evaluate) ?? evaluate,
      devsetSize: n,
      objectives,
      budget: { evaluations: options.evaluations },
      seed: options.seed,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.resumeFrom === undefined ? {} : { resumeFrom: options.resumeFrom }),
      onCheckpoint: (c) => void checkpoints.push(JSON.parse(JSON.stringify(c)) as SearchCheckpoint),
    });
    return { result, checkpoints };
  };
  const examplesIn = (c: SearchCheckpoint): number =>
    c.observations.reduce((s, o) => s + o.outcomes.length, 0);

  it('a_resumed_search_ends_where_the_uninterrupted_one_does_without_rerunning', async () => {
    const { result: full } = await checkpointedSearch({ evaluations: 24, seed: 3 });
    const { checkpoints } = await checkpointedSearch({ evaluations: 10, seed: 3 });
    let fresh = 0;
    const { result: resumed } = await checkpointedSearch({
      evaluations: 24,
      seed: 3,
      resumeFrom: checkpoints.at(-1)!,
      evaluate: (inner) => (c, indices) => {
        fresh += indices.length;
        return inner(c, indices);
      },
    });
    expect(keys(resumed.front)).toEqual(keys(full.front));
    expect(resumed.spent).toEqual(full.spent);
    expect(fresh).toBe(full.spent.examples - examplesIn(checkpoints.at(-1)!));
  });
  it('a_checkpoint_is_written_after_every_evaluated_configuration_with_rng_state_and_spend', async () => {
    let calls = 0;
    const { result: r, checkpoints } = await checkpointedSearch({
      evaluations: 12,
      seed: 5,
      concurrency: 3,
      evaluate: (inner) => (c, indices) => {
        calls++;
        return inner(c, indices);
      },
    });
    // One per evaluation, one per whole step (a screening or racing step).
    const steps = checkpoints.at(-1)!.steps!;
    expect(checkpoints).toHaveLength(calls + steps);
    // Written in order: the outcomes known only grow.
    for (let i = 1; i < checkpoints.length; i++)
      expect(examplesIn(checkpoints[i]!)).toBeGreaterThanOrEqual(examplesIn(checkpoints[i - 1]!));
    expect(examplesIn(checkpoints.at(-1)!)).toBe(r.spent.examples);
    expect(checkpoints.at(-1)!.spent).toEqual(r.spent);
    expect(typeof checkpoints.at(-1)!.rngState).toBe('number');
  });
  it('a_resumed_search_passes_through_the_same_rng_states_and_spend_as_the_uninterrupted_one', async () => {
    const { space, evaluate } = synthetic();
    const run = async (resumeFrom?: SearchCheckpoint, stopAfter = Infinity) => {
      const steps: SearchCheckpoint[] = [];
      let runs = 0;
      const r = await paretoSearch({
        space,
        evaluate,
        devsetSize: n,
        objectives,
        budget: { evaluations: 16 },
        seed: 11,
        shouldStop: () => runs >= stopAfter,
        ...(resumeFrom === undefined ? {} : { resumeFrom }),
        onCheckpoint: (c) => {
          const copy = JSON.parse(JSON.stringify(c)) as SearchCheckpoint;
          if (steps.at(-1)?.steps !== copy.steps) steps.push(copy);
          else runs++;
          steps[steps.length - 1] = copy;
        },
      });
      return { r, steps };
    };
    const full = await run();
    const cut = await run(undefined, 7);
    expect(cut.r.stopReason).toBe('cancelled');
    const resumed = await run(cut.r.checkpoint);
    expect(keys(resumed.r.front)).toEqual(keys(full.r.front));
    const trail = (s: SearchCheckpoint[]) => s.map((c) => [c.steps, c.rngState, c.spent]);
    expect(trail(resumed.steps)).toEqual(trail(full.steps));
  });
  it('should_stop_ends_the_search_at_the_next_evaluation_with_the_front_so_far', async () => {
    const { space, evaluate } = synthetic();
    const watched = countCalls(evaluate);
    let stop = false;
    const r = await gridSearch({
      space,
      evaluate: watched.evaluate,
      devsetSize: n,
      objectives,
      shouldStop: () => stop,
      onCheckpoint: () => void (stop = watched.calls() >= 5),
    });
    expect(watched.calls()).toBe(5);
    expect(r.stopReason).toBe('cancelled');
    expect(r.evaluated).toHaveLength(5);
    expect(r.front.length).toBeGreaterThan(0);
    expect(
      r.front.every((p) =>
        r.evaluated.some(
          (e) => configurationKey(e.configuration) === configurationKey(p.configuration),
        ),
      ),
    ).toBe(true);
    const uncancelled = await gridSearch({ space, evaluate, devsetSize: n, objectives });
    expect(uncancelled.stopReason).toBeUndefined();
    expect(uncancelled.evaluated).toHaveLength(48);
  });
  it('a_checkpoint_of_another_devset_is_refused', async () => {
    const { space, evaluate } = synthetic();
    const r = await randomSearch({ space, evaluate, devsetSize: n, samples: 2 });
    await expect(
      paretoSearch({ space, evaluate, devsetSize: 10, resumeFrom: r.checkpoint }),
    ).rejects.toThrow(/does not fit this search/);
  });
  it('results_do_not_depend_on_concurrency', async () => {
    const { space, evaluate } = synthetic();
    const a = await gridSearch({ space, evaluate, devsetSize: n, concurrency: 1 });
    const b = await gridSearch({ space, evaluate, devsetSize: n, concurrency: 5 });
    expect(keys(a.front)).toEqual(keys(b.front));
  });
  it('constraints_keep_points_off_the_front', async () => {
    const { space, evaluate } = synthetic();
    const r = await gridSearch({
      space,
      evaluate,
      devsetSize: n,
      objectives,
      constraints: ['cost <= 0.0001'],
    });
    expect(r.front.every((p) => p.cost <= 0.0001)).toBe(true);
    expect(r.front.length).toBeGreaterThan(0);
  });
});

describe('objectives', () => {
  const pts = [
    { quality: 90, cost: 3, latency: 1 },
    { quality: 89, cost: 1, latency: 1 },
    { quality: 80, cost: 2, latency: 1 },
    { quality: 95, cost: 9, latency: 1 },
  ];
  it('front_and_ranks', () => {
    expect(paretoFront(pts, (p) => p)).toEqual([pts[0], pts[1], pts[3]]);
    expect(nondominatedRanks(pts)).toEqual([0, 0, 1, 0]);
  });
  it('cheapest_within_two_points_of_the_best', () => {
    const front = paretoFront(pts, (p) => p);
    expect(choosePoint(front, (p) => p, cheapestWithin(6))).toBe(pts[1]);
    expect(choosePoint(front, (p) => p, cheapestWithin(5))).toBe(pts[0]);
    expect(choosePoint(front, (p) => p, 'best-quality')).toBe(pts[3]);
  });
  it('constraint_text_is_read_or_rejected_with_the_text', () => {
    expect(parseObjectiveConstraint('latency < 800')).toEqual({
      objective: 'latency',
      op: '<',
      bound: 800,
    });
    expect(() => parseObjectiveConstraint('price <= 1')).toThrow('"price <= 1"');
  });
});
