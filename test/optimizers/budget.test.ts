import { describe, expect, it } from 'vitest';

import { Example } from '../../src/modules/example.js';
import { Predict } from '../../src/modules/predict.js';
import type { Prediction } from '../../src/modules/prediction.js';
import { context } from '../../src/modules/settings.js';
import { BootstrapFewShot } from '../../src/optimizers/bootstrap-few-shot.js';
import { Budget } from '../../src/optimizers/budget.js';
import { BootstrapFewShotWithRandomSearch } from '../../src/optimizers/random-search.js';
import { ChoiceLM, userOf } from './choice-lm.js';

const item = (n: number): Example =>
  new Example({ question: `What is item ${n}?`, answer: `a${n}` }).withInputs('question');
const trainset = Array.from({ length: 8 }, (_, i) => item(i));
const exact = (ex: Example, pred: Prediction): boolean => ex.answer === pred.answer;
// 100 prompt + 20 completion tokens per call at $1 / $5 per 1M tokens: $0.0002 a call.
const PER_CALL = 0.0002;
const priced = (): ChoiceLM =>
  new ChoiceLM(
    (request) => ({ answer: `a${/item (\d+)/.exec(userOf(request))?.[1]}` }),
    [],
    'priced',
    { pricing: { input: 1, output: 5 } },
  );

describe('Budget', () => {
  it('counts task and prompt spend apart and names the first cap reached', () => {
    const budget = new Budget({ maxLmCalls: 10, maxUsd: 0.5 });
    budget.charge({
      role: 'task',
      lmCalls: 4,
      promptTokens: 40,
      completionTokens: 8,
      usd: 0.1,
      metricCalls: 4,
    });
    budget.charge({
      role: 'prompt',
      lmCalls: 1,
      promptTokens: 10,
      completionTokens: 30,
      usd: 0.3,
      metricCalls: 0,
    });
    expect(budget.usage.task.lmCalls).toBe(4);
    expect(budget.usage.prompt.usd).toBeCloseTo(0.3);
    expect(budget.exhausted()).toBeUndefined();
    expect(budget.remaining()).toEqual({
      maxLmCalls: 5,
      maxUsd: expect.closeTo(0.1, 10) as number,
    });
    budget.charge({
      role: 'prompt',
      lmCalls: 1,
      promptTokens: 0,
      completionTokens: 0,
      usd: 0.1,
      metricCalls: 0,
    });
    expect(budget.exhausted()).toBe('max_usd');
  });

  it('measures the calls, tokens and dollars of a scope through the LM pipeline', async () => {
    const budget = new Budget();
    const lm = priced();
    const { charge } = await context({ lm }, () =>
      budget.measure('task', () =>
        new Predict('question -> answer').call({ question: 'What is item 3?' }),
      ),
    );
    expect(charge).toMatchObject({
      role: 'task',
      lmCalls: 1,
      promptTokens: 100,
      completionTokens: 20,
    });
    expect(charge.usd).toBeCloseTo(PER_CALL, 12);
    expect(budget.lmCalls).toBe(1);
  });

  it("prices calls with the LM's own pricing, and rejects a bad price", () => {
    expect(() => new ChoiceLM(() => ({}), [], 'x', { pricing: { input: -1, output: 0 } })).toThrow(
      /pricing must be \{ input, output \} in USD per 1M tokens/,
    );
  });

  it('rejects negative or non-finite caps', () => {
    expect(() => new Budget({ maxLmCalls: -1 })).toThrow(/maxLmCalls must be a finite number >= 0/);
    expect(() => new Budget({ maxUsd: Number.NaN })).toThrow(/maxUsd/);
  });

  it('stops BootstrapFewShot at a dollar cap whatever the concurrency', async () => {
    for (const concurrency of [1, 4]) {
      const result = await context({ lm: priced() }, () =>
        new BootstrapFewShot({
          metric: exact,
          maxBootstrappedDemos: 6,
          maxUsd: PER_CALL * 2.5,
          concurrency,
        }).optimize(new Predict('question -> answer'), { trainset }),
      );
      expect(result.bootstrap).toMatchObject({
        bootstrapped: 3,
        budgetExhausted: true,
        stopReason: 'max_usd',
      });
      expect(result.bootstrap.usd).toBeCloseTo(PER_CALL * 3, 12);
    }
  });

  it('stops random search at a dollar cap and reports why', async () => {
    const result = await context({ lm: priced() }, () =>
      new BootstrapFewShotWithRandomSearch({
        metric: exact,
        maxBootstrappedDemos: 2,
        maxLabeledDemos: 2,
        numCandidatePrograms: 4,
        maxUsd: PER_CALL * 20,
        display: false,
      }).optimize(new Predict('question -> answer'), { trainset }),
    );
    expect(result.stopReason).toBe('max_usd');
    expect(result.budgetExhausted).toBe(true);
    // zero-shot (8 calls), labeled (8), then the -1 bootstrap passes the cap.
    expect(result.candidates.map((c) => c.seed).sort()).toEqual([-1, -2, -3]);
  });
});
