import { describe, expect, it } from 'vitest';

import { Example } from '../../src/modules/example.js';
import { Predict } from '../../src/modules/predict.js';
import type { Prediction } from '../../src/modules/prediction.js';
import { context } from '../../src/modules/settings.js';
import type { OptimizerProgress } from '../../src/optimizers/optimizer.js';
import { PythonRandom } from '../../src/optimizers/python-random.js';
import {
  BootstrapFewShotWithRandomSearch,
  type RandomSearchCheckpoint,
} from '../../src/optimizers/random-search.js';
import { RuleLM, itemOf } from './rule-lm.js';

const item = (n: number): Example =>
  new Example({ question: `What is item ${n}?`, answer: `a${n}` }).withInputs('question');
const trainset = Array.from({ length: 6 }, (_, i) => item(i));
function exact(ex: Example, pred: Prediction): boolean {
  return ex.answer === pred.answer;
}
const lmRight = (): RuleLM => new RuleLM((m) => ({ answer: `a${itemOf(m)}` }));
const base = {
  metric: exact,
  maxBootstrappedDemos: 2,
  maxLabeledDemos: 3,
  display: false,
} as const;

describe('BootstrapFewShotWithRandomSearch candidates', () => {
  it('builds -3 zero-shot, -2 labeled, -1 unshuffled bootstrap, then Random(seed) shuffles of size randint(1, max)', async () => {
    const lm = lmRight();
    const rs = new BootstrapFewShotWithRandomSearch({ ...base, numCandidatePrograms: 3 });
    const { candidates } = await context({ lm }, () =>
      rs.optimize(new Predict('question -> answer'), { trainset }),
    );
    const bySeed = new Map(candidates.map((c) => [c.seed, c.program.demos as Example[]]));
    expect([...bySeed.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2]);
    expect(bySeed.get(-3)).toEqual([]);
    expect(bySeed.get(-2)).toEqual(new PythonRandom(0).sample(trainset, 3));
    expect(
      bySeed
        .get(-1)!
        .filter((d) => d.augmented === true)
        .map((d) => d.question),
    ).toEqual(['What is item 0?', 'What is item 1?']);
    for (const seed of [0, 1, 2]) {
      const shuffled = new PythonRandom(seed).shuffle([...trainset]);
      const size = new PythonRandom(seed).randint(1, 2);
      const augmented = bySeed
        .get(seed)!
        .filter((d) => d.augmented === true)
        .map((d) => d.question);
      expect(augmented).toEqual(shuffled.slice(0, size).map((e) => e.question));
    }
  });

  it('scores on the trainset when no valset is given, and sorts candidates best first (ties in seed order)', async () => {
    const lm = lmRight();
    const rs = new BootstrapFewShotWithRandomSearch({ ...base, numCandidatePrograms: 1 });
    const { candidates, program } = await context({ lm }, () =>
      rs.optimize(new Predict('question -> answer'), { trainset, valset: [] }),
    );
    expect(candidates.map((c) => [c.seed, c.score])).toEqual([
      [-3, 100],
      [-2, 100],
      [-1, 100],
      [0, 100],
    ]);
    expect(candidates[0]!.subscores).toEqual([true, true, true, true, true, true]);
    expect(program.demos).toEqual([]); // first best: the zero-shot candidate
  });

  it('restrict builds only the listed seeds; a restrict matching none is rejected', async () => {
    const lm = lmRight();
    const rs = new BootstrapFewShotWithRandomSearch({ ...base, numCandidatePrograms: 4 });
    const { candidates } = await context({ lm }, () =>
      rs.optimize(new Predict('question -> answer'), { trainset, restrict: [-1, 2, 9] }),
    );
    expect(candidates.map((c) => c.seed)).toEqual([-1, 2]);
    await expect(
      rs.compile(new Predict('question -> answer'), { trainset, restrict: [7] }),
    ).rejects.toMatchObject({
      code: 'invalid_option',
    });
  });

  it('labeledSample=false gives the -2 candidate the first k examples', async () => {
    const lm = lmRight();
    const rs = new BootstrapFewShotWithRandomSearch({ ...base, numCandidatePrograms: 0 });
    const { candidates } = await context({ lm }, () =>
      rs.optimize(new Predict('question -> answer'), {
        trainset,
        restrict: [-2],
        labeledSample: false,
      }),
    );
    expect(candidates[0]!.program.demos).toEqual(trainset.slice(0, 3));
  });
});

