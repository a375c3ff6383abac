import { beforeEach, describe, expect, it } from 'vitest';
import { DummyLM, globalLMHistory, resetGlobalHistory } from '../../src/lm/index.js';
import {
  BestOfN,
  ChainOfThought,
  ModuleError,
  Predict,
  Refine,
  context,
  type Prediction,
  type TraceEntry,
} from '../../src/modules/index.js';

const oneWord = (_args: Record<string, unknown>, pred: Prediction): number =>
  String(pred.answer).trim().split(/\s+/).length === 1 ? 1 : 0;

const quiet = { warn: () => undefined };

beforeEach(() => resetGlobalHistory());

describe('BestOfN', () => {
  it('stops at the first attempt reaching the threshold, each at temperature 1.0 with its own rollout id', async () => {
    const lm = new DummyLM([
      { answer: 'It is Brussels' },
      { answer: 'Brussels, the capital' },
      { answer: 'Brussels' },
      { answer: 'never asked' },
    ]);
    const best = new BestOfN(new Predict('question -> answer'), {
      n: 4,
      rewardFn: oneWord,
      threshold: 1,
    });
    const pred = await context({ lm }, () => best.call({ question: 'Capital of Belgium?' }));
    expect(pred.answer).toBe('Brussels');
    const calls = globalLMHistory();
    expect(calls.map((c) => c.params['rolloutId'])).toEqual([0, 1, 2]);
    expect(calls.every((c) => c.params['temperature'] === 1)).toBe(true);
    expect(lm.remaining).toBe(1);
  });

  it('returns the highest reward when no attempt reaches the threshold', async () => {
    const lm = new DummyLM([{ answer: 'a b c' }, { answer: 'a' }, { answer: 'a b' }]);
    const reward = (_: unknown, pred: Prediction): number =>
      1 / String(pred.answer).split(' ').length;
    const best = new BestOfN(new Predict('question -> answer'), {
      n: 3,
      rewardFn: reward,
      threshold: 2,
    });
    const pred = await context({ lm }, () => best.call({ question: 'q' }));
    expect(pred.answer).toBe('a');
  });

  it("only the winning attempt's trace reaches the caller's trace", async () => {
    const lm = new DummyLM([{ answer: 'two words' }, { answer: 'one' }]);
    const best = new BestOfN(new Predict('question -> answer'), {
      n: 2,
      rewardFn: oneWord,
      threshold: 1,
    });
    const trace: TraceEntry[] = [];
    await context({ lm, trace }, () => best.call({ question: 'q' }));
    expect(trace).toHaveLength(1);
    expect(trace[0]?.prediction.answer).toBe('one');
  });

  it('tolerates failures up to failCount, then rethrows the error (DSPy counting)', async () => {
    let calls = 0;
    const failing = (): number => {
      calls += 1;
      throw new Error(`reward failed ${calls}`);
    };
    const lm = new DummyLM([{ answer: 'x' }, { answer: 'y' }, { answer: 'z' }]);
    const best = new BestOfN(new Predict('question -> answer'), {
      n: 3,
      rewardFn: failing,
      threshold: 1,
      failCount: 1,
    });
    // Attempt 0: 0 > 1 no (1 left → 0); attempt 1: 1 > 0 → rethrow.
    await expect(
      context({ lm, logger: quiet }, () => best.call({ question: 'q' })),
    ).rejects.toThrow('reward failed 2');
  });

  it('fails with all_attempts_failed when no attempt produced a prediction', async () => {
    const lm = new DummyLM([{ answer: 'x' }]);
    const best = new BestOfN(new Predict('question -> answer'), {
      n: 1,
      rewardFn: () => {
        throw new Error('boom');
      },
      threshold: 1,
    });
    const err = await context({ lm, logger: quiet }, () => best.call({ question: 'q' })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModuleError);
    expect((err as ModuleError).code).toBe('all_attempts_failed');
  });

  it("exposes the wrapped module's predictors and saves/loads their state in DSPy's shape", async () => {
    const best = new BestOfN(new ChainOfThought('question -> answer'), {
      n: 2,
      rewardFn: oneWord,
      threshold: 1,
    });
    expect(best.namedPredictors().map(([name]) => name)).toEqual(['module.predict']);
    best.module.predictors()[0]!.demos = [{ question: 'q1', reasoning: 'r', answer: 'a1' }];
    const state = best.save();
    expect(Object.keys(state)).toEqual(['module.predict']);
    expect(state['module.predict']?.demos).toEqual([
      { question: 'q1', reasoning: 'r', answer: 'a1' },
    ]);
    const fresh = new BestOfN(new ChainOfThought('question -> answer'), {
      n: 2,
      rewardFn: oneWord,
      threshold: 1,
    }).load(state);
    expect(fresh.save()).toEqual(state);
  });

  it('rejects a non-positive n with a readable error', () => {
    expect(
      () => new BestOfN(new Predict('q -> a'), { n: 0, rewardFn: oneWord, threshold: 1 }),
    ).toThrow('n must be a positive integer, got 0.');
  });
});

