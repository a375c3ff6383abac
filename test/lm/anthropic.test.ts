import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropic, type AnthropicOptions } from '../../src/lm/index.js';
import { startAnthropicFixture, type LMFixture } from '../fixtures/index.js';
import { describeProviderConformance } from './provider-conformance.js';

describeProviderConformance({
  name: 'anthropic',
  pricedModel: 'claude-3-5-haiku-20241022',
  streamOverloadType: 'overloaded_error',
  start: startAnthropicFixture,
  create: (fx, o) =>
    anthropic({ model: 'claude-3-5-haiku-20241022', apiKey: 'test-key', baseURL: fx.url, ...o }),
  scriptChoices: (fx, texts) => fx.enqueue(...texts.map((text) => ({ text }))),
  sentSchema: (req) => {
    const name =
      req.body.tool_choice?.type === 'tool' ? (req.body.tool_choice.name as string) : undefined;
    const tool = (
      req.body.tools as Array<{ name: string; input_schema: unknown }> | undefined
    )?.find((t) => t.name === name);
    return name === undefined || tool === undefined
      ? undefined
      : { name, schema: tool.input_schema };
  },
});

describe('anthropic wire mapping', () => {
  let fx: LMFixture;
  beforeAll(async () => {
    fx = await startAnthropicFixture();
  });
  afterAll(() => fx.close());
  beforeEach(() => fx.reset());
  const lm = (o: Partial<AnthropicOptions> = {}) =>
    anthropic({
      model: 'claude-3-5-haiku-20241022',
      apiKey: 'k',
      baseURL: fx.url,
      cache: false,
      retry: { maxAttempts: 1 },
      ...o,
    });

  it('extracts_system_messages_and_defaults_max_tokens', async () => {
    await lm().complete({
      messages: [
        { role: 'system', content: 'Rule one.' },
        { role: 'system', content: 'Rule two.' },
        { role: 'user', content: 'q' },
      ],
      temperature: 0.1,
      stop: ['END'],
    });
    expect(fx.requests[0]?.body).toMatchObject({
      system: 'Rule one.\n\nRule two.',
      messages: [{ role: 'user', content: 'q' }],
      max_tokens: 4096,
      temperature: 0.1,
      stop_sequences: ['END'],
    });
  });

  it('max_tokens_comes_from_the_request_or_the_lm_default', async () => {
    await lm({ defaultMaxTokens: 1000 }).complete({ messages: [{ role: 'user', content: 'q' }] });
    await lm().complete({ messages: [{ role: 'user', content: 'q' }], maxTokens: 77 });
    expect(fx.requests.map((r) => r.body.max_tokens)).toEqual([1000, 77]);
  });

  it('n_makes_n_calls_and_sums_usage', async () => {
    fx.enqueue(
      { text: 'a', usage: { input: 10, output: 1 } },
      { text: 'b', usage: { input: 10, output: 2 } },
    );
    const res = await lm().complete({ messages: [{ role: 'user', content: 'q' }], n: 2 });
    expect(fx.requests).toHaveLength(2);
    expect(res.choices.map((c) => c.text).sort()).toEqual(['a', 'b']);
    expect(res.usage).toMatchObject({ promptTokens: 20, completionTokens: 3 });
  });

  it('tool_turns_become_tool_use_and_merged_tool_result_blocks', async () => {
    await lm().complete({
      messages: [
        { role: 'user', content: 'two lookups' },
        {
          role: 'assistant',
          content: 'Looking up.',
          toolCalls: [
            { id: 't1', name: 'f', arguments: '{"x":1}' },
            { id: 't2', name: 'f', arguments: '{"x":2}' },
          ],
        },
        { role: 'tool', toolCallId: 't1', content: 'one' },
        { role: 'tool', toolCallId: 't2', content: 'two' },
      ],
      tools: [
        { name: 'f', parameters: { type: 'object', properties: { x: { type: 'integer' } } } },
      ],
      toolChoice: 'required',
    });
    const body = fx.requests[0]?.body;
    expect(body.messages).toEqual([
      { role: 'user', content: 'two lookups' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking up.' },
          { type: 'tool_use', id: 't1', name: 'f', input: { x: 1 } },
          { type: 'tool_use', id: 't2', name: 'f', input: { x: 2 } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: 'one' },
          { type: 'tool_result', tool_use_id: 't2', content: 'two' },
        ],
      },
    ]);
    expect(body.tool_choice).toEqual({ type: 'any' });
    expect(body.tools).toEqual([
      { name: 'f', input_schema: { type: 'object', properties: { x: { type: 'integer' } } } },
    ]);
  });

  it('json_object_is_answered_through_a_forced_tool', async () => {
    fx.enqueue({ kind: 'json', value: { ok: true } });
    const res = await lm().complete({
      messages: [{ role: 'user', content: 'q' }],
      responseFormat: { type: 'json_object' },
    });
    expect(fx.requests[0]?.body.tool_choice).toEqual({ type: 'tool', name: 'json_response' });
    expect(res.choices[0]).toEqual({ text: '{"ok":true}', finishReason: 'stop' });
  });

  it('echo_mode_fills_a_forced_tool_from_its_schema', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { type: 'string' }, n: { type: 'integer' } },
    };
    const res = await lm().complete({
      messages: [{ role: 'user', content: 'q' }],
      responseFormat: { type: 'json_schema', name: 'out', schema, strict: true },
    });
    expect(JSON.parse(res.choices[0]?.text ?? '')).toMatchObject({
      n: 42,
      answer: expect.stringMatching(/^answer-/),
    });
  });

  it('key_and_base_url_default_to_the_environment', async () => {
    const saved = { key: process.env['ANTHROPIC_API_KEY'], url: process.env['ANTHROPIC_BASE_URL'] };
    process.env['ANTHROPIC_API_KEY'] = 'env-key';
    process.env['ANTHROPIC_BASE_URL'] = fx.url;
    try {
      await anthropic({ model: 'm', cache: false }).complete({
        messages: [{ role: 'user', content: 'q' }],
      });
      expect(fx.requests[0]?.headers['x-api-key']).toBe('env-key');
    } finally {
      for (const [k, v] of [
        ['ANTHROPIC_API_KEY', saved.key],
        ['ANTHROPIC_BASE_URL', saved.url],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
