import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ToolCalls } from '../../src/adapters/index.js';
import { JSONAdapter } from '../../src/adapters/index.js';
import { DummyLM, LMError, nativeAnswer } from '../../src/lm/index.js';
import type { LM, LMRequest, LMResponse } from '../../src/lm/index.js';
import { ReActV2, Tool, context } from '../../src/modules/index.js';

const adapter = new JSONAdapter();
const add = new Tool({
  name: 'add',
  description: 'Adds two numbers.',
  schema: z.object({ a: z.number(), b: z.number() }),
  func: ({ a, b }) => Number(a) + Number(b),
});
const submit = (args: Record<string, unknown>, id = 'call_submit') =>
  nativeAnswer({ toolCalls: [{ id, name: 'submit', args }] });

/** An LM that records its requests and delegates to a DummyLM. */
function recording(inner: DummyLM, fail?: (req: LMRequest) => boolean) {
  const requests: LMRequest[] = [];
  const lm: LM & { supportsReasoning: boolean } = {
    supportsReasoning: inner.supportsReasoning,
    provider: inner.provider,
    model: inner.model,
    params: inner.params,
    complete: (req: LMRequest): Promise<LMResponse> => {
      requests.push(req);
      if (fail?.(req) === true)
        return Promise.reject(new LMError('context_window_exceeded', 'prompt is too long'));
      return inner.complete(req);
    },
    stream: (req) => inner.stream(req),
    copy: (o) => inner.copy(o),
    dumpState: () => inner.dumpState(),
  };
  return { lm, requests };
}

