import { describe, expect, it } from 'vitest';
import { ChatAdapter, JSONAdapter } from '../../src/adapters/index.js';
import type { Callback } from '../../src/context/index.js';
import { DummyLM } from '../../src/lm/index.js';
import {
  ChainOfThought,
  Example,
  ModuleError,
  Predict,
  context,
  type TraceEntry,
} from '../../src/modules/index.js';

function lastRequest(lm: DummyLM): Record<string, unknown> {
  const entry = lm.history.list(1)[0];
  if (!entry) throw new Error('no LM call recorded');
  return entry.params;
}

describe('Predict call semantics', () => {
  it('returns a Prediction whose output fields are properties', async () => {
    const lm = new DummyLM([{ answer: 'Paris' }]);
    const pred = await context({ lm }, () =>
      new Predict('question -> answer').call({ question: 'Capital of France?' }),
    );
    expect(pred.answer).toBe('Paris');
    expect(pred.keys()).toEqual(['answer']);
  });

  it('n completions land in completions and force temperature 0.7 (T19)', async () => {
    const lm = new DummyLM([{ answer: 'my first answer' }, { answer: 'my second answer' }]);
    const pred = await context({ lm }, () =>
      new Predict('question -> answer', { n: 2 }).call({ question: 'What is 1+1?' }),
    );
    expect(pred.completions.answer).toEqual(['my first answer', 'my second answer']);
    expect(pred.answer).toBe('my first answer');
    expect(lastRequest(lm)).toMatchObject({ n: 2, temperature: 0.7 });
  });

  it('two outputs with n=2 list each field per completion (T19)', async () => {
    const lm = new DummyLM([
      { answer1: 'my 0 answer', answer2: 'my 2 answer' },
      { answer1: 'my 1 answer', answer2: 'my 3 answer' },
    ]);
    const pred = await context({ lm }, () =>
      new Predict('question -> answer1, answer2', { n: 2 }).call({ question: 'q' }),
    );
    expect(pred.completions.answer1[1]).toBe('my 1 answer');
    expect(pred.completions.answer2[0]).toBe('my 2 answer');
  });

  it('keeps an explicit temperature above 0.15 when n > 1', async () => {
    const lm = new DummyLM([{ answer: 'a' }, { answer: 'b' }]);
    await context({ lm }, () =>
      new Predict('question -> answer', { n: 2, temperature: 0.9 }).call({ question: 'q' }),
    );
    expect(lastRequest(lm)['temperature']).toBe(0.9);
  });

  it('call config overrides predictor config', async () => {
    const lm = new DummyLM([{ answer: 'a' }]);
    const p = new Predict('question -> answer', { temperature: 0.3, maxTokens: 50 });
    await context({ lm }, () => p.call({ question: 'q' }, { config: { temperature: 0.5 } }));
    expect(lastRequest(lm)).toMatchObject({ temperature: 0.5, maxTokens: 50 });
  });

  it('a missing required input is an error naming it', async () => {
    const lm = new DummyLM([{ answer: 'a' }]);
    const p = new Predict('question, context -> answer');
    // @ts-expect-error -- `context` is missing: the compiler rejects it, the run time too
    const err = await context({ lm }, () => p.call({ question: 'q' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModuleError);
    expect((err as ModuleError).code).toBe('missing_inputs');
    expect((err as ModuleError).message).toContain("'context'");
    expect((err as ModuleError).details['missing']).toEqual(['context']);
    expect(lm.history.list().length).toBe(0);
  });

  it('optional inputs may be omitted', async () => {
    const lm = new DummyLM([{ answer: 'a' }]);
    const p = new Predict('question, hint: str | None -> answer');
    await expect(context({ lm }, () => p.call({ question: 'q' }))).resolves.toBeDefined();
  });

  it('extra inputs are warned about and not sent to the LM', async () => {
    const lm = new DummyLM([{ answer: 'a' }]);
    const warnings: unknown[] = [];
    const logger = { warn: (details: Record<string, unknown>) => void warnings.push(details) };
    await context({ lm, logger }, () =>
      new Predict('question -> answer').call({ question: 'q', secret: 'do not send' }),
    );
    expect(warnings).toEqual([{ extra: ['secret'], expected: ['question'] }]);
    const sent = JSON.stringify(lm.history.list(1)[0]?.messages);
    expect(sent).not.toContain('do not send');
  });

  it('warns (only) about inputs whose type does not fit the signature', async () => {
    const lm = new DummyLM([{ answer: 'a' }, { answer: 'b' }]);
    const warnings: string[] = [];
    const logger = { warn: (_: Record<string, unknown>, m: string) => void warnings.push(m) };
    const p = new Predict('question: str, k: int, tags: list[str], hint -> answer');
    await context({ lm, logger }, async () => {
      // @ts-expect-error -- untyped `question`/`hint` are `str`; at run time only typed fields warn
      await p.call({ question: ['a', 'b'], k: 3, tags: ['x'], hint: 7 });
      expect(warnings).toEqual([]);
      // @ts-expect-error -- wrong value types are compile errors; at run time they are warnings
      const pred = await p.call({ question: 'q', k: '3', tags: 'x', hint: 'h' });
      expect(pred.answer).toBe('b');
    });
    expect(warnings).toEqual([
      "Type mismatch for field 'k': expected int based on given Signature, but the provided value is incompatible.",
      "Type mismatch for field 'tags': expected list[str] based on given Signature, but the provided value is incompatible.",
    ]);
  });

  it('resolves the LM from the call, then the predictor, then the context', async () => {
    const ctxLm = new DummyLM([{ answer: 'context' }]);
    const ownLm = new DummyLM([{ answer: 'predictor' }]);
    const callLm = new DummyLM([{ answer: 'call' }]);
    const p = new Predict('question -> answer');
    await context({ lm: ctxLm }, async () => {
      expect((await p.call({ question: 'q' })).answer).toBe('context');
      p.lm = ownLm;
      expect((await p.call({ question: 'q' })).answer).toBe('predictor');
      expect((await p.call({ question: 'q' }, { lm: callLm })).answer).toBe('call');
    });
  });

  it('a predictor adapter wins over the context adapter', async () => {
    const lm = new DummyLM([{ answer: 'from json' }], { format: 'json' });
    const p = new Predict('question -> answer', { adapter: new JSONAdapter() });
    const pred = await context({ lm, adapter: new ChatAdapter() }, () => p.call({ question: 'q' }));
    expect(pred.answer).toBe('from json');
    expect(lm.history.list()).toHaveLength(1);
    expect(lm.history.list(1)[0]?.messages[0]?.content).toContain('Outputs will be a JSON object');
  });

  it('without any LM fails with no_lm', async () => {
    const err = await new Predict('question -> answer')
      .call({ question: 'q' })
      .catch((e: unknown) => e);
    expect((err as ModuleError).code).toBe('no_lm');
  });

  it('sends the predictor demos in the prompt', async () => {
    const lm = new DummyLM([], { followExamples: true });
    const p = new Predict('question -> answer');
    p.demos = [new Example({ question: 'What is the color of the sky?', answer: 'blue' })];
    const pred = await context({ lm }, () => p.call({ question: 'What is the color of the sky?' }));
    expect(pred.answer).toBe('blue');
  });

  it('appends (predictor, inputs, prediction) to an open trace, bounded by maxTraceSize', async () => {
    const lm = new DummyLM([{ answer: '1' }, { answer: '2' }, { answer: '3' }]);
    const p = new Predict('question -> answer');
    const trace: TraceEntry[] = [];
    await context({ lm, trace, maxTraceSize: 2 }, async () => {
      await p.call({ question: 'a' });
      await p.call({ question: 'b' });
      await p.call({ question: 'c' });
    });
    expect(trace.map((t) => [t.inputs['question'], t.prediction.answer])).toEqual([
      ['b', '2'],
      ['c', '3'],
    ]);
    expect(trace[0]?.predictor).toBe(p);
  });

  it('records into the innermost open trace only', async () => {
    const lm = new DummyLM([{ answer: '1' }, { answer: '2' }]);
    const p = new Predict('question -> answer');
    const outer: TraceEntry[] = [];
    const inner: TraceEntry[] = [];
    await context({ lm, trace: outer }, async () => {
      await context({ trace: inner }, () => p.call({ question: 'inner' }));
      await p.call({ question: 'outer' });
    });
    expect(inner.map((t) => t.inputs['question'])).toEqual(['inner']);
    expect(outer.map((t) => t.inputs['question'])).toEqual(['outer']);
  });

  it('concurrent runs never share a trace or usage', async () => {
    const lm = new DummyLM(
      Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [`q${i}?`, { reasoning: 'r', answer: `a${i}` }]),
      ),
      { usage: { promptTokens: 1, completionTokens: 1 } },
    );
    const p = new ChainOfThought('question -> answer');
    const runs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const trace: TraceEntry[] = [];
        const pred = await context({ lm, trace }, () => p.call({ question: `q${i}?` }));
        return { i, trace, pred };
      }),
    );
    for (const { i, trace, pred } of runs) {
      expect(trace).toHaveLength(1);
      expect(trace[0]?.inputs['question']).toBe(`q${i}?`);
      expect(pred.answer).toBe(`a${i}`);
      expect(pred.usage?.['dummy/dummy']?.totalTokens).toBe(2);
    }
  });
});

