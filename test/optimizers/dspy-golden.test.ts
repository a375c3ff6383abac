import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { Module } from '../../src/modules/module.js';
import { context } from '../../src/modules/settings.js';
import { BootstrapFewShot } from '../../src/optimizers/bootstrap-few-shot.js';
import { LabeledFewShot } from '../../src/optimizers/labeled-few-shot.js';
import { BootstrapFewShotWithRandomSearch } from '../../src/optimizers/random-search.js';
import { HintThenAnswer, metric, oracleLm, trainset, valset } from './oracle-world.js';

/*
 * dspy-golden.json is the output of fixtures/dspy_oracle.py: DSPy 3.3.1's own vanilla.py,
 * bootstrap.py and random_search.py run (under CPython's `random`) on the same fake program and LM
 * rule as below. Matching it shows our optimizers pick DSPy's demos and candidates, seed for seed.
 */
type Demos = Record<string, Record<string, unknown>[]>;
interface Golden {
  labeled_k3: Demos;
  labeled_k3_nosample: Demos;
  bootstrap_b3_l6: Demos;
  bootstrap_b2_l16: Demos;
  random_search: { best: Demos; candidates: { seed: number; score: number; demos: Demos }[] };
  random_search_stop50: number[];
}
const golden = JSON.parse(
  readFileSync(new URL('./fixtures/dspy-golden.json', import.meta.url), 'utf8'),
) as Golden;

function demosOf(program: Module): Demos {
  return Object.fromEntries(
    Object.entries(program.save()).map(([name, state]) => [name, state.demos]),
  );
}

describe('LabeledFewShot matches DSPy', () => {
  it('k=3 samples with Random(0), one generator across predictors', async () => {
    const program = await new LabeledFewShot({ k: 3 }).compile(new HintThenAnswer(), { trainset });
    expect(demosOf(program)).toEqual(golden.labeled_k3);
  });
  it('k=3, sample=false takes the first three', async () => {
    const program = await new LabeledFewShot({ k: 3, sample: false }).compile(
      new HintThenAnswer(),
      { trainset },
    );
    expect(demosOf(program)).toEqual(golden.labeled_k3_nosample);
  });
});

describe.each([1, 3])('BootstrapFewShot matches DSPy (concurrency %i)', (concurrency) => {
  it('maxBootstrappedDemos=3, maxLabeledDemos=6: augmented demos in train order, then the shuffled rest', async () => {
    const lm = oracleLm();
    const opt = new BootstrapFewShot({
      metric,
      maxBootstrappedDemos: 3,
      maxLabeledDemos: 6,
      concurrency,
    });
    const program = await context({ lm }, () => opt.compile(new HintThenAnswer(), { trainset }));
    expect(demosOf(program)).toEqual(golden.bootstrap_b3_l6);
    // Key order too: DSPy builds Example(augmented=True, **inputs, **outputs).
    expect(Object.keys(demosOf(program)['answer']![0]!)).toEqual([
      'augmented',
      'question',
      'hint',
      'answer',
    ]);
  });

  it('maxBootstrappedDemos=2, maxLabeledDemos=16', async () => {
    const lm = oracleLm();
    const opt = new BootstrapFewShot({
      metric,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 16,
      concurrency,
    });
    const program = await context({ lm }, () => opt.compile(new HintThenAnswer(), { trainset }));
    expect(demosOf(program)).toEqual(golden.bootstrap_b2_l16);
  });
});

describe.each([1, 4])(
  'BootstrapFewShotWithRandomSearch matches DSPy (concurrency %i)',
  (concurrency) => {
    it('builds candidates -3…5 as DSPy seeds them, scores them, keeps the first best', async () => {
      const lm = oracleLm();
      const rs = new BootstrapFewShotWithRandomSearch({
        metric,
        maxBootstrappedDemos: 3,
        maxLabeledDemos: 1,
        numCandidatePrograms: 6,
        concurrency,
        display: false,
      });
      const result = await context({ lm }, () =>
        rs.optimize(new HintThenAnswer(), { trainset, valset }),
      );
      expect(
        result.candidates.map((c) => ({ seed: c.seed, score: c.score, demos: demosOf(c.program) })),
      ).toEqual(golden.random_search.candidates);
      expect(demosOf(result.program)).toEqual(golden.random_search.best);
    });

    it('stopAtScore stops after the first candidate reaching it', async () => {
      const lm = oracleLm();
      const rs = new BootstrapFewShotWithRandomSearch({
        metric,
        maxBootstrappedDemos: 3,
        maxLabeledDemos: 1,
        numCandidatePrograms: 6,
        stopAtScore: 50,
        concurrency,
        display: false,
      });
      const result = await context({ lm }, () =>
        rs.optimize(new HintThenAnswer(), { trainset, valset }),
      );
      expect(result.candidates.map((c) => c.seed)).toEqual(golden.random_search_stop50);
    });
  },
);
