import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DummyLM, globalLMHistory, resetGlobalHistory } from '../../src/lm/index.js';
import {
  CheckOutputs,
  ChainOfThought,
  Example,
  ModuleError,
  MultiChainComparison,
  Parallel,
  Predict,
  context,
  type BatchWithFailures,
  type Prediction,
  type TraceEntry,
} from '../../src/modules/index.js';

beforeEach(() => resetGlobalHistory());

const lastUser = (): string => {
  const messages = globalLMHistory().at(-1)?.messages ?? [];
  return String(messages[messages.length - 1]?.content);
};

describe('MultiChainComparison', () => {
  it('renders each attempt as DSPy does and predicts rationale then the answer', async () => {
    const lm = new DummyLM([{ rationale: 'my rationale', answer: 'blue' }]);
    const mcc = new MultiChainComparison('question -> answer', { m: 3 });
    const completions = [
      { rationale: 'I think the sky is blue.\nmore', answer: 'blue' },
      { reasoning: 'Because of scattering', answer: 'blue\nextra' },
      { rationale: '  red light  ', answer: 'red' },
    ];
    const pred = await context({ lm }, () =>
      mcc.call({ completions, question: 'What color is the sky?' }),
    );
    expect(pred.rationale).toBe('my rationale');
    expect(pred.answer).toBe('blue');
    const user = lastUser();
    expect(user).toContain(
      "[[ ## reasoning_attempt_1 ## ]]\n«I'm trying to I think the sky is blue. I'm not sure but my prediction is blue»",
    );
    expect(user).toContain(
      "[[ ## reasoning_attempt_2 ## ]]\n«I'm trying to Because of scattering I'm not sure but my prediction is blue»",
    );
    expect(user).toContain("«I'm trying to red light I'm not sure but my prediction is red»");
    expect(globalLMHistory().at(-1)?.params['temperature']).toBe(0.7);
    expect(mcc.predict.signature.field('rationale')?.prefix).toBe(
      "Accurate Reasoning: Thank you everyone. Let's now holistically",
    );
    expect(mcc.predict.signature.field('reasoning_attempt_2')?.prefix).toBe('Student Attempt #2:');
    expect(mcc.namedPredictors().map(([n]) => n)).toEqual(['predict']);
  });

  it('rejects a number of attempts other than m with DSPy message', async () => {
    const mcc = new MultiChainComparison('question -> answer', { m: 2 });
    await expect(
      context({ lm: new DummyLM([]) }, () =>
        mcc.call({ completions: [{ reasoning: 'r', answer: 'a' }], question: 'q' }),
      ),
    ).rejects.toThrow("The number of attempts (1) doesn't match the expected number M (2).");
  });

  it('takes the completions of a ChainOfThought with n samples', async () => {
    const lm = new DummyLM([
      { reasoning: 'r1', answer: '1' },
      { reasoning: 'r2', answer: '2' },
      { rationale: 'both', answer: '2' },
    ]);
    const cot = new ChainOfThought('question -> answer', { n: 2 });
    const mcc = new MultiChainComparison('question -> answer', { m: 2 });
    const pred = await context({ lm }, async () => {
      const attempts = await cot.call({ question: 'q' });
      return mcc.call({ completions: attempts.completions, question: 'q' });
    });
    expect(pred.answer).toBe('2');
    expect(lastUser()).toContain("«I'm trying to r2 I'm not sure but my prediction is 2»");
  });
});

describe('Parallel', () => {
  it('runs module × example pairs in order under the concurrency bound', async () => {
    const lm = new DummyLM({ alpha: { answer: 'A' }, beta: { answer: 'B' } });
    const qa = new Predict('question -> answer');
    const run = new Parallel({ numThreads: 2 });
    const results = (await context({ lm }, () =>
      run.forward([
        [qa, new Example({ question: 'alpha', answer: 'gold' }).withInputs('question')],
        [qa, { question: 'beta' }],
      ]),
    )) as (Prediction | null)[];
    expect(results.map((r) => r?.answer)).toEqual(['A', 'B']);
  });

  it('returns failed examples with their errors, then cancels past the error budget', async () => {
    const lm = new DummyLM({ ok: { answer: 'fine' } });
    const qa = new Predict('question -> answer');
    const run = new Parallel({ numThreads: 1, maxErrors: 5, returnFailedExamples: true });
    const out = (await context({ lm, logger: { warn: () => undefined } }, () =>
      run.forward([
        [qa, { question: 'ok' }],
        [qa, {}],
      ]),
    )) as BatchWithFailures;
    expect(out.results[0]?.answer).toBe('fine');
    expect(out.results[1]).toBeNull();
    expect(out.failedExamples).toEqual([{}]);
    const strict = new Parallel({ numThreads: 1, maxErrors: 1 });
    await expect(context({ lm }, () => strict.forward([[qa, {}]]))).rejects.toMatchObject({
      code: 'too_many_errors',
    });
  });
});

