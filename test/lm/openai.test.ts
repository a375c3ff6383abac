import { describe, expect, it, afterAll, beforeAll, beforeEach } from 'vitest';
import { openai } from '../../src/lm/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { describeProviderConformance } from './provider-conformance.js';

describeProviderConformance({
  name: 'openai',
  pricedModel: 'gpt-4o-mini',
  streamOverloadType: 'server_error',
  start: startOpenAIFixture,
  create: (fx, o) => openai({ model: 'gpt-4o-mini', apiKey: 'test-key', baseURL: fx.url, ...o }),
  scriptChoices: (fx, texts) => fx.enqueue({ text: texts }),
  sentSchema: (req) => {
    const rf = req.body.response_format;
    return rf?.type === 'json_schema'
      ? { name: rf.json_schema.name, schema: rf.json_schema.schema }
      : undefined;
  },
});

describe('openai wire mapping', () => {
  let fx: LMFixture;
  beforeAll(async () => {
    fx = await startOpenAIFixture();
  });
  afterAll(() => fx.close());
  beforeEach(() => fx.reset());
  const lm = (model = 'gpt-4o-mini') =>
    openai({ model, apiKey: 'k', baseURL: fx.url, cache: false, retry: { maxAttempts: 1 } });

  it('sends_params_tools_tool_choice_and_extra_in_chat_completions_shape', async () => {
    await lm().complete({
      messages: [{ role: 'user', content: 'q' }],
      temperature: 0.2,
      maxTokens: 50,
      topP: 0.9,
      n: 2,
      stop: ['END'],
      seed: 7,
      tools: [{ name: 'f', description: 'does f', parameters: { type: 'object' } }],
      toolChoice: { name: 'f' },
      extra: { user: 'u-1' },
    });
    expect(fx.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      max_tokens: 50,
      top_p: 0.9,
      n: 2,
      stop: ['END'],
      seed: 7,
      user: 'u-1',
      tools: [
        {
          type: 'function',
          function: { name: 'f', description: 'does f', parameters: { type: 'object' } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
    });
  });

  it('reasoning_models_get_max_completion_tokens', async () => {
    await lm('o3-mini').complete({ messages: [{ role: 'user', content: 'q' }], maxTokens: 16000 });
    expect(fx.requests[0]?.body.max_completion_tokens).toBe(16000);
    expect(fx.requests[0]?.body.max_tokens).toBeUndefined();
  });

  it('json_object_maps_to_json_mode', async () => {
    await lm().complete({
      messages: [{ role: 'user', content: 'q' }],
      responseFormat: { type: 'json_object' },
    });
    expect(fx.requests[0]?.body.response_format).toEqual({ type: 'json_object' });
  });

  it('tool_call_turns_and_tool_results_round_trip_to_the_wire', async () => {
    await lm().complete({
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          toolCalls: [{ id: 'c1', name: 'w', arguments: '{"city":"Oslo"}' }],
        },
        { role: 'tool', toolCallId: 'c1', content: 'rainy' },
      ],
    });
    expect(fx.requests[0]?.body.messages).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'w', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'rainy' },
    ]);
  });

  it('sdk_retries_are_disabled_so_only_ours_apply', async () => {
    fx.enqueue({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    await expect(
      lm().complete({ messages: [{ role: 'user', content: 'q' }] }),
    ).rejects.toMatchObject({ code: 'server' });
    expect(fx.requests).toHaveLength(1);
  });

  it('key_and_base_url_default_to_the_environment', async () => {
    const saved = { key: process.env['OPENAI_API_KEY'], url: process.env['OPENAI_BASE_URL'] };
    process.env['OPENAI_API_KEY'] = 'env-key';
    process.env['OPENAI_BASE_URL'] = fx.url;
    try {
      await openai({ model: 'm', cache: false }).complete({
        messages: [{ role: 'user', content: 'q' }],
      });
      expect(fx.requests[0]?.headers['authorization']).toBe('Bearer env-key');
    } finally {
      for (const [k, v] of [
        ['OPENAI_API_KEY', saved.key],
        ['OPENAI_BASE_URL', saved.url],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('structured_output_support_is_configurable_for_compatible_servers', () => {
    expect(
      openai({ model: 'm', apiKey: 'k', supportsStructuredOutputs: false })
        .supportsStructuredOutputs,
    ).toBe(false);
  });

  it('echo_mode_answers_the_output_fields_of_a_chat_adapter_prompt', async () => {
    const system =
      'Your input fields are:\n1. `question` (str):\nYour output fields are:\n1. `answer` (str): \n2. `score` (int):\n\nAll interactions will be structured in the following way, with the appropriate values filled in.';
    const res = await lm().complete({
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: '[[ ## question ## ]]\nWhy?' },
      ],
    });
    expect(res.choices[0]?.text).toMatch(
      /^\[\[ ## answer ## \]\]\nanswer-[0-9a-f]{8}\n\n\[\[ ## score ## \]\]\n42\n\n\[\[ ## completed ## \]\]$/,
    );
  });
});