describe('ChainOfThought (T17)', () => {
  it('prepends a reasoning output and answers through its inner predict', async () => {
    const cot = new ChainOfThought('question -> answer');
    expect(cot.predict.signature.outputFields.map((f) => f.name)).toEqual(['reasoning', 'answer']);
    const lm = new DummyLM([{ reasoning: 'find the number after 1', answer: '2' }]);
    const pred = await context({ lm }, () => cot.call({ question: 'What is 1+1?' }));
    expect(pred.answer).toBe('2');
    expect(pred.reasoning).toBe('find the number after 1');
    expect(cot.namedPredictors().map(([n]) => n)).toEqual(['predict']);
  });

  it('renders reasoning first and keeps the instructions', () => {
    const cot = new ChainOfThought('question -> answer');
    const [system, user] = new ChatAdapter().format(cot.predict.signature, [], {
      question: 'What is 1+1?',
    });
    expect(system?.content).toContain('1. `reasoning` (str): \n2. `answer` (str):');
    expect(system?.content).toContain('Given the fields `question`, produce the fields `answer`.');
    expect(user?.content).toContain(
      'starting with the field `[[ ## reasoning ## ]]`, then `[[ ## answer ## ]]`, and then',
    );
  });

  it('accepts another rationale field', () => {
    const cot = new ChainOfThought('question -> answer', {
      rationaleField: { name: 'rationale', desc: 'think first' },
    });
    const f = cot.predict.signature.outputFields[0];
    expect([f?.name, f?.desc, f?.prefix]).toEqual(['rationale', 'think first', 'Rationale:']);
  });
});