describe('CheckOutputs', () => {
  const short = (pred: Prediction): string | undefined =>
    String(pred.answer).length <= 8 ? undefined : 'Answer in at most 8 characters.';

  it('passes through a prediction that satisfies every check', async () => {
    const lm = new DummyLM([{ answer: 'Paris' }]);
    const checked = new CheckOutputs(new Predict('question -> answer'), { checks: [short] });
    const pred = await context({ lm }, () => checked.call({ question: 'Capital of France?' }));
    expect(pred.answer).toBe('Paris');
    expect(globalLMHistory()).toHaveLength(1);
  });

  it('retries with the failed answer and the message in the prompt (DSPy Retry fields)', async () => {
    const lm = new DummyLM([{ answer: 'The city of Paris' }, { answer: 'Paris' }]);
    const checked = new CheckOutputs(new Predict('question -> answer'), { checks: [short] });
    const trace: TraceEntry[] = [];
    const pred = await context({ lm, trace }, () =>
      checked.call({ question: 'Capital of France?' }),
    );
    expect(pred.answer).toBe('Paris');
    const retry = globalLMHistory()[1]?.messages ?? [];
    const system = String(retry[0]?.content);
    expect(system).toContain('2. `past_answer` (str): past Answer with errors');
    expect(system).toContain('3. `feedback` (str): Some instructions you must satisfy');
    const user = String(retry[retry.length - 1]?.content);
    expect(user).toContain('[[ ## past_answer ## ]]\nThe city of Paris');
    expect(user).toContain('[[ ## feedback ## ]]\nAnswer in at most 8 characters.');
    // Only the accepted attempt is traced, with the user's inputs.
    expect(trace).toHaveLength(1);
    expect(trace[0]?.inputs).toEqual({ question: 'Capital of France?' });
  });

  it('accepts zod refinements as checks and retries only the last predictor of a chain', async () => {
    const lm = new DummyLM([
      { reasoning: 'r', answer: 'maybe?' },
      { reasoning: 'r', answer: 'yes' },
    ]);
    const schema = z.object({
      answer: z.string().refine((a) => !a.includes('?'), 'Do not answer with a question.'),
    });
    const checked = new CheckOutputs(new ChainOfThought('question -> answer'), {
      checks: [schema],
    });
    const pred = await context({ lm }, () => checked.call({ question: 'q' }));
    expect(pred.answer).toBe('yes');
    const user = lastUser();
    expect(user).toContain('[[ ## past_reasoning ## ]]\nr');
    expect(user).toContain('[[ ## feedback ## ]]\nanswer: Do not answer with a question.');
  });

  it('fails after maxRetries with every message of every attempt', async () => {
    const lm = new DummyLM([{ answer: 'too long answer' }, { answer: 'still too long' }]);
    const checked = new CheckOutputs(new Predict('question -> answer'), {
      checks: [short, (p) => p.answer !== 'still too long'],
      maxRetries: 1,
    });
    const err = await context({ lm }, () => checked.call({ question: 'q' })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModuleError);
    expect((err as ModuleError).code).toBe('output_check_failed');
    expect((err as ModuleError).message).toBe(
      'Output checks failed after 2 attempt(s): Answer in at most 8 characters.; Answer in at most 8 characters.; Output check 2 failed.',
    );
    expect(globalLMHistory()).toHaveLength(2);
  });

  it('keeps the wrapped predictors visible and rejects a negative retry limit', () => {
    const checked = new CheckOutputs(new ChainOfThought('q -> a'), { checks: [] });
    expect(checked.namedPredictors().map(([n]) => n)).toEqual(['module.predict']);
    expect(() => new CheckOutputs(new Predict('q -> a'), { checks: [], maxRetries: -1 })).toThrow(
      'maxRetries must be a non-negative integer, got -1.',
    );
  });
});
