import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ToolCalls } from '../../src/adapters/index.js';
import { ChatAdapter, JSONAdapter } from '../../src/adapters/index.js';
import { anthropic, MemoryCache, openai, type LM } from '../../src/lm/index.js';
import {
  Predict,
  Prediction,
  ReActV2,
  StreamListener,
  Tool,
  context,
  streamify,
  type StreamEvent,
  type ToolCallEvent,
} from '../../src/modules/index.js';
import { startAnthropicFixture, startOpenAIFixture, type LMFixture } from '../fixtures/index.js';

// Native tool calls while streaming: the fixtures stream tool-call deltas as the real APIs do
// (OpenAI: `delta.tool_calls[{ index, id, function: { name, arguments } }]` pieces; Anthropic:
// `tool_use` content blocks with `input_json_delta` pieces), through the official SDKs.

const weather = new Tool({
  name: 'get_weather',
  description: 'Weather in a city.',
  args: { city: { type: 'string' } },
  func: ({ city }) => `Sunny in ${String(city)}`,
});
const SIG = 'question, tools: list[Tool] -> answer, tool_calls: ToolCalls';
const CALLS = [
  { id: 'call_a', name: 'get_weather', arguments: { city: 'Paris, France' } },
  { id: 'call_b', name: 'get_weather', arguments: { city: 'Rio de Janeiro' } },
];

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

const toolEvents = (events: StreamEvent[]): ToolCallEvent[] =>
  events.filter((e): e is ToolCallEvent => !(e instanceof Prediction) && e.type === 'tool_call');

describe.each([
  [
    'openai',
    startOpenAIFixture,
    (url: string) => openai({ model: 'gpt-4o-mini', apiKey: 't', baseURL: url, cache: false }),
  ],
  [
    'anthropic',
    startAnthropicFixture,
    (url: string) =>
      anthropic({ model: 'claude-sonnet-4-5', apiKey: 't', baseURL: url, cache: false }),
  ],
] as const)('streamed native tool calls over the %s SDK', (_name, start, makeLm) => {
  let fx: LMFixture;
  let lm: LM;
  beforeAll(async () => {
    fx = await start();
    lm = makeLm(fx.url);
  });
  afterAll(() => fx.close());
  beforeEach(() => fx.reset());

  it('parallel calls are yielded whole, in order, before the prediction that holds them', async () => {
    fx.enqueue({ kind: 'tool_calls', calls: CALLS });
    const predict = new Predict(SIG);
    const run = streamify(predict);
    const events = await context(
      { lm, adapter: new ChatAdapter({ useNativeFunctionCalling: true }) },
      () => collect(run({ question: 'Weather in Paris and Rio?', tools: [weather] })),
    );
    expect(fx.requests[0]?.body.stream).toBe(true);
    const calls = toolEvents(events);
    expect(calls.map((e) => e.toolCall)).toEqual([
      { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris, France"}' },
      { id: 'call_b', name: 'get_weather', arguments: '{"city":"Rio de Janeiro"}' },
    ]);
    expect(calls.every((e) => e.predictName === 'self')).toBe(true);
    const last = events[events.length - 1];
    expect(last).toBeInstanceOf(Prediction);
    expect(events.findIndex((e) => e instanceof Prediction)).toBeGreaterThan(
      events.indexOf(calls[1] as StreamEvent),
    );
    expect(((last as Prediction).tool_calls as ToolCalls).toolCalls).toEqual([
      { id: 'call_a', name: 'get_weather', args: { city: 'Paris, France' } },
      { id: 'call_b', name: 'get_weather', args: { city: 'Rio de Janeiro' } },
    ]);
  });

  it('a listened predictor yields its tool calls next to its field chunks', async () => {
    fx.enqueue({ kind: 'tool_calls', calls: [CALLS[0] as (typeof CALLS)[number]] });
    const predict = new Predict(SIG);
    const run = streamify(predict, { listeners: [new StreamListener('answer')] });
    const events = await context(
      { lm, adapter: new ChatAdapter({ useNativeFunctionCalling: true }) },
      () => collect(run({ question: 'Weather in Paris?', tools: [weather] })),
    );
    expect(toolEvents(events).map((e) => e.toolCall.arguments)).toEqual([
      '{"city":"Paris, France"}',
    ]);
    expect(events[events.length - 1]).toBeInstanceOf(Prediction);
  });

  it('a ReActV2 agent streams each turn’s tool calls and still finishes with submit', async () => {
    fx.enqueue({ kind: 'tool_calls', calls: [CALLS[0] as (typeof CALLS)[number]] });
    fx.enqueue({
      kind: 'tool_calls',
      calls: [{ id: 'call_s', name: 'submit', arguments: { answer: 'Sunny' } }],
    });
    const agent = new ReActV2('question -> answer', [weather]);
    const events = await context({ lm, adapter: new JSONAdapter() }, () =>
      collect(streamify(agent)({ question: 'Weather in Paris?' })),
    );
    expect(toolEvents(events).map((e) => e.toolCall.name)).toEqual(['get_weather', 'submit']);
    const pred = events[events.length - 1] as Prediction;
    expect(pred.answer).toBe('Sunny');
    // The second turn sent the first call's result back to the provider.
    expect(JSON.stringify(fx.requests[1]?.body.messages)).toContain('Sunny in Paris, France');
  });
});

describe('streamed tool calls from the cache', () => {
  let fx: LMFixture;
  beforeAll(async () => {
    fx = await startOpenAIFixture();
  });
  afterAll(() => fx.close());

  it('a cache hit yields the cached calls whole', async () => {
    const lm = openai({
      model: 'gpt-4o-mini',
      apiKey: 't',
      baseURL: fx.url,
      cache: new MemoryCache(),
    });
    fx.enqueue({ kind: 'tool_calls', calls: CALLS });
    const run = streamify(new Predict(SIG));
    const go = () =>
      context({ lm, adapter: new ChatAdapter({ useNativeFunctionCalling: true }) }, () =>
        collect(run({ question: 'Weather?', tools: [weather] })),
      );
    const first = toolEvents(await go()).map((e) => e.toolCall);
    const second = toolEvents(await go()).map((e) => e.toolCall);
    expect(fx.requests).toHaveLength(1);
    expect(second).toEqual(first);
    expect(second).toHaveLength(2);
  });
});
