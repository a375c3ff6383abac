/**
 * The one conformance suite every LM provider passes (STYLE habit 8). Each provider's test file
 * calls {@link describeProviderConformance} with a harness that starts its wire fixture and builds
 * its LM; everything goes through the official SDK over loopback HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runWithContext, UsageTracker, type Callback } from '../../src/context/index.js';
import {
  isLMError,
  LMError,
  MemoryCache,
  ToolCallAssembler,
  type BaseLM,
  type BaseLMOptions,
  type LMRequest,
  type LMStreamChunk,
} from '../../src/lm/index.js';
import type { FixtureReply, LMFixture, RecordedRequest } from '../fixtures/index.js';
import { rateLimited } from '../fixtures/index.js';

/** How the suite drives one provider. */
export interface ProviderHarness {
  name: string;
  /** A model the default price table knows. */
  pricedModel: string;
  start(): Promise<LMFixture>;
  create(
    fx: LMFixture,
    options: BaseLMOptions & { apiKey?: string; baseURL?: string; model?: string },
  ): BaseLM;
  /** Queues what makes one call with `n` return these texts (one reply, or one per call). */
  scriptChoices(fx: LMFixture, texts: string[]): void;
  /** The provider's error type for an overloaded server inside a stream. */
  streamOverloadType: string;
  /** The JSON schema (and its name) a recorded request asked for, however the wire carries it. */
  sentSchema(req: RecordedRequest): { name: string; schema: unknown } | undefined;
}

const messages: LMRequest['messages'] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello.' },
];

/** An injected sleep that records delays and returns at once. */
function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: (ms) => (delays.push(ms), Promise.resolve()) };
}