describe('Refine', () => {
  it('asks OfferFeedback for advice after a failed attempt and passes it as hint_ next time', async () => {
    const lm = new DummyLM([
      { answer: 'It is Brussels' },
      { discussion: 'The answer was long.', advice: { self: 'Answer with one word.' } },
      { answer: 'Brussels' },
    ]);
    const refine = new Refine(new Predict('question -> answer'), {
      n: 3,
      rewardFn: oneWord,
      threshold: 1,
    });
    const pred = await context({ lm }, () => refine.call({ question: 'Capital of Belgium?' }));
    expect(pred.answer).toBe('Brussels');
    const calls = globalLMHistory();
    expect(calls).toHaveLength(3);
    const feedbackSystem = String(calls[1]?.messages[0]?.content);
    expect(feedbackSystem).toContain('1. `program_code` (str): The code of the program');
    expect(feedbackSystem).toContain('In the discussion, assign blame to each module');
    const feedbackUser = String(calls[1]?.messages[1]?.content);
    expect(feedbackUser).toContain('[[ ## reward_value ## ]]\n0.0');
    expect(feedbackUser).toContain('[[ ## target_threshold ## ]]\n1.0');
    expect(feedbackUser).toContain('"module_name": "self"');
    expect(feedbackUser).toContain('Module self');
    const retry = calls[2]?.messages ?? [];
    expect(String(retry[0]?.content)).toContain(
      '2. `hint_` (str): A hint to the module from an earlier run',
    );
    expect(String(retry[retry.length - 1]?.content)).toContain(
      '[[ ## hint_ ## ]]\nAnswer with one word.',
    );
    // The feedback call uses the context LM as is; attempts run at temperature 1.0.
    expect(calls[2]?.params['rolloutId']).toBe(1);
  });

  it('gives N/A to predictors the advice does not name', async () => {
    const lm = new DummyLM([
      { reasoning: 'r', answer: 'two words' },
      { discussion: 'd', advice: { other: 'x' } },
      { reasoning: 'r', answer: 'one' },
    ]);
    const refine = new Refine(new ChainOfThought('question -> answer'), {
      n: 2,
      rewardFn: oneWord,
      threshold: 1,
    });
    const pred = await context({ lm }, () => refine.call({ question: 'q' }));
    expect(pred.answer).toBe('one');
    const last = globalLMHistory().at(-1)?.messages ?? [];
    expect(String(last[last.length - 1]?.content)).toContain('[[ ## hint_ ## ]]\nN/A');
  });

  it('does not ask for advice after the last attempt', async () => {
    const lm = new DummyLM([{ answer: 'a b' }]);
    const refine = new Refine(new Predict('question -> answer'), {
      n: 1,
      rewardFn: oneWord,
      threshold: 1,
    });
    const pred = await context({ lm }, () => refine.call({ question: 'q' }));
    expect(pred.answer).toBe('a b');
    expect(globalLMHistory()).toHaveLength(1);
  });
});
