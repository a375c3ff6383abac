import { describe, expect, it } from 'vitest';

import type { LMRequest } from '../../src/lm/types.js';
import { Example } from '../../src/modules/example.js';
import { Module } from '../../src/modules/module.js';
import { Predict } from '../../src/modules/predict.js';
import type { Prediction } from '../../src/modules/prediction.js';
import { context } from '../../src/modules/settings.js';
import { COPRO } from '../../src/optimizers/copro.js';
import type { OptimizerCheckpoint } from '../../src/optimizers/run-journal.js';
import { systemOf, userOf } from './choice-lm.js';
import { levelWorld as makeLm } from './level-world.js';

const item = (n: number): Example =>
  new Example({ question: `What is item ${n}?`, answer: `a${n}` }).withInputs('question');
const trainset = Array.from({ length: 10 }, (_, i) => item(i));
const exact = (ex: Example, pred: Prediction): boolean => ex.answer === pred.answer;

describe('COPRO', () => {
  it("proposes breadth-1 variants with DSPy's prompt, then climbs on the scored attempts", async () => {
    const requests: LMRequest[] = [];
    const lm = makeLm(requests);
    const copro = new COPRO({ metric: exact, breadth: 3, depth: 2, initTemperature: 1.1 });
    const result = await context({ lm }, () =>
      copro.optimize(new Predict('question -> answer'), { trainset }),
    );
    const first = requests[0]!;
    expect(first.n).toBe(2);
    expect(first.temperature).toBe(1.1);
    expect(systemOf(first)).toContain(
      'Your task is to propose an instruction that will lead a good language model to perform the task well.',
    );
    expect(userOf(first)).toContain('Given the fields `question`, produce the fields `answer`.');
    // Round 2 sees the 3 scored attempts, worst first, with Python float scores.
    const second = requests.find((r) => systemOf(r).includes('attempted_instructions'))!;
    expect(second.n).toBe(3);
    expect(userOf(second)).toMatch(
      /Instruction #1: .*\n.*Prefix #1: .*\n.*Resulting Score #1: 0\.0/s,
    );
    expect(userOf(second)).toContain('Instruction #3: level 1');
    expect(userOf(second)).toContain('Resulting Score #3: 20.0');
    const sig = result.program.predictors()[0]!.signature;
    expect(sig.instructions).toBe('level 4'); // quotes stripped
    expect(sig.field('answer')!.prefix).toBe('Q2:');
    expect(result.score).toBe(80);
    expect(result.totalCalls).toBe(6);
    expect(result.candidates.map((c) => c.score)).toEqual([80, 60, 40, 20, 0, 0]);
    // 2 proposal calls (prompt) + 6 evaluations x 10 examples (task).
    expect(result.usage.prompt.lmCalls).toBe(2);
    expect(result.usage.task.lmCalls).toBe(60);
    expect(result.usage.metricCalls).toBe(60);
    expect(result.usage.task.usd).toBeCloseTo((60 * (100 * 1 + 20 * 5)) / 1e6, 12);
    expect(result.stats.lmCalls).toBe(62);
    expect(result.stopReason).toBeUndefined();
  });

  it('counts prompt-model calls apart when a promptModel is given', async () => {
    const task = makeLm();
    const prompt = makeLm();
    const copro = new COPRO({ metric: exact, breadth: 2, depth: 1, promptModel: prompt });
    const result = await context({ lm: task }, () =>
      copro.optimize(new Predict('question -> answer'), { trainset }),
    );
    expect(prompt.requests).toHaveLength(1);
    expect(task.requests).toHaveLength(20);
    expect(result.usage.prompt.lmCalls).toBe(1);
    expect(result.usage.task.lmCalls).toBe(20);
  });

  it('re-scores every candidate so far in each round when the program has several predictors', async () => {
    class Two extends Module {
      first = new Predict('question -> answer');
      second = new Predict('question -> answer');
      async forward(inputs: { question: string }): Promise<Prediction> {
        await this.first.call(inputs);
        return this.second.call(inputs);
      }
    }
    const lm = makeLm();
    const copro = new COPRO({ metric: exact, breadth: 3, depth: 2 });
    const result = await context({ lm }, () => copro.optimize(new Two(), { trainset }));
    // Depth 0: 3 per predictor; depth 1: the 3 old + 3 new per predictor.
    expect(result.totalCalls).toBe(3 * 2 + 6 * 2);
    expect(result.program.predictors()[1]!.signature.instructions).toBe('level 4');
  });

  it('stops at the LM-call cap with the best so far and the reason', async () => {
    const lm = makeLm();
    const copro = new COPRO({ metric: exact, breadth: 3, depth: 2, maxLmCalls: 25 });
    const result = await context({ lm }, () =>
      copro.optimize(new Predict('question -> answer'), { trainset }),
    );
    // 1 proposal + 3 evaluations of 10: the third one starts at 21 calls and finishes.
    expect(result.stopReason).toBe('max_lm_calls');
    expect(result.totalCalls).toBe(3);
    expect(result.usage.task.lmCalls + result.usage.prompt.lmCalls).toBe(31);
    expect(result.score).toBe(20);
    expect(result.program.predictors()[0]!.signature.instructions).toBe('level 1');
  });

  it('stops at the dollar cap', async () => {
    const lm = makeLm();
    const perCall = (100 * 1 + 20 * 5) / 1e6;
    const copro = new COPRO({ metric: exact, breadth: 3, depth: 2, maxUsd: perCall * 15 });
    const result = await context({ lm }, () =>
      copro.optimize(new Predict('question -> answer'), { trainset }),
    );
    expect(result.stopReason).toBe('max_usd');
    expect(result.totalCalls).toBe(2);
  });

  it('resumes from any checkpoint to the same result as an uninterrupted run, replaying without calls', async () => {
    const checkpoints: OptimizerCheckpoint[] = [];
    const copro = new COPRO({
      metric: exact,
      breadth: 3,
      depth: 3,
      checkpoint: (c) => {
        checkpoints.push(JSON.parse(JSON.stringify(c)) as OptimizerCheckpoint);
      },
    });
    const full = await context({ lm: makeLm() }, () =>
      copro.optimize(new Predict('question -> answer'), { trainset }),
    );
    expect(checkpoints.length).toBe(full.checkpoint.steps.length);
    for (const cut of [1, 4, checkpoints.length - 1]) {
      const requests: LMRequest[] = [];
      const resumed = await context({ lm: makeLm(requests) }, () =>
        new COPRO({ metric: exact, breadth: 3, depth: 3 }).optimize(
          new Predict('question -> answer'),
          { trainset, resumeFrom: checkpoints[cut - 1]! },
        ),
      );
      expect(resumed.program.save()).toEqual(full.program.save());
      expect(resumed.candidates.map((c) => [c.instruction, c.score])).toEqual(
        full.candidates.map((c) => [c.instruction, c.score]),
      );
      expect(resumed.usage).toEqual(full.usage);
      expect(requests.length).toBe(
        full.stats.lmCalls -
          checkpoints[cut - 1]!.usage.task.lmCalls -
          checkpoints[cut - 1]!.usage.prompt.lmCalls,
      );
    }
  });

  it('rejects a checkpoint of another run and bad options', async () => {
    expect(() => new COPRO({ metric: exact, breadth: 1 })).toThrow(
      /Breadth must be greater than 1/,
    );
    expect(() => new COPRO({ metric: exact, maxUsd: -1 })).toThrow(
      /maxUsd must be a finite number/,
    );
    const other: OptimizerCheckpoint = {
      version: 1,
      optimizer: 'COPRO',
      steps: [
        {
          key: 'eval:d0:p0:c0',
          value: 1,
          charge: {
            role: 'task',
            lmCalls: 0,
            promptTokens: 0,
            completionTokens: 0,
            usd: 0,
            metricCalls: 0,
          },
        },
      ],
      usage: {
        task: { lmCalls: 0, promptTokens: 0, completionTokens: 0, usd: 0 },
        prompt: { lmCalls: 0, promptTokens: 0, completionTokens: 0, usd: 0 },
        metricCalls: 0,
      },
    };
    await expect(
      context({ lm: makeLm() }, () =>
        new COPRO({ metric: exact, breadth: 2, depth: 1 }).optimize(
          new Predict('question -> answer'),
          {
            trainset,
            resumeFrom: other,
          },
        ),
      ),
    ).rejects.toThrow(/resumeFrom does not match this run: step 0 is 'eval:d0:p0:c0'/);
  });
});