async function failure(p: Promise<unknown>): Promise<LMError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LMError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function collect(it: AsyncIterable<LMStreamChunk>): Promise<LMStreamChunk[]> {
  const out: LMStreamChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

export function describeProviderConformance(h: ProviderHarness): void {
  describe(`${h.name} provider conformance`, () => {
    let fx: LMFixture;
    let sleeper = recordingSleep();
    const make = (
      o: BaseLMOptions & { apiKey?: string; baseURL?: string; model?: string } = {},
    ): BaseLM =>
      h.create(fx, {
        cache: false,
        ...o,
        retry: { sleep: sleeper.sleep, random: () => 0.5, ...(o.retry ?? {}) },
      });

    beforeAll(async () => {
      fx = await h.start();
    });
    afterAll(async () => {
      await fx.close();
    });
    beforeEach(() => {
      fx.reset();
      sleeper = recordingSleep();
    });

    it('plain_completion_returns_text_model_and_stop', async () => {
      fx.enqueue({ text: 'Hello!' });
      const res = await make().complete({ messages });
      expect(res.choices).toEqual([{ text: 'Hello!', finishReason: 'stop' }]);
      expect(res.cached).toBe(false);
      expect(res.model).toBeTruthy();
      expect(res.latencyMs).toBeGreaterThan(0);
      expect(fx.requests).toHaveLength(1);
    });

    it('native_reasoning_is_returned_apart_from_the_text', async () => {
      fx.enqueue(
        { text: 'Answer.', reasoning: 'Thinking it over.' },
        { text: 'Streamed.', reasoning: 'Hmm.' },
      );
      const res = await make().complete({ messages });
      expect(res.choices[0]).toEqual({
        text: 'Answer.',
        finishReason: 'stop',
        reasoning: 'Thinking it over.',
      });
      const chunks = await collect(make().stream({ messages }));
      const done = chunks[chunks.length - 1];
      expect(done?.type === 'done' && done.response.choices[0]).toEqual({
        text: 'Streamed.',
        finishReason: 'stop',
        reasoning: 'Hmm.',
      });
    });

    it('n_greater_than_one_returns_n_choices_in_order', async () => {
      h.scriptChoices(fx, ['first', 'second', 'third']);
      const res = await make().complete({ messages, n: 3 });
      expect(res.choices.map((c) => c.text)).toEqual(['first', 'second', 'third']);
    });

    it('tool_calls_come_back_with_id_name_and_json_arguments', async () => {
      fx.enqueue({
        kind: 'tool_calls',
        calls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
      });
      const res = await make().complete({
        messages,
        tools: [
          {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        ],
        toolChoice: 'auto',
      });
      const choice = res.choices[0];
      expect(choice?.finishReason).toBe('tool_calls');
      expect(choice?.toolCalls).toEqual([
        { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      ]);
    });

    it('json_schema_request_sends_the_schema_and_returns_json_text', async () => {
      const schema = {
        type: 'object',
        properties: { answer: { type: 'string' } },
        required: ['answer'],
        additionalProperties: false,
      };
      fx.enqueue({ kind: 'json', value: { answer: 'Paris' } });
      const res = await make().complete({
        messages,
        responseFormat: { type: 'json_schema', name: 'qa', schema, strict: true },
      });
      expect(JSON.parse(res.choices[0]?.text ?? '')).toEqual({ answer: 'Paris' });
      expect(res.choices[0]?.finishReason).toBe('stop');
      expect(h.sentSchema(fx.requests[0] as RecordedRequest)).toEqual({
        name: 'qa',
        schema: expect.objectContaining({ properties: schema.properties }),
      });
      expect(make().supportsStructuredOutputs).toBe(true);
    });

    it('streaming_text_chunks_assemble_to_the_final_response', async () => {
      fx.enqueue({ text: 'The quick brown fox jumps', usage: { input: 5, output: 6 } });
      const chunks = await collect(make().stream({ messages }));
      const last = chunks[chunks.length - 1];
      const texts = chunks.flatMap((c) => (c.type === 'text' ? [c.text] : []));
      expect(texts.length).toBeGreaterThan(1);
      expect(texts.join('')).toBe('The quick brown fox jumps');
      expect(last?.type).toBe('done');
      if (last?.type !== 'done') return;
      expect(last.response.choices[0]?.text).toBe('The quick brown fox jumps');
      expect(last.response.usage).toMatchObject({
        promptTokens: 5,
        completionTokens: 6,
        totalTokens: 11,
      });
      expect(fx.requests[0]?.body.stream).toBe(true);
    });

    it('streaming_json_schema_streams_the_json_as_text', async () => {
      const schema = { type: 'object', properties: { answer: { type: 'string' } } };
      fx.enqueue({ kind: 'json', value: { answer: 'a long enough answer to be split' } });
      const chunks = await collect(
        make().stream({
          messages,
          responseFormat: { type: 'json_schema', name: 'qa', schema, strict: true },
        }),
      );
      const text = chunks.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('');
      expect(JSON.parse(text)).toEqual({ answer: 'a long enough answer to be split' });
      const done = chunks[chunks.length - 1];
      expect(done?.type === 'done' && done.response.choices[0]).toMatchObject({
        text,
        finishReason: 'stop',
      });
    });

    it('streaming_tool_calls_assemble_their_arguments', async () => {
      fx.enqueue({
        kind: 'tool_calls',
        calls: [{ id: 'call_9', name: 'lookup', arguments: { query: 'a fairly long query text' } }],
      });
      const chunks = await collect(
        make().stream({ messages, tools: [{ name: 'lookup', parameters: { type: 'object' } }] }),
      );
      const done = chunks[chunks.length - 1];
      expect(chunks.some((c) => c.type === 'tool_call')).toBe(true);
      expect(done?.type === 'done' && done.response.choices[0]?.toolCalls).toEqual([
        { id: 'call_9', name: 'lookup', arguments: '{"query":"a fairly long query text"}' },
      ]);
    });

    it('streamed_parallel_tool_calls_reassemble_by_call_index_from_the_pieces', async () => {
      fx.enqueue({
        kind: 'tool_calls',
        calls: [
          { id: 'call_1', name: 'lookup', arguments: { query: 'the first, rather long query' } },
          { id: 'call_2', name: 'weather', arguments: { city: 'Paris', unit: 'celsius' } },
        ],
      });
      const chunks = await collect(
        make().stream({
          messages,
          tools: [
            { name: 'lookup', parameters: { type: 'object' } },
            { name: 'weather', parameters: { type: 'object' } },
          ],
        }),
      );
      const pieces = chunks.filter((c) => c.type === 'tool_call');
      // Arguments arrive split over several pieces, as the real APIs stream them.
      expect(pieces.filter((c) => c.toolCall.arguments !== undefined).length).toBeGreaterThan(4);
      const assembler = new ToolCallAssembler();
      const assembled = pieces.flatMap((c) => assembler.add(c));
      // The first call is complete as soon as the second one starts.
      expect(assembled.map((c) => c.call.id)).toEqual(['call_1']);
      assembled.push(...assembler.finish());
      const expected = [
        { id: 'call_1', name: 'lookup', arguments: '{"query":"the first, rather long query"}' },
        { id: 'call_2', name: 'weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      ];
      expect(assembled.map((c) => c.call)).toEqual(expected);
      expect(assembled.map((c) => c.callIndex)).toEqual([0, 1]);
      const done = chunks[chunks.length - 1];
      expect(done?.type === 'done' && done.response.choices[0]?.toolCalls).toEqual(expected);
      expect(done?.type === 'done' && done.response.choices[0]?.finishReason).toBe('tool_calls');
    });

    it('usage_is_normalised_priced_and_added_to_every_tracker', async () => {
      fx.enqueue({ text: 'ok', usage: { input: 1000, output: 500 } });
      const outer = new UsageTracker();
      const inner = new UsageTracker();
      const lm = make({ model: h.pricedModel });
      const res = await runWithContext({ usageTrackers: [outer] }, () =>
        runWithContext({ usageTrackers: [inner] }, () => lm.complete({ messages })),
      );
      expect(res.usage).toMatchObject({
        promptTokens: 1000,
        completionTokens: 500,
        totalTokens: 1500,
      });
      expect(res.usage?.cost).toBeGreaterThan(0);
      for (const t of [outer, inner]) {
        expect(t.perModel()[`${h.name}/${h.pricedModel}`]).toMatchObject({
          promptTokens: 1000,
          completionTokens: 500,
          calls: 1,
        });
      }
    });

    describe.each<[string, FixtureReply, string, boolean]>([
      ['401', { kind: 'error', status: 401 }, 'auth', false],
      ['403', { kind: 'error', status: 403 }, 'auth', false],
      ['400', { kind: 'error', status: 400 }, 'bad_request', false],
      ['404', { kind: 'error', status: 404 }, 'bad_request', false],
      ['422', { kind: 'error', status: 422 }, 'bad_request', false],
      ['408', { kind: 'error', status: 408 }, 'timeout', true],
      ['429', rateLimited(), 'rate_limited', true],
      ['500', { kind: 'error', status: 500 }, 'server', true],
      ['503', { kind: 'error', status: 503 }, 'server', true],
      ['529', { kind: 'error', status: 529 }, 'server', true],
      ['context window', { kind: 'context_window_exceeded' }, 'context_window_exceeded', false],
      ['malformed body', { kind: 'malformed' }, 'parse', false],
      [
        'json of the wrong shape',
        { kind: 'raw', status: 200, body: '{"unexpected":true}' },
        'parse',
        false,
      ],
      ['truncated body', { kind: 'truncated' }, 'network', true],
      ['connection reset', { kind: 'reset' }, 'network', true],
    ])('error %s', (_label, reply, code, retryable) => {
      it(`maps_to_${code}_retryable_${retryable}`, async () => {
        fx.enqueue(reply);
        const e = await failure(make({ retry: { maxAttempts: 1 } }).complete({ messages }));
        expect(e.code).toBe(code);
        expect(e.retryable).toBe(retryable);
        expect(e.details['provider']).toBe(h.name);
        if (reply.kind === 'error') expect(e.details['status']).toBe(reply.status);
      });
    });

    it('x_should_retry_false_makes_a_server_error_final', async () => {
      fx.enqueue(
        { kind: 'error', status: 500, headers: { 'x-should-retry': 'false' } },
        { text: 'never' },
      );
      const e = await failure(make().complete({ messages }));
      expect(e.code).toBe('server');
      expect(e.retryable).toBe(false);
      expect(fx.requests).toHaveLength(1);
    });

    it.each([
      ['retry-after seconds', rateLimited({ retryAfter: '2' }), 2000],
      ['retry-after-ms', rateLimited({ retryAfterMs: '150' }), 150],
      ['retry-after-ms over seconds', rateLimited({ retryAfter: '9', retryAfterMs: '75' }), 75],
    ])('rate_limit_429_retry_honours_%s', async (_label, reply, expected) => {
      fx.enqueue(reply, { text: 'after retry' });
      const res = await make().complete({ messages });
      expect(res.choices[0]?.text).toBe('after retry');
      expect(sleeper.delays).toEqual([expected]);
      expect(fx.requests).toHaveLength(2);
    });

    it('rate_limit_429_retry_honours_an_http_date', async () => {
      fx.enqueue(rateLimited({ retryAfter: new Date(Date.now() + 30_000).toUTCString() }), {
        text: 'ok',
      });
      await make().complete({ messages });
      expect(sleeper.delays).toHaveLength(1);
      expect(sleeper.delays[0]).toBeGreaterThan(25_000);
      expect(sleeper.delays[0]).toBeLessThanOrEqual(30_000);
    });

    it('server_errors_back_off_with_full_jitter_then_give_up_at_max_attempts', async () => {
      fx.enqueue(
        { kind: 'error', status: 500 },
        { kind: 'error', status: 502 },
        { kind: 'error', status: 503 },
        { text: 'unused' },
      );
      const e = await failure(
        make({ retry: { maxAttempts: 3, baseDelayMs: 100 } }).complete({ messages }),
      );
      expect(e.code).toBe('server');
      expect(fx.requests).toHaveLength(3);
      // random() = 0.5 → half of 100·2^(k-1).
      expect(sleeper.delays).toEqual([50, 100]);
    });

    it('non_retryable_errors_are_not_retried', async () => {
      fx.enqueue({ kind: 'error', status: 400 }, { text: 'unused' });
      await failure(make().complete({ messages }));
      expect(fx.requests).toHaveLength(1);
      expect(sleeper.delays).toEqual([]);
    });

    it('timeout_fails_the_attempt_with_code_timeout', async () => {
      fx.enqueue({ text: 'too late', delayMs: 5000 });
      const started = Date.now();
      const e = await failure(
        make({ retry: { maxAttempts: 1 } }).complete({ messages, timeoutMs: 60 }),
      );
      expect(e.code).toBe('timeout');
      expect(e.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('timeout_is_retried_like_other_transient_errors', async () => {
      fx.enqueue({ text: 'too late', delayMs: 5000 }, { text: 'in time' });
      const res = await make({ timeoutMs: 60 }).complete({ messages });
      expect(res.choices[0]?.text).toBe('in time');
      expect(fx.requests).toHaveLength(2);
    });

    it('abort_in_flight_wins_immediately_and_is_not_retried', async () => {
      fx.enqueue({ text: 'too late', delayMs: 5000 }, { text: 'unused' });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 40);
      const started = Date.now();
      const e = await failure(make().complete({ messages, signal: ac.signal }));
      expect(e.code).toBe('aborted');
      expect(e.retryable).toBe(false);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(fx.requests).toHaveLength(1);
    });

    it('abort_during_the_retry_wait_wins_immediately', async () => {
      fx.enqueue(rateLimited({ retryAfter: '30' }), { text: 'unused' });
      const ac = new AbortController();
      const lm = make({
        retry: {
          sleep: () => new Promise<void>(() => undefined),
          onRetry: () => setTimeout(() => ac.abort(), 5),
        },
      });
      const e = await failure(lm.complete({ messages, signal: ac.signal }));
      expect(e.code).toBe('aborted');
      expect(fx.requests).toHaveLength(1);
    });

    it('already_aborted_signal_sends_nothing', async () => {
      const e = await failure(make().complete({ messages, signal: AbortSignal.abort() }));
      expect(e.code).toBe('aborted');
      expect(fx.requests).toHaveLength(0);
    });

    it('cache_hit_is_marked_cached_and_carries_no_usage', async () => {
      fx.enqueue({ text: 'cached answer', usage: { input: 10, output: 3 } });
      const lm = make({ cache: new MemoryCache() });
      const tracker = new UsageTracker();
      const [first, second] = await runWithContext({ usageTrackers: [tracker] }, async () => [
        await lm.complete({ messages }),
        await lm.complete({ messages }),
      ]);
      expect(first?.cached).toBe(false);
      expect(second).toMatchObject({
        cached: true,
        usage: null,
        latencyMs: 0,
        choices: [{ text: 'cached answer' }],
      });
      expect(fx.requests).toHaveLength(1);
      expect(tracker.total()).toMatchObject({ calls: 1, totalTokens: 13 });
    });

    it('cache_false_per_request_bypasses_read_and_write', async () => {
      fx.enqueue({ text: 'a' }, { text: 'b' }, { text: 'c' });
      const lm = make({ cache: new MemoryCache() });
      await lm.complete({ messages, cache: false });
      await lm.complete({ messages, cache: false });
      expect(fx.requests).toHaveLength(2);
      expect((await lm.complete({ messages })).cached).toBe(false);
    });

    it('rollout_id_changes_the_cache_key', async () => {
      fx.enqueue({ text: 'one' }, { text: 'two' });
      const lm = make({ cache: new MemoryCache() });
      const a = await lm.complete({ messages, temperature: 1, rolloutId: 1 });
      const b = await lm.complete({ messages, temperature: 1, rolloutId: 2 });
      expect([a.choices[0]?.text, b.choices[0]?.text]).toEqual(['one', 'two']);
      // Like DSPy, the rollout id only keys the cache: it never reaches the provider.
      expect(JSON.stringify(fx.requests.map((r) => r.body))).not.toMatch(/rollout/i);
      expect((await lm.complete({ messages, temperature: 1, rolloutId: 1 })).cached).toBe(true);
    });

    it('credentials_and_base_url_do_not_change_the_cache_key', async () => {
      fx.enqueue({ text: 'shared' });
      const cache = new MemoryCache();
      await make({ cache, apiKey: 'key-one' }).complete({ messages });
      const other = make({
        cache,
        apiKey: 'key-two',
        baseURL: fx.url.replace('127.0.0.1', 'localhost'),
      });
      const res = await other.complete({ messages });
      expect(res.cached).toBe(true);
      expect(fx.requests).toHaveLength(1);
    });

    it('errors_are_never_cached', async () => {
      fx.enqueue({ kind: 'error', status: 500 }, { text: 'recovered' });
      const lm = make({ cache: new MemoryCache(), retry: { maxAttempts: 1 } });
      await failure(lm.complete({ messages }));
      expect((await lm.complete({ messages })).choices[0]?.text).toBe('recovered');
      expect((await lm.complete({ messages })).cached).toBe(true);
    });

    it('streaming_cache_hit_yields_only_the_final_response', async () => {
      fx.enqueue({ text: 'streamed once' });
      const lm = make({ cache: new MemoryCache() });
      await collect(lm.stream({ messages }));
      const again = await collect(lm.stream({ messages }));
      expect(again).toHaveLength(1);
      expect(again[0]).toMatchObject({ type: 'done', response: { cached: true, usage: null } });
      expect(fx.requests).toHaveLength(1);
    });

    it('streaming_retries_a_429_before_the_first_chunk', async () => {
      fx.enqueue(rateLimited({ retryAfterMs: '20' }), { text: 'second try' });
      const chunks = await collect(make().stream({ messages }));
      expect(sleeper.delays).toEqual([20]);
      expect(chunks[chunks.length - 1]).toMatchObject({
        type: 'done',
        response: { choices: [{ text: 'second try' }] },
      });
    });

    it('streaming_broken_after_chunks_fails_without_retry', async () => {
      fx.enqueue({ text: 'one two three four five six', breakStreamAfter: 3 }, { text: 'unused' });
      const seen: string[] = [];
      let error: unknown;
      try {
        for await (const c of make().stream({ messages })) if (c.type === 'text') seen.push(c.text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LMError);
      expect((error as LMError).code).toBe('network');
      expect(seen.length).toBeGreaterThan(0);
      expect(fx.requests).toHaveLength(1);
    });

    it('an_error_event_inside_the_stream_maps_by_its_error_type', async () => {
      fx.enqueue({ text: 'partial answer here', streamError: h.streamOverloadType });
      const e = await failure(collect(make().stream({ messages })));
      expect(e.code).toBe('server');
      expect(e.details['providerCode']).toBe(h.streamOverloadType);
      expect(fx.requests).toHaveLength(1);
    });

    it('callbacks_see_start_and_end_with_one_call_id_also_on_cache_hits_and_errors', async () => {
      const events: Array<[string, string, unknown]> = [];
      const cb: Callback = {
        onLmStart: (id, _lm, inputs) => events.push(['start', id, inputs]),
        onLmEnd: (id, out, err) =>
          events.push(['end', id, err ?? (out as { cached: boolean }).cached]),
      };
      fx.enqueue({ text: 'x' }, { kind: 'error', status: 401 });
      const lm = make({ cache: new MemoryCache(), retry: { maxAttempts: 1 } });
      await runWithContext({ callbacks: [cb] }, async () => {
        await lm.complete({ messages, temperature: 0.3 });
        await lm.complete({ messages, temperature: 0.3 });
        await lm.complete({ messages, temperature: 0.9 }).catch(() => undefined);
      });
      expect(events.map((e) => e[0])).toEqual(['start', 'end', 'start', 'end', 'start', 'end']);
      expect(events[0]?.[1]).toBe(events[1]?.[1]);
      expect(events[0]?.[2]).toMatchObject({ messages, temperature: 0.3 });
      expect(events[1]?.[2]).toBe(false);
      expect(events[3]?.[2]).toBe(true);
      expect(isLMError(events[5]?.[2], 'auth')).toBe(true);
    });

    it('history_keeps_calls_and_inspect_history_renders_them', async () => {
      fx.enqueue({ text: 'Hi there', usage: { input: 4, output: 2 } });
      const lm = make({ historySize: 5 });
      await lm.complete({ messages });
      const [entry] = lm.history.list();
      expect(entry).toMatchObject({
        provider: h.name,
        messages,
        usage: { promptTokens: 4, completionTokens: 2 },
      });
      const text = lm.inspectHistory(1);
      expect(text).toContain('System message:\n\nYou are terse.');
      expect(text).toContain('User message:\n\nSay hello.');
      expect(text).toContain('Response:\n\nHi there');
    });

    it('copy_changes_params_and_model_and_dump_state_has_no_credentials', async () => {
      fx.enqueue({ text: 'a' });
      const lm = make({ apiKey: 'sk-secret-value', params: { temperature: 0 } });
      const hot = lm.copy({ temperature: 0.7, model: 'other-model' });
      await hot.complete({ messages });
      expect(hot.model).toBe('other-model');
      expect(hot.params.temperature).toBe(0.7);
      expect(fx.requests[0]?.body.model).toBe('other-model');
      expect(fx.requests[0]?.body.temperature).toBe(0.7);
      const state = JSON.stringify(lm.dumpState());
      expect(state).not.toContain('sk-secret-value');
      expect(state).not.toContain('127.0.0.1');
      expect(lm.dumpState()).toMatchObject({ provider: h.name, params: { temperature: 0 } });
    });
  });
}
