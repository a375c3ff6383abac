import { describe, expect, it } from 'vitest';

import { Example } from '../../src/modules/example.js';
import { Predict } from '../../src/modules/predict.js';
import { LabeledFewShot } from '../../src/optimizers/labeled-few-shot.js';
import { PythonRandom } from '../../src/optimizers/python-random.js';

const trainset = Array.from({ length: 30 }, (_, i) =>
  new Example({ question: `q${i}`, answer: `a${i}` }).withInputs('question'),
);

describe('LabeledFewShot', () => {
  it('defaults to k=16 drawn by Random(0).sample (set strategy above 21 examples)', async () => {
    const program = await new LabeledFewShot().compile(new Predict('question -> answer'), {
      trainset,
    });
    expect(program.predictors()[0]!.demos).toEqual(new PythonRandom(0).sample(trainset, 16));
  });

  it('caps k at the trainset size', async () => {
    const program = await new LabeledFewShot({ k: 50 }).compile(new Predict('question -> answer'), {
      trainset: trainset.slice(0, 5),
    });
    expect(program.predictors()[0]!.demos).toHaveLength(5);
  });

  it('returns a reset copy with no demos for an empty trainset, and makes no LM calls', async () => {
    const student = new Predict('question -> answer');
    student.demos = [{ question: 'old', answer: 'old' }];
    const { program, stats } = await new LabeledFewShot({ k: 3 }).optimize(student, {
      trainset: [],
    });
    expect(program.demos).toEqual([]);
    expect(student.demos).toHaveLength(1);
    expect(stats.lmCalls).toBe(0);
  });

  it('another seed draws other demos; the same seed the same ones', async () => {
    const demos = async (seed: number) =>
      (
        await new LabeledFewShot({ k: 4, seed }).compile(new Predict('question -> answer'), {
          trainset,
        })
      ).demos;
    expect(await demos(3)).toEqual(await demos(3));
    expect(await demos(3)).not.toEqual(await demos(0));
  });

  it('rejects a negative k and examples without inputs', async () => {
    expect(() => new LabeledFewShot({ k: -1 })).toThrow(/k must be/);
    await expect(
      new LabeledFewShot().compile(new Predict('question -> answer'), {
        trainset: [new Example({ question: 'q' })],
      }),
    ).rejects.toMatchObject({ code: 'invalid_option' });
  });
});
