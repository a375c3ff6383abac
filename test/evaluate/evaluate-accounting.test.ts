import { describe, expect, it } from 'vitest';

import { answerExactMatch } from '../../src/evaluate/answer-metrics.js';
import { Evaluate } from '../../src/evaluate/evaluate.js';
import { DummyLM } from '../../src/lm/dummy-lm.js';
import { MemoryCache } from '../../src/lm/memory-cache.js';
import { Example } from '../../src/modules/example.js';
import { Predict } from '../../src/modules/predict.js';
import { context } from '../../src/modules/settings.js';

const devset = ['Paris', 'Rome', 'Oslo'].map((city, i) =>
  new Example({ question: `capital ${i}?`, answer: city }).withInputs('question'),
);
const answers = {
  'capital 0?': { answer: 'Paris' },
  'capital 1?': { answer: 'Rome' },
  'capital 2?': { answer: 'Bergen' },
};

describe('Evaluate LM accounting', () => {
  it('counts the LM calls and usage of the evaluation, per model', async () => {
    const lm = new DummyLM(answers, { usage: { promptTokens: 7, completionTokens: 3 } });
    const result = await context({ lm }, () =>
      new Evaluate({ devset, metric: answerExactMatch, display: false, concurrency: 2 }).run(
        new Predict('question -> answer'),
      ),
    );
    expect(result.score).toBe(66.67);
    expect(result.calls.lmCalls).toBe(3);
    expect(result.calls.usage['dummy/dummy']).toMatchObject({
      calls: 3,
      promptTokens: 21,
      completionTokens: 9,
    });
    expect(result.metricName).toBe('answerExactMatch');
  });

  it('counts cache hits as calls without usage', async () => {
    const lm = new DummyLM(answers, {
      cache: new MemoryCache(),
      usage: { promptTokens: 7, completionTokens: 3 },
    });
    const evaluate = new Evaluate({ devset, metric: answerExactMatch, display: false });
    const program = new Predict('question -> answer');
    await context({ lm }, () => evaluate.run(program));
    const second = await context({ lm }, () => evaluate.run(program));
    expect(second.calls).toMatchObject({ lmCalls: 3, cachedCalls: 3, usage: {} });
  });

  it('keeps the counts of concurrent evaluations apart', async () => {
    const lm = new DummyLM(answers);
    const evaluate = new Evaluate({ devset, metric: answerExactMatch, display: false });
    const [a, b] = await context({ lm }, () =>
      Promise.all([
        evaluate.run(new Predict('question -> answer')),
        evaluate.run(new Predict('question -> answer'), { devset: devset.slice(0, 1) }),
      ]),
    );
    expect(a.calls.lmCalls).toBe(3);
    expect(b.calls.lmCalls).toBe(1);
  });
});
