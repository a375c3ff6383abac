import { describe, expect, it } from 'vitest';
import { UsageTracker, runWithContext } from '../../src/context/index.js';
import { DummyLM, MemoryCache } from '../../src/lm/index.js';
import {
  ChainOfThought,
  Example,
  Module,
  ModuleError,
  Predict,
  Prediction,
  batch,
  context,
  contextWithUsage,
  parallel,
  type TraceEntry,
} from '../../src/modules/index.js';

const usage = { promptTokens: 7, completionTokens: 3 };

class TwoStep extends Module {
  first = new Predict('question -> draft');
  second = new Predict('draft -> answer');
  async forward(inputs: { question: string }): Promise<Prediction> {
    const { draft } = await this.first.call({ question: inputs.question });
    return this.second.call({ draft });
  }
}

describe('usage per prediction (T25)', () => {
  it('a prediction carries the per-model totals of its call', async () => {
    const lm = new DummyLM([{ answer: 'Paris' }], { usage });
    const pred = await context({ lm }, () =>
      new Predict('question -> answer').call({ question: 'q' }),
    );
    expect(pred.usage).toEqual({
      'dummy/dummy': { promptTokens: 7, completionTokens: 3, totalTokens: 10, cost: 0, calls: 1 },
    });
    expect(pred.getLmUsage()).toBe(pred.usage);
  });

  it('a job scope (contextWithUsage) is the usage scope of every call inside: one scope, usage summed', async () => {
    const lm = new DummyLM([{ draft: 'd' }, { answer: 'a' }], { usage });
    const tracker = new UsageTracker();
    const outer = new UsageTracker();
    const pred = await runWithContext({ usageTrackers: [outer] }, () =>
      contextWithUsage({ lm }, tracker, () => new TwoStep().call({ question: 'q' })),
    );
    // The module reused the job's scope: it set no usage of its own.
    expect(pred.usage).toBeUndefined();
    expect(tracker.perModel()['dummy/dummy']).toMatchObject({ totalTokens: 20, calls: 2 });
    // Outer trackers still see the calls.
    expect(outer.total()).toMatchObject({ totalTokens: 20, calls: 2 });
  });

  it('the outermost module sums the calls of its sub-modules', async () => {
    const lm = new DummyLM([{ draft: 'd' }, { answer: 'a' }], { usage });
    const pred = await context({ lm }, () => new TwoStep().call({ question: 'q' }));
    expect(pred.usage?.['dummy/dummy']).toMatchObject({ totalTokens: 20, calls: 2 });
  });

  it('cache hits contribute no usage', async () => {
    const lm = new DummyLM({ q: { answer: 'a' } }, { usage, cache: new MemoryCache() });
    const p = new Predict('question -> answer');
    const first = await context({ lm }, () => p.call({ question: 'q' }));
    const second = await context({ lm }, () => p.call({ question: 'q' }));
    expect(first.usage?.['dummy/dummy']?.totalTokens).toBe(10);
    expect(second.usage).toEqual({});
  });

  it('outer trackers (e.g. an evaluation) still see every prediction', async () => {
    const lm = new DummyLM({ q: { answer: 'a' } }, { usage });
    const outer = new UsageTracker();
    const preds = await runWithContext({ usageTrackers: [outer] }, () =>
      context({ lm }, () =>
        Promise.all([1, 2, 3].map(() => new Predict('question -> answer').call({ question: 'q' }))),
      ),
    );
    expect(preds.map((p) => p.usage?.['dummy/dummy']?.totalTokens)).toEqual([10, 10, 10]);
    expect(outer.total().totalTokens).toBe(30);
  });
});

