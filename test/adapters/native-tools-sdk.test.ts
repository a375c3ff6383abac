import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatAdapter, JSONAdapter, ToolCalls } from '../../src/adapters/index.js';
import { anthropic, openai } from '../../src/lm/index.js';
import { ChainOfThought, Predict, Tool, context } from '../../src/modules/index.js';
import { signature, zodTypes } from '../../src/signatures/index.js';
import { startAnthropicFixture } from '../fixtures/anthropic-fixture.js';
import type { LMFixture } from '../fixtures/fixture-server.js';
import { useOpenAIFixture } from '../fixtures/index.js';

// Native function calling and native reasoning through the official SDKs, against the local
// wire-protocol fixtures.
const fixture = useOpenAIFixture();
const gpt = (o: { supportsReasoning?: boolean } = {}) =>
  openai({ model: 'gpt-4o-mini', apiKey: 'test', baseURL: fixture().url, cache: false, ...o });

const weather = new Tool({
  name: 'get_weather',
  description: 'Weather in a city.',
  schema: z.object({ city: z.string().describe('The city'), unit: z.string().default('C') }),
  func: ({ city, unit }) => `Sunny in ${String(city)} (${String(unit)})`,
});
const SIG = 'question, tools: list[Tool] -> answer, tool_calls: ToolCalls';

describe('native function calling over the OpenAI SDK', () => {
  it('sends the tools as OpenAI functions and reads tool_calls into ToolCalls', async () => {
    fixture().enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'call_a', name: 'get_weather', arguments: { city: 'Paris' } },
        { id: 'call_b', name: 'get_weather', arguments: { city: 'Rome' } },
      ],
    });
    const predict = new Predict(SIG);
    const pred = await context(
      { lm: gpt(), adapter: new ChatAdapter({ useNativeFunctionCalling: true }) },
      () => predict.call({ question: 'Weather in Paris and Rome?', tools: [weather] }),
    );
    const body = fixture().requests[0]?.body;
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather in a city.',
          parameters: {
            type: 'object',
            properties: {
              city: { type: 'string', description: 'The city' },
              unit: { type: 'string', default: 'C' },
            },
            required: ['city'],
          },
        },
      },
    ]);
    // The tools and tool_calls fields leave the prompt: the provider carries them.
    expect(body.messages[0].content).not.toContain('[[ ## tool_calls ## ]]');
    expect(body.messages[0].content).not.toContain('[[ ## tools ## ]]');
    const calls = pred.tool_calls as ToolCalls;
    expect(calls).toBeInstanceOf(ToolCalls);
    expect(calls.toolCalls).toEqual([
      { id: 'call_a', name: 'get_weather', args: { city: 'Paris' } },
      { id: 'call_b', name: 'get_weather', args: { city: 'Rome' } },
    ]);
    expect(pred.answer).toBeNull();
    expect(await weather.call(calls.toolCalls[0]?.args)).toBe('Sunny in Paris (C)');
  });

  it('the ChatAdapter leaves tools out unless asked, and the LM writes the calls as text', async () => {
    fixture().enqueue({
      text: '[[ ## answer ## ]]\nlater\n\n[[ ## tool_calls ## ]]\n{"tool_calls": [{"name": "get_weather", "args": {"city": "Oslo"}}]}\n\n[[ ## completed ## ]]',
    });
    const pred = await context({ lm: gpt() }, () =>
      new Predict(SIG).call({ question: 'Weather in Oslo?', tools: [weather] }),
    );
    const body = fixture().requests[0]?.body;
    expect(body.tools).toBeUndefined();
    expect(body.messages[0].content).toContain('Type description of ToolCalls');
    expect((pred.tool_calls as ToolCalls).toolCalls).toEqual([
      { name: 'get_weather', args: { city: 'Oslo' } },
    ]);
    expect(pred.answer).toBe('later');
  });

  it('the JSONAdapter calls natively by default and the zod form works the same', async () => {
    fixture().enqueue({
      kind: 'tool_calls',
      calls: [{ id: 'call_z', name: 'get_weather', arguments: { city: 'Lima' } }],
    });
    const sig = signature({
      inputs: { question: z.string(), tools: z.array(zodTypes.tool) },
      outputs: { answer: z.string(), tool_calls: zodTypes.toolCalls },
    });
    const pred = await context({ lm: gpt(), adapter: new JSONAdapter() }, () =>
      new Predict(sig).call({ question: 'Weather in Lima?', tools: [weather] }),
    );
    expect(fixture().requests[0]?.body.tools).toHaveLength(1);
    expect((pred.tool_calls as ToolCalls).toolCalls[0]?.args).toEqual({ city: 'Lima' });
  });

  it('a ToolCalls output without a tools input is refused before any request', async () => {
    await expect(
      context({ lm: gpt(), adapter: new ChatAdapter({ useNativeFunctionCalling: true }) }, () =>
        new Predict('question -> tool_calls: ToolCalls').call({ question: 'q' }),
      ),
    ).rejects.toThrow(/did not provide any tools as the input/);
    expect(fixture().requests).toHaveLength(0);
  });

  it('ChainOfThought with a Reasoning field takes reasoning_content when the LM has it', async () => {
    fixture().enqueue({
      text: '[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]',
      reasoning: 'two plus two',
    });
    const cot = new ChainOfThought('question -> answer', { rationaleField: { type: 'Reasoning' } });
    const pred = await context({ lm: gpt({ supportsReasoning: true }) }, () =>
      cot.call({ question: '2+2?' }),
    );
    const body = fixture().requests[0]?.body;
    expect(body.reasoning_effort).toBe('low');
    expect(body.messages[0].content).not.toContain('reasoning');
    expect(pred.reasoning).toBe('two plus two');
    expect(pred.answer).toBe('4');
  });

  it('without native reasoning the Reasoning field is written in the text like a str', async () => {
    fixture().enqueue({
      text: '[[ ## reasoning ## ]]\nadd them\n\n[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]',
    });
    const cot = new ChainOfThought('question -> answer', { rationaleField: { type: 'Reasoning' } });
    const lm = gpt({ supportsReasoning: true }).copy({ reasoningEffort: null });
    const pred = await context({ lm }, () => cot.call({ question: '2+2?' }));
    expect(fixture().requests[0]?.body.reasoning_effort).toBeUndefined();
    expect(pred.reasoning).toBe('add them');
  });
});

