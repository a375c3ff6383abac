import { describe, expect, it } from 'vitest';
import {
  AdapterParseError,
  ChatAdapter,
  JSONAdapter,
  XMLAdapter,
} from '../../src/adapters/index.js';
import { runWithContext, type Callback } from '../../src/context/index.js';
import { DspexError } from '../../src/errors/index.js';
import { SignatureError, signature } from '../../src/signatures/index.js';
import { ScriptedLM } from './scripted-lm.js';

const qa = signature('question -> answer');

describe('Adapter.call', () => {
  it('formats, calls the LM once and parses every choice', async () => {
    const lm = new ScriptedLM([
      ['[[ ## answer ## ]]\nParis', '[[ ## answer ## ]]\nLyon\n[[ ## completed ## ]]'],
    ]);
    const { outputs, response } = await new ChatAdapter().call(lm, {
      signature: qa,
      demos: [],
      inputs: { question: 'Capital of France?' },
      request: { n: 2, temperature: 0.7 },
    });
    expect(outputs).toEqual([{ answer: 'Paris' }, { answer: 'Lyon' }]);
    expect(response.choices).toHaveLength(2);
    expect(lm.requests).toHaveLength(1);
    expect(lm.requests[0]).toMatchObject({ n: 2, temperature: 0.7 });
    expect(lm.requests[0]?.messages).toEqual(
      new ChatAdapter().format(qa, [], { question: 'Capital of France?' }),
    );
    expect(lm.requests[0]?.responseFormat).toBeUndefined();
  });

  it('T11: ChatAdapter falls back to JSONAdapter once when parsing fails', async () => {
    const lm = new ScriptedLM(["{'answer': 'Paris'}", "{'answer': 'Paris'}"]);
    const { outputs } = await new ChatAdapter().call(lm, {
      signature: qa,
      demos: [],
      inputs: { question: 'Q' },
    });
    expect(outputs).toEqual([{ answer: 'Paris' }]);
    expect(lm.requests).toHaveLength(2);
    expect(lm.requests[1]?.messages[0]?.content).toContain(
      'Outputs will be a JSON object with the following fields.',
    );
  });

  it('T11: with useJsonAdapterFallback=false the parse error surfaces and JSONAdapter is never used', async () => {
    const lm = new ScriptedLM(['nonsense', 'nonsense']);
    await expect(
      new ChatAdapter({ useJsonAdapterFallback: false }).call(lm, {
        signature: qa,
        demos: [],
        inputs: { question: 'Q' },
      }),
    ).rejects.toBeInstanceOf(AdapterParseError);
    expect(lm.requests).toHaveLength(1);
  });

  it('T11: if the JSON fallback also fails, the JSONAdapter error propagates', async () => {
    const lm = new ScriptedLM(['nonsense', 'still nonsense']);
    const err = await new ChatAdapter()
      .call(lm, { signature: qa, demos: [], inputs: { question: 'Q' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterParseError);
    expect((err as AdapterParseError).adapterName).toBe('JSONAdapter');
    expect(lm.requests).toHaveLength(2);
  });

  it('T11: an empty completion is an AdapterParseError (after the JSON fallback also gets one)', async () => {
    const lm = new ScriptedLM(['', '']);
    const err = await new ChatAdapter()
      .call(lm, { signature: qa, demos: [], inputs: { question: 'Q' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterParseError);
    expect(
      (err as Error).message.startsWith('The LM returned an empty or null response.\n\n'),
    ).toBe(true);
    expect(lm.requests).toHaveLength(2);
  });

  it('drops request tools unless native function calling is on (ChatAdapter off, JSONAdapter on)', async () => {
    const tools = [{ name: 'search', parameters: { type: 'object' } }];
    const chatLm = new ScriptedLM(['[[ ## answer ## ]]\nok']);
    await new ChatAdapter().call(chatLm, {
      signature: qa,
      demos: [],
      inputs: { question: 'Q' },
      request: { tools, toolChoice: 'auto' },
    });
    expect(chatLm.requests[0]).not.toHaveProperty('tools');
    expect(chatLm.requests[0]).not.toHaveProperty('toolChoice');
    const jsonLm = new ScriptedLM(['{"answer": "ok"}']);
    await new JSONAdapter().call(jsonLm, {
      signature: qa,
      demos: [],
      inputs: { question: 'Q' },
      request: { tools },
    });
    expect(jsonLm.requests[0]?.tools).toEqual(tools);
  });

  it('LM errors never trigger the JSON fallback', async () => {
    const lmError = new DspexError('rate_limited', 'slow down', { retryable: true });
    const lm = new ScriptedLM([lmError, '[[ ## answer ## ]]\nnever used']);
    await expect(
      new ChatAdapter().call(lm, { signature: qa, demos: [], inputs: { question: 'Q' } }),
    ).rejects.toBe(lmError);
    expect(lm.requests).toHaveLength(1);
  });

  it('T12: the JSON fallback also fails when a required output is missing (two LM calls)', async () => {
    const sig = qa.append('note', 'output', { type: 'str | None', default: 'No note' });
    const lm = new ScriptedLM(['[[ ## note ## ]]\nx', '{"note": "x"}']);
    await expect(
      new ChatAdapter().call(lm, { signature: sig, demos: [], inputs: { question: 'Q' } }),
    ).rejects.toBeInstanceOf(AdapterParseError);
    expect(lm.requests).toHaveLength(2);
  });

  it('XMLAdapter inherits the JSON fallback, as in DSPy', async () => {
    const lm = new ScriptedLM(['no xml here <', '{"answer": "ok"}']);
    const { outputs } = await new XMLAdapter().call(lm, {
      signature: qa,
      demos: [],
      inputs: { question: 'Q' },
    });
    expect(outputs).toEqual([{ answer: 'ok' }]);
  });

  it('emits adapter format and parse callbacks around the LM call, one parse pair per choice', async () => {
    const events: string[] = [];
    const cb: Callback = {
      onAdapterFormatStart: () => events.push('format_start'),
      onAdapterFormatEnd: () => events.push('format_end'),
      onAdapterParseStart: () => events.push('parse_start'),
      onAdapterParseEnd: (_id, _out, err) => events.push(err ? 'parse_error' : 'parse_end'),
    };
    const lm = new ScriptedLM([
      ['[[ ## answer ## ]]\na', '[[ ## answer ## ]]\nb', '[[ ## answer ## ]]\nc'],
    ]);
    await runWithContext({ callbacks: [cb] }, () =>
      new ChatAdapter().call(lm, { signature: qa, demos: [], inputs: { question: 'Q' } }),
    );
    expect(events).toEqual([
      'format_start',
      'format_end',
      'parse_start',
      'parse_end',
      'parse_start',
      'parse_end',
      'parse_start',
      'parse_end',
    ]);
  });
});

describe('JSONAdapter structured outputs (T16)', () => {
  const sig = signature('input1 -> output1, output2: bool');

  it('uses a strict json_schema when the LM supports structured outputs, without mutating the signature', async () => {
    const before = sig.dumpState();
    const lm = new ScriptedLM(['{"output1": "Test output", "output2": true}'], {
      supportsStructuredOutputs: true,
    });
    const { outputs } = await new JSONAdapter().call(lm, {
      signature: sig,
      demos: [],
      inputs: { input1: 'x' },
    });
    expect(outputs).toEqual([{ output1: 'Test output', output2: true }]);
    expect(lm.requests[0]?.responseFormat).toEqual({
      type: 'json_schema',
      name: 'DSPyProgramOutputs',
      strict: true,
      schema: {
        properties: {
          output1: { title: 'Output1', type: 'string' },
          output2: { title: 'Output2', type: 'boolean' },
        },
        required: ['output1', 'output2'],
        title: 'DSPyProgramOutputs',
        type: 'object',
        additionalProperties: false,
      },
    });
    expect(sig.dumpState()).toEqual(before);
  });

  it('sends no response format when the LM does not say it supports one; Python-dict text still parses', async () => {
    const lm = new ScriptedLM(["{'output1': 'Test output', 'output2': True}"]);
    const { outputs } = await new JSONAdapter().call(lm, {
      signature: sig,
      demos: [],
      inputs: { input1: 'x' },
    });
    expect(outputs).toEqual([{ output1: 'Test output', output2: true }]);
    expect(lm.requests[0]).not.toHaveProperty('responseFormat');
  });

  it('uses JSON mode when the LM supports JSON but not schemas (one call)', async () => {
    const lm = new ScriptedLM(["{'output1': 'Test output', 'output2': false}"], {
      supportsStructuredOutputs: false,
    });
    const { outputs } = await new JSONAdapter().call(lm, {
      signature: sig,
      demos: [],
      inputs: { input1: 'x' },
    });
    expect(outputs).toEqual([{ output1: 'Test output', output2: false }]);
    expect(lm.requests).toHaveLength(1);
    expect(lm.requests[0]?.responseFormat).toEqual({ type: 'json_object' });
  });

  it('uses JSON mode for open-ended dict outputs even with schema support', async () => {
    const lm = new ScriptedLM(['{"meta": {"a": 1}}'], { supportsStructuredOutputs: true });
    const { outputs } = await new JSONAdapter().call(lm, {
      signature: signature('q -> meta: dict[str, int]'),
      demos: [],
      inputs: { q: 'x' },
    });
    expect(outputs).toEqual([{ meta: { a: 1 } }]);
    expect(lm.requests[0]?.responseFormat).toEqual({ type: 'json_object' });
  });

  it('does not fall back to JSON mode on an LM error during the structured call', async () => {
    const failure = new DspexError('server', 'Structured output failed!');
    const lm = new ScriptedLM([failure, '{"output1": "x", "output2": true}'], {
      supportsStructuredOutputs: true,
    });
    await expect(
      new JSONAdapter().call(lm, { signature: sig, demos: [], inputs: { input1: 'x' } }),
    ).rejects.toBe(failure);
    expect(lm.requests).toHaveLength(1);
    expect(lm.requests[0]?.responseFormat?.type).toBe('json_schema');
  });

  it('retries once in JSON mode when a structured completion cannot be parsed', async () => {
    const lm = new ScriptedLM(['not json', '{"output1": "x", "output2": true}'], {
      supportsStructuredOutputs: true,
    });
    const { outputs } = await new JSONAdapter().call(lm, {
      signature: sig,
      demos: [],
      inputs: { input1: 'x' },
    });
    expect(outputs).toEqual([{ output1: 'x', output2: true }]);
    expect(lm.requests.map((r) => r.responseFormat?.type)).toEqual(['json_schema', 'json_object']);
  });

  it('a value that fails its type surfaces as SignatureError (unwrapped, as in DSPy) and also triggers the JSON-mode retry', async () => {
    const typed = signature('question -> score: int');
    expect(() => new JSONAdapter().parse(typed, '{"score": "high"}')).toThrow(SignatureError);
    const lm = new ScriptedLM(['{"score": "high"}', '{"score": 3}'], {
      supportsStructuredOutputs: true,
    });
    const { outputs } = await new JSONAdapter().call(lm, {
      signature: typed,
      demos: [],
      inputs: { question: 'q' },
    });
    expect(outputs).toEqual([{ score: 3 }]);
    expect(lm.requests.map((r) => r.responseFormat?.type)).toEqual(['json_schema', 'json_object']);
  });
});
