import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openai } from '../../src/lm/index.js';
import {
  ChainOfThought,
  Predict,
  Prediction,
  ReAct,
  StreamListener,
  context,
  streamify,
  type StreamEvent,
} from '../../src/modules/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';

// Modules over the real OpenAI SDK against the local wire-compatible fixture server.
let fx: LMFixture;
beforeAll(async () => {
  fx = await startOpenAIFixture();
});
afterAll(async () => {
  await fx.close();
});
beforeEach(() => fx.reset());

const lm = () =>
  openai({
    model: 'gpt-4o-mini',
    apiKey: 'test',
    baseURL: fx.url,
    cache: false,
    retry: { maxAttempts: 1 },
  });

const chat = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([k, v]) => `[[ ## ${k} ## ]]\n${v}`)
    .join('\n\n') + '\n\n[[ ## completed ## ]]';

describe('modules over the OpenAI SDK', () => {
  it('Predict parses the completion and reports per-model usage (T25)', async () => {
    fx.enqueue({ text: chat({ answer: 'Paris' }), usage: { input: 11, output: 4 } });
    const pred = await context({ lm: lm() }, () =>
      new Predict('question -> answer').call({ question: 'Capital of France?' }),
    );
    expect(pred.answer).toBe('Paris');
    expect(pred.usage?.['openai/gpt-4o-mini']).toMatchObject({
      promptTokens: 11,
      completionTokens: 4,
      totalTokens: 15,
      calls: 1,
    });
    expect(fx.requests).toHaveLength(1);
  });

  it('streamify streams the answer field of a CoT over SSE without markers (T23)', async () => {
    fx.enqueue({
      text: chat({ reasoning: 'It is a classic joke.', answer: 'To get to the other side!' }),
    });
    const run = streamify(new ChainOfThought('question -> answer'), {
      listeners: [new StreamListener('answer')],
    });
    const events: StreamEvent[] = [];
    await context({ lm: lm() }, async () => {
      for await (const ev of run({ question: 'Why did the chicken cross the road?' }))
        events.push(ev);
    });
    const chunks = events.filter((e) => !(e instanceof Prediction) && e.type === 'field_chunk');
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => (c as { chunk: string }).chunk).join('')).toBe(
      'To get to the other side!',
    );
    expect(chunks.some((c) => (c as { chunk: string }).chunk.includes('[['))).toBe(false);
    expect(chunks.at(-1)).toMatchObject({ predictName: 'predict', isLastChunk: true });
    expect((events.at(-1) as Prediction).reasoning).toBe('It is a classic joke.');
    expect(fx.requests[0]?.body).toMatchObject({ stream: true });
  });

  it('ReAct drops the oldest step when the context window overflows', async () => {
    const step = (thought: string, tool: string) =>
      chat({ next_thought: thought, next_tool_name: tool, next_tool_args: '{}' });
    fx.enqueue({ text: step('first', 'noop') });
    fx.enqueue({ text: step('second', 'noop') });
    fx.enqueue({ kind: 'context_window_exceeded' });
    fx.enqueue({ text: step('third', 'finish') });
    fx.enqueue({ text: chat({ reasoning: 'r', answer: 'done' }) });
    const agent = new ReAct('question -> answer', [{ name: 'noop', func: () => 'ok' }]);
    const warnings: string[] = [];
    const logger = { warn: (_: Record<string, unknown>, m: string) => void warnings.push(m) };
    const pred = await context({ lm: lm(), logger }, () => agent.call({ question: 'q' }));
    expect(pred.answer).toBe('done');
    expect(Object.keys(pred.trajectory)).toEqual([
      'thought_1',
      'tool_name_1',
      'tool_args_1',
      'observation_1',
      'thought_2',
      'tool_name_2',
      'tool_args_2',
      'observation_2',
    ]);
    const retried = JSON.stringify(fx.requests[3]?.body);
    expect(retried).toContain('thought_1');
    expect(retried).not.toContain('thought_0');
    expect(warnings).toContain(
      'Trajectory exceeded the context window, truncating the oldest tool call information.',
    );
  });
});