describe('callbacks (T21)', () => {
  it('CoT with n=3 emits 14 events in DSPy order', async () => {
    const events: string[] = [];
    const record = (name: string) => () => void events.push(name);
    const cb: Callback = {
      onModuleStart: record('module_start'),
      onModuleEnd: record('module_end'),
      onLmStart: record('lm_start'),
      onLmEnd: record('lm_end'),
      onAdapterFormatStart: record('adapter_format_start'),
      onAdapterFormatEnd: record('adapter_format_end'),
      onAdapterParseStart: record('adapter_parse_start'),
      onAdapterParseEnd: record('adapter_parse_end'),
    };
    const lm = new DummyLM({ 'What is 1+1?': { reasoning: 'simple', answer: '2' } });
    const cot = new ChainOfThought('question -> answer', { n: 3 });
    await context({ lm, callbacks: [cb] }, () => cot.call({ question: 'What is 1+1?' }));
    expect(events).toEqual([
      'module_start',
      'module_start',
      'adapter_format_start',
      'adapter_format_end',
      'lm_start',
      'lm_end',
      'adapter_parse_start',
      'adapter_parse_end',
      'adapter_parse_start',
      'adapter_parse_end',
      'adapter_parse_start',
      'adapter_parse_end',
      'module_end',
      'module_end',
    ]);
  });

  it('module callbacks see the instance, inputs, outputs and the error', async () => {
    const starts: unknown[][] = [];
    const ends: unknown[][] = [];
    const p = new Predict('question -> answer', {
      callbacks: [
        {
          onModuleStart: (id, inst, inputs) => void starts.push([id, inst, inputs]),
          onModuleEnd: (id, out, err) => void ends.push([id, out, err]),
        },
      ],
    });
    await p.call({ question: 'q' }).catch(() => undefined);
    expect(starts[0]?.[1]).toBe(p);
    expect(starts[0]?.[2]).toEqual({ question: 'q' });
    expect(ends[0]?.[0]).toBe(starts[0]?.[0]);
    expect(ends[0]?.[1]).toBeNull();
    expect(ends[0]?.[2]).toBeInstanceOf(ModuleError);
  });
});