describe('ReActV2', () => {
  it('runs the calls of one turn in parallel and ends on submit with the outputs', async () => {
    // Each tool waits until the other has started: only parallel execution finishes.
    let startedA!: () => void;
    let startedB!: () => void;
    const aStarted = new Promise<void>((r) => (startedA = r));
    const bStarted = new Promise<void>((r) => (startedB = r));
    const lookupA = new Tool({
      name: 'lookup_a',
      args: {},
      func: async () => {
        startedA();
        await bStarted;
        return 2;
      },
    });
    const lookupB = new Tool({
      name: 'lookup_b',
      args: {},
      func: async () => {
        startedB();
        await aStarted;
        return { value: 3 };
      },
    });
    const { lm, requests } = recording(
      new DummyLM(
        [
          nativeAnswer({
            reasoning: 'I need both numbers.',
            toolCalls: [
              { id: 'c1', name: 'lookup_a', args: {} },
              { id: 'c2', name: 'lookup_b', args: {} },
            ],
          }),
          submit({ answer: 5 }),
        ],
        { supportsReasoning: true },
      ),
    );
    const agent = new ReActV2('question -> answer: int', [lookupA, lookupB]);
    const pred = await context({ lm, adapter }, () => agent.call({ question: 'a + b?' }));

    expect(pred.answer).toBe(5);
    expect(pred.termination_reason).toBe('submit');
    expect(requests[0]?.tools?.map((t) => t.name)).toEqual(['lookup_a', 'lookup_b', 'submit']);
    expect(requests[0]?.tools?.[2]?.parameters).toEqual({
      type: 'object',
      properties: { answer: { type: 'integer' } },
      required: ['answer'],
    });
    // The second turn replays the first as a tool-calling assistant turn and its results.
    const second = requests[1]?.messages ?? [];
    const turn = second.findIndex((m) => m.role === 'assistant');
    expect(second.slice(turn, turn + 3)).toEqual([
      {
        role: 'assistant',
        content: null,
        toolCalls: [
          { id: 'c1', name: 'lookup_a', arguments: '{}' },
          { id: 'c2', name: 'lookup_b', arguments: '{}' },
        ],
      },
      { role: 'tool', toolCallId: 'c1', content: '2' },
      { role: 'tool', toolCallId: 'c2', content: '{"value": 3}' },
    ]);
    const [first, last] = pred.history.messages;
    expect(first?.['question']).toBe('a + b?');
    expect(first?.['next_thought']).toBe('I need both numbers.');
    expect((first?.['tool_calls'] as ToolCalls).toJSON()).toEqual({
      tool_calls: [
        { name: 'lookup_a', args: {} },
        { name: 'lookup_b', args: {} },
      ],
      tool_call_results: [
        { call_id: 'c1', name: 'lookup_a', value: 2, is_error: false },
        { call_id: 'c2', name: 'lookup_b', value: { value: 3 }, is_error: false },
      ],
    });
    expect(last?.['answer']).toBe(5);
  });

  it('returns tool errors and unknown tools to the model as error results', async () => {
    const { lm, requests } = recording(
      new DummyLM([
        nativeAnswer({
          toolCalls: [
            { id: 'x1', name: 'add', args: { a: 'one', b: 2 } },
            { id: 'x2', name: 'nope', args: {} },
          ],
        }),
        submit({ answer: 3 }),
      ]),
    );
    const agent = new ReActV2('question -> answer: int', [add]);
    const pred = await context({ lm, adapter }, () => agent.call({ question: '1 + 2?' }));
    const results = (pred.history.messages[0]?.['tool_calls'] as ToolCalls).toolCallResults ?? [];
    expect(results.map((r) => r.isError)).toEqual([true, true]);
    expect(String(results[0]?.value)).toMatch(/^Execution error in add: .*a: /);
    expect(results[1]?.value).toBe('Unknown tool: nope');
    const toolMessages = (requests[1]?.messages ?? []).filter((m) => m.role === 'tool');
    expect(toolMessages).toHaveLength(2);
    expect(pred.answer).toBe(3);
  });

  it('after maxIters forces a submit call with native reasoning off', async () => {
    const { lm, requests } = recording(
      new DummyLM([
        nativeAnswer({ toolCalls: [{ name: 'add', args: { a: 1, b: 1 } }] }),
        nativeAnswer({ toolCalls: [{ name: 'add', args: { a: 2, b: 2 } }] }),
        submit({ answer: 4 }),
      ]),
    );
    const agent = new ReActV2('question -> answer: int', [add], { maxIters: 2 });
    const pred = await context({ lm, adapter }, () => agent.call({ question: 'q' }));
    expect(requests).toHaveLength(3);
    expect(requests[2]?.toolChoice).toEqual({ name: 'submit' });
    expect(requests[2]?.reasoningEffort).toBeNull();
    expect(pred.termination_reason).toBe('forced_submit');
    expect(pred.answer).toBe(4);
    // Ids the provider left out are DSPy's `call_<turn>_<index>`.
    const ids = pred.history.messages.map((m) => (m['tool_calls'] as ToolCalls).toolCalls[0]?.id);
    expect(ids.slice(0, 2)).toEqual(['call_0', 'call_0']);
  });

  it('a turn without tool calls ends the loop and the forced submit may fail softly', async () => {
    const { lm } = recording(
      new DummyLM([nativeAnswer({ text: '{}' }), nativeAnswer({ text: '{}' })], {
        supportsReasoning: true,
      }),
    );
    const agent = new ReActV2('question -> answer', [add]);
    const pred = await context({ lm, adapter }, () => agent.call({ question: 'q' }));
    expect(pred.termination_reason).toBe('empty_tool_calls');
    expect(pred.answer).toBeUndefined();
  });

  it('drops the oldest tool turn when the context window overflows, keeping the task inputs', async () => {
    const { lm, requests } = recording(
      new DummyLM([
        nativeAnswer({ toolCalls: [{ id: 't1', name: 'add', args: { a: 1, b: 1 } }] }),
        nativeAnswer({ toolCalls: [{ id: 't2', name: 'add', args: { a: 2, b: 2 } }] }),
        submit({ answer: 4 }),
      ]),
      // Three tool turns' worth of messages is too long for this "model".
      (req) => req.messages.filter((m) => m.role === 'tool').length >= 2,
    );
    const agent = new ReActV2('question -> answer: int', [add]);
    const pred = await context({ lm, adapter }, () => agent.call({ question: 'keep me' }));
    expect(pred.termination_reason).toBe('submit');
    const retried = requests[requests.length - 1]?.messages ?? [];
    expect(
      retried.filter((m) => m.role === 'tool').map((m) => (m as { toolCallId: string }).toolCallId),
    ).toEqual(['t2']);
    expect(JSON.stringify(retried)).toContain('keep me');
    expect(pred.history.messages[0]?.['question']).toBe('keep me');
  });

  it('reserves submit, exposes its predictor to optimizers and saves in DSPy shape', () => {
    expect(() => new ReActV2('q -> a', [{ name: 'submit', func: () => 1 }])).toThrow(/reserved/);
    const agent = new ReActV2('question -> answer', [add]);
    expect(agent.namedPredictors().map(([n]) => n)).toEqual(['react']);
    const sig = agent.react.signature;
    expect(sig.toString()).toBe('question, history, tools -> next_thought, tool_calls');
    expect(sig.instructions).toContain('call `submit` with `answer`');
    const state = agent.save();
    expect(Object.keys(state)).toEqual(['react']);
    const copy = new ReActV2('question -> answer', [add]);
    copy.load(JSON.parse(JSON.stringify(state)));
    expect(copy.react.signature.instructions).toBe(sig.instructions);
  });
});