describe('native function calling over the Anthropic SDK', () => {
  let fx: LMFixture;
  beforeAll(async () => {
    fx = await startAnthropicFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it('sends tools with input_schema, reads tool_use blocks and thinking', async () => {
    fx.enqueue({
      kind: 'tool_calls',
      calls: [{ id: 'toolu_1', name: 'get_weather', arguments: { city: 'Kyoto' } }],
    });
    const claude = anthropic({
      model: 'claude-sonnet-4-5',
      apiKey: 'k',
      baseURL: fx.url,
      cache: false,
    });
    const pred = await context(
      { lm: claude, adapter: new ChatAdapter({ useNativeFunctionCalling: true }) },
      () => new Predict(SIG).call({ question: 'Weather in Kyoto?', tools: [weather] }),
    );
    expect(fx.requests[0]?.body.tools[0]).toMatchObject({
      name: 'get_weather',
      input_schema: { type: 'object', required: ['city'] },
    });
    expect((pred.tool_calls as ToolCalls).toolCalls).toEqual([
      { id: 'toolu_1', name: 'get_weather', args: { city: 'Kyoto' } },
    ]);

    fx.enqueue({ text: '[[ ## answer ## ]]\nyes\n\n[[ ## completed ## ]]', reasoning: 'hmm' });
    const cot = new ChainOfThought('question -> answer', { rationaleField: { type: 'Reasoning' } });
    const thought = await context(
      {
        lm: anthropic({
          model: 'claude-sonnet-4-5',
          apiKey: 'k',
          baseURL: fx.url,
          cache: false,
          supportsReasoning: true,
        }),
      },
      () => cot.call({ question: 'ok?' }),
    );
    expect(fx.requests[1]?.body.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(thought.reasoning).toBe('hmm');
  });
});
