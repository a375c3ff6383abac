import { describe, expect, it } from 'vitest';
import { MemoryCache, formatChatAnswer, openai } from '../../src/lm/index.js';
import {
  BestOfN,
  CheckOutputs,
  Predict,
  Refine,
  context,
  type Prediction,
} from '../../src/modules/index.js';
import { useOpenAIFixture } from '../fixtures/index.js';

// Quality loops over the real OpenAI SDK against the local wire-compatible fixture server.
const fixture = useOpenAIFixture();

const lm = (cache: MemoryCache | false = false) =>
  openai({
    model: 'gpt-4o-mini',
    apiKey: 'test',
    baseURL: fixture().url,
    cache,
    retry: { maxAttempts: 1 },
  });

const chat = (fields: Record<string, string>): string => formatChatAnswer(fields);

const oneWord = (_: unknown, pred: Prediction): number =>
  String(pred.answer).trim().split(/\s+/).length === 1 ? 1 : 0;

describe('quality loops over the OpenAI SDK', () => {
  it('BestOfN sends temperature 1.0 and caches every rollout apart', async () => {
    const cache = new MemoryCache();
    fixture().enqueue(
      { text: chat({ answer: 'It is Brussels' }) },
      { text: chat({ answer: 'Brussels' }) },
    );
    const best = new BestOfN(new Predict('question -> answer'), {
      n: 3,
      rewardFn: oneWord,
      threshold: 1,
    });
    const first = await context({ lm: lm(cache) }, () => best.call({ question: 'Belgium?' }));
    expect(first.answer).toBe('Brussels');
    expect(fixture().requests.map((r) => r.body.temperature)).toEqual([1, 1]);
    // Same prompt twice, but each rollout id has its own cache entry: a rerun makes no request.
    const again = await context({ lm: lm(cache) }, () => best.call({ question: 'Belgium?' }));
    expect(again.answer).toBe('Brussels');
    expect(fixture().requests).toHaveLength(2);
  });

  it('Refine sends the advice as hint_ on the wire', async () => {
    fixture().enqueue(
      { text: chat({ answer: 'It is Brussels' }) },
      { text: chat({ discussion: 'Too long.', advice: '{"self": "One word only."}' }) },
      { text: chat({ answer: 'Brussels' }) },
    );
    const refine = new Refine(new Predict('question -> answer'), {
      n: 2,
      rewardFn: oneWord,
      threshold: 1,
    });
    const pred = await context({ lm: lm() }, () => refine.call({ question: 'Belgium?' }));
    expect(pred.answer).toBe('Brussels');
    const last = fixture().requests[2]?.body.messages as { content: string }[];
    expect(last[last.length - 1]?.content).toContain('[[ ## hint_ ## ]]\nOne word only.');
  });

  it('CheckOutputs retries with the failed answer over the wire', async () => {
    fixture().enqueue({ text: chat({ answer: '41' }) }, { text: chat({ answer: '42' }) });
    const checked = new CheckOutputs(new Predict('question -> answer: int'), {
      checks: [(p) => (p.answer === 42 ? undefined : 'The answer is even.')],
    });
    const pred = await context({ lm: lm() }, () => checked.call({ question: '6 * 7?' }));
    expect(pred.answer).toBe(42);
    const retry = fixture().requests[1]?.body.messages as { content: string }[];
    expect(retry[retry.length - 1]?.content).toContain('[[ ## past_answer ## ]]\n41');
    expect(retry[retry.length - 1]?.content).toContain('[[ ## feedback ## ]]\nThe answer is even.');
  });
});