describe('batch', () => {
  const qs = Array.from({ length: 12 }, (_, i) => `question ${i}?`);
  const answers = Object.fromEntries(qs.map((q, i) => [q, { answer: `answer ${i}` }]));

  it('keeps input order and gives each example its own usage (T25 with parallel)', async () => {
    const lm = new DummyLM(answers, { usage });
    const examples = qs.map((q) => new Example({ question: q, gold: 'x' }).withInputs('question'));
    const results = await context({ lm }, () =>
      batch(new Predict('question -> answer'), examples, { concurrency: 4 }),
    );
    expect(results.map((r) => r?.answer)).toEqual(qs.map((_, i) => `answer ${i}`));
    for (const r of results)
      expect(r?.usage?.['dummy/dummy']).toMatchObject({ totalTokens: 10, calls: 1 });
  });

  it('inside an outer module call each item still gets its own usage', async () => {
    const lm = new DummyLM(answers, { usage });
    class Fan extends Module {
      p = new Predict('question -> answer');
      async forward(): Promise<Prediction> {
        const rs = await this.p.batch(qs.slice(0, 3).map((question) => ({ question })));
        return new Prediction({ per: rs.map((r) => r?.usage?.['dummy/dummy']?.totalTokens) });
      }
    }
    const pred = await context({ lm }, () => new Fan().call({}));
    expect(pred.per).toEqual([10, 10, 10]);
    expect(pred.usage?.['dummy/dummy']?.totalTokens).toBe(30);
  });

  it('parallel runs (program, example) pairs in input order', async () => {
    const lm = new DummyLM({ ...answers, 'some text': { summary: 'short' } });
    const results = await context({ lm }, () =>
      parallel([
        [new Predict('question -> answer'), { question: qs[0] }],
        [new Predict('text -> summary'), new Example({ text: 'some text' }).withInputs('text')],
      ]),
    );
    expect(results.map((r) => r?.toDict())).toEqual([{ answer: 'answer 0' }, { summary: 'short' }]);
  });

  it('never runs more than `concurrency` examples at once', async () => {
    let running = 0;
    let peak = 0;
    const program = {
      async call(inputs: Record<string, unknown>): Promise<Prediction> {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => setImmediate(r));
        running--;
        return new Prediction({ echo: inputs['x'] });
      },
    };
    const out = await batch(
      program,
      Array.from({ length: 10 }, (_, x) => ({ x })),
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
    expect(out.map((p) => p?.echo)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('returns failures with returnFailures and null results for them', async () => {
    const program = {
      call: (inputs: Record<string, unknown>): Promise<Prediction> =>
        inputs['x'] === 2
          ? Promise.reject(new Error('boom'))
          : Promise.resolve(new Prediction({ y: inputs['x'] })),
    };
    const examples = [{ x: 1 }, { x: 2 }, { x: 3 }];
    const { results, failedExamples, errors } = await batch(program, examples, {
      returnFailures: true,
    });
    expect(results.map((r) => r?.y ?? null)).toEqual([1, null, 3]);
    expect(failedExamples).toEqual([{ x: 2 }]);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('aborts with too_many_errors once maxErrors examples failed', async () => {
    const program = { call: (): Promise<Prediction> => Promise.reject(new Error('down')) };
    const err = await batch(
      program,
      Array.from({ length: 10 }, () => ({})),
      { maxErrors: 2, concurrency: 1 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModuleError);
    expect((err as ModuleError).code).toBe('too_many_errors');
    expect(((err as ModuleError).cause as Error).message).toBe('down');
  });

  it('shares the caller trace and context with every item', async () => {
    const lm = new DummyLM(answers);
    const trace: TraceEntry[] = [];
    const cotLm = new DummyLM(
      Object.fromEntries(qs.map((q) => [q, { reasoning: 'r', answer: q }])),
    );
    const { results, errors } = await context({ lm: cotLm, trace }, () =>
      new ChainOfThought('question -> answer').batch(
        qs.slice(0, 2).map((question) => ({ question })),
        {
          returnFailures: true,
        },
      ),
    );
    expect(errors).toEqual([]);
    expect(results.map((r) => r?.answer)).toEqual(qs.slice(0, 2));
    expect(trace.map((t) => t.inputs['question']).sort()).toEqual(qs.slice(0, 2).sort());
    expect(lm.history.list()).toHaveLength(0);
  });
});