describe('BootstrapFewShotWithRandomSearch accounting', () => {
  it('counts LM and metric calls: bootstraps plus (N+3) evaluations of the valset', async () => {
    const lm = lmRight();
    const valset = [item(40), item(41)];
    const events: OptimizerProgress[] = [];
    const rs = new BootstrapFewShotWithRandomSearch({
      ...base,
      numCandidatePrograms: 2,
      onProgress: (e) => events.push(e),
    });
    const { stats, candidates } = await context({ lm }, () =>
      rs.optimize(new Predict('question -> answer'), { trainset, valset }),
    );
    const sizes = [0, 1].map((s) => new PythonRandom(s).randint(1, 2));
    // Everything passes, so each bootstrap runs exactly `size` train examples.
    const bootstrapCalls = 2 + sizes[0]! + sizes[1]!;
    const evaluationCalls = 5 * valset.length;
    expect(stats.lmCalls).toBe(bootstrapCalls + evaluationCalls);
    expect(stats.metricCalls).toBe(bootstrapCalls + evaluationCalls);
    expect(lm.requests).toHaveLength(stats.lmCalls);
    expect(candidates.every((c) => c.evaluation?.calls.lmCalls === valset.length)).toBe(true);
    expect(
      events
        .filter((e) => e.phase === 'candidate')
        .map((e) => (e.phase === 'candidate' ? e.seed : 0)),
    ).toEqual([-3, -2, -1, 0, 1]);
  });

  it('stops starting candidates once maxLmCalls is used, independent of concurrency', async () => {
    const run = async (concurrency: number) => {
      const lm = lmRight();
      // -3: 6 eval calls; -2: 6; -1: 2 bootstrap + 6 eval = 20 >= 15 → stop before seed 0.
      const rs = new BootstrapFewShotWithRandomSearch({
        ...base,
        numCandidatePrograms: 4,
        maxLmCalls: 15,
        concurrency,
      });
      return context({ lm }, () => rs.optimize(new Predict('question -> answer'), { trainset }));
    };
    for (const concurrency of [1, 3]) {
      const result = await run(concurrency);
      expect(result.candidates.map((c) => c.seed).sort((a, b) => a - b)).toEqual([-3, -2, -1]);
      expect(result.budgetExhausted).toBe(true);
    }
  });

  it('gives the same candidates with concurrency 1 and 4', async () => {
    const wrongLm = () =>
      new RuleLM((m) => ({ answer: itemOf(m) % 2 === 0 ? `a${itemOf(m)}` : 'x' }));
    const run = async (concurrency: number) => {
      const rs = new BootstrapFewShotWithRandomSearch({
        ...base,
        numCandidatePrograms: 3,
        concurrency,
      });
      const { candidates } = await context({ lm: wrongLm() }, () =>
        rs.optimize(new Predict('question -> answer'), { trainset }),
      );
      return candidates.map((c) => ({ seed: c.seed, score: c.score, state: c.program.save() }));
    };
    expect(await run(4)).toEqual(await run(1));
  });
});

describe('BootstrapFewShotWithRandomSearch checkpoints', () => {
  it('resumes an interrupted run from its checkpoint to the same result, without rescoring', async () => {
    const lmFor = () =>
      new RuleLM((m) => ({ answer: itemOf(m) % 3 === 0 ? 'x' : `a${itemOf(m)}` }));
    const options = { ...base, numCandidatePrograms: 3 };
    const full = await context({ lm: lmFor() }, () =>
      new BootstrapFewShotWithRandomSearch(options).optimize(new Predict('question -> answer'), {
        trainset,
      }),
    );

    let stored = '';
    const crashing = new BootstrapFewShotWithRandomSearch({
      ...options,
      checkpoint: (cp) => {
        stored = JSON.stringify(cp);
        if (cp.candidates.length === 4) throw new Error('worker died');
      },
    });
    await expect(
      context({ lm: lmFor() }, () =>
        crashing.optimize(new Predict('question -> answer'), { trainset }),
      ),
    ).rejects.toThrow('worker died');

    const lm = lmFor();
    const resumed = await context({ lm }, () =>
      new BootstrapFewShotWithRandomSearch(options).optimize(new Predict('question -> answer'), {
        trainset,
        resumeFrom: JSON.parse(stored) as RandomSearchCheckpoint,
      }),
    );
    const view = (r: typeof full) => r.candidates.map((c) => [c.seed, c.score, c.program.save()]);
    expect(view(resumed)).toEqual(view(full));
    expect(resumed.program.save()).toEqual(full.program.save());
    expect(resumed.stats.lmCalls).toBeLessThan(full.stats.lmCalls);
    expect(resumed.candidates.filter((c) => c.evaluation === undefined)).toHaveLength(4);
  });
});
