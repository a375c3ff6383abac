import { describe, expect, it } from 'vitest';
import { JSONAdapter, XMLAdapter } from '../../src/adapters/index.js';
import { DspexError } from '../../src/errors/index.js';
import { DummyLM, MemoryCache } from '../../src/lm/index.js';
import {
  Module,
  ModuleError,
  Predict,
  Prediction,
  ReAct,
  StreamListener,
  context,
  streamify,
  streamingResponse,
  type StreamEvent,
  type StreamResponse,
} from '../../src/modules/index.js';
import { ScriptedStreamLM } from './scripted-lm.js';

class MyProgram extends Module {
  predict1 = new Predict('question -> answer');
  predict2 = new Predict('question, answer -> judgement');
  async forward(inputs: { question: string }): Promise<Prediction> {
    const { answer } = await this.predict1.call({ question: inputs.question });
    return this.predict2.call({ question: inputs.question, answer });
  }
}

// Recorded gpt-4o-mini token streams of DSPy's test_stream_listener_returns_correct_chunk_chat_adapter.
const STREAM_1 = [
  '[[',
  ' ##',
  ' answer',
  ' ##',
  ' ]]\n\n',
  'To',
  ' get',
  ' to',
  ' the',
  ' other',
  ' side',
  ' of',
  ' the',
  ' dinner',
  ' plate',
  '!\n\n[[ ##',
  ' completed',
  ' ##',
  ' ]]',
];
const STREAM_2 = [
  '[[ ##',
  ' judgement',
  ' ##',
  ' ]]\n\n',
  'The',
  ' answer',
  ' is',
  ' humorous',
  ' and',
  ' plays',
  ' on',
  ' the',
  ' classic',
  ' joke',
  ' format',
  '.\n\n[[ ##',
  ' completed',
  ' ##',
  ' ]]',
];

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

const isChunk = (ev: StreamEvent): ev is StreamResponse =>
  !(ev instanceof Prediction) && ev.type === 'field_chunk';

describe('streamify with field listeners (T23)', () => {
  it('streams only the listened fields, per predictor, then the prediction', async () => {
    const lm = new ScriptedStreamLM([STREAM_1, STREAM_2]);
    const run = streamify(new MyProgram(), {
      listeners: [new StreamListener('answer'), new StreamListener('judgement')],
    });
    const events = await context({ lm }, () =>
      collect(run({ question: 'why did a chicken cross the kitchen?' })),
    );
    const chunks = events.filter(isChunk);
    expect(chunks.slice(0, 11).map((c) => c.chunk)).toEqual([
      'To',
      ' get',
      ' to',
      ' the',
      ' other',
      ' side',
      ' of',
      ' the',
      ' dinner',
      ' plate',
      '!',
    ]);
    expect(chunks[0]).toMatchObject({ predictName: 'predict1', signatureFieldName: 'answer' });
    expect(chunks[10]?.isLastChunk).toBe(true);
    expect(chunks.slice(11).map((c) => c.chunk)).toEqual([
      'The',
      ' answer',
      ' is',
      ' humorous',
      ' and',
      ' plays',
      ' on',
      ' the',
      ' classic',
      ' joke',
      ' format',
      '.',
    ]);
    expect(chunks[11]).toMatchObject({ predictName: 'predict2', signatureFieldName: 'judgement' });
    expect(chunks[22]?.isLastChunk).toBe(true);
    const last = events.at(-1);
    expect(last).toBeInstanceOf(Prediction);
    expect((last as Prediction).judgement).toBe(
      'The answer is humorous and plays on the classic joke format.',
    );
  });

  it('only the listened predictor streams; the others call complete()', async () => {
    const lm = new ScriptedStreamLM([STREAM_1, STREAM_2]);
    let streamed = 0;
    const stream = lm.stream.bind(lm);
    lm.stream = (req) => {
      streamed++;
      return stream(req);
    };
    const run = streamify(new MyProgram(), { listeners: [new StreamListener('judgement')] });
    const events = await context({ lm }, () => collect(run({ question: 'q' })));
    expect(streamed).toBe(1);
    expect(events.filter(isChunk).every((c) => c.predictName === 'predict2')).toBe(true);
  });

  it('a cached call yields only the final prediction', async () => {
    const lm = new DummyLM({ 'Capital?': { answer: 'Paris' } }, { cache: new MemoryCache() });
    const program = new Predict('question -> answer');
    await context({ lm }, () => program.call({ question: 'Capital?' }));
    const run = streamify(program, {
      listeners: [new StreamListener('answer')],
      includeFinalPrediction: false,
    });
    const events = await context({ lm }, () => collect(run({ question: 'Capital?' })));
    expect(events).toHaveLength(1);
    expect((events[0] as Prediction).answer).toBe('Paris');
  });

  it('without listeners passes raw tokens through', async () => {
    const lm = new ScriptedStreamLM([STREAM_1]);
    const run = streamify(new Predict('question -> answer'));
    const events = await context({ lm }, () => collect(run({ question: 'q' })));
    const tokens = events.filter((e) => !(e instanceof Prediction));
    expect(tokens.map((t) => (t as { text: string }).text).join('')).toBe(STREAM_1.join(''));
    expect(tokens[0]).toMatchObject({ type: 'token', predictName: 'self' });
  });

  it('XMLAdapter fields stream between their tags', async () => {
    const lm = new ScriptedStreamLM([['<answer>', 'Par', 'is', '</answer>']]);
    const run = streamify(new Predict('question -> answer'), {
      listeners: [new StreamListener('answer')],
    });
    const events = await context({ lm, adapter: new XMLAdapter() }, () =>
      collect(run({ question: 'q' })),
    );
    expect(
      events
        .filter(isChunk)
        .map((c) => c.chunk)
        .join(''),
    ).toBe('Paris');
    expect((events.at(-1) as Prediction).answer).toBe('Paris');
  });

  it('JSONAdapter fields stream as their raw JSON value', async () => {
    const lm = new ScriptedStreamLM([['{"', 'answer', '":', ' "Par', 'is"', '}']]);
    const run = streamify(new Predict('question -> answer'), {
      listeners: [new StreamListener('answer')],
    });
    const events = await context({ lm, adapter: new JSONAdapter() }, () =>
      collect(run({ question: 'q' })),
    );
    expect(events.filter(isChunk).map((c) => c.chunk)).toEqual(['"Par', 'is"']);
    expect((events.at(-1) as Prediction).answer).toBe('Paris');
  });

  it('concurrent streamed runs never mix their tokens', async () => {
    const make = (word: string) => [
      '[[ ## answer ## ]]\n',
      word,
      ' one',
      ' two',
      '\n\n[[ ## completed ## ]]',
    ];
    const run = streamify(new Predict('question -> answer'), {
      listeners: [new StreamListener('answer')],
    });
    const results = await Promise.all(
      ['alpha', 'beta', 'gamma', 'delta'].map((w) =>
        context({ lm: new ScriptedStreamLM([make(w)]) }, () => collect(run({ question: w }))).then(
          (events) =>
            events
              .filter(isChunk)
              .map((c) => c.chunk)
              .join(''),
        ),
      ),
    );
    expect(results).toEqual(['alpha one two', 'beta one two', 'gamma one two', 'delta one two']);
  });

  it('interleaves status messages for tool calls (not for finish)', async () => {
    const lm = new DummyLM([
      { next_thought: 't', next_tool_name: 'lookup', next_tool_args: {} },
      { next_thought: 'd', next_tool_name: 'finish', next_tool_args: {} },
      { reasoning: 'r', answer: 'sunny' },
    ]);
    const agent = new ReAct('question -> answer', [{ name: 'lookup', func: () => 'sunny' }]);
    const events = await context({ lm }, () => collect(streamify(agent)({ question: 'weather?' })));
    const statuses = events.filter((e) => !(e instanceof Prediction) && e.type === 'status');
    expect(statuses).toEqual([
      { type: 'status', message: 'Calling tool lookup...' },
      {
        type: 'status',
        message: 'Tool calling finished! Querying the LLM with tool calling results...',
      },
    ]);
    const quiet = await context(
      {
        lm: new DummyLM([
          { next_thought: 'd', next_tool_name: 'finish', next_tool_args: {} },
          { reasoning: 'r', answer: 'x' },
        ]),
      },
      () => collect(streamify(agent, { statusMessages: false })({ question: 'q' })),
    );
    expect(quiet.filter((e) => !(e instanceof Prediction) && e.type === 'status')).toEqual([]);
  });

  it('rejects a listener for a field no predictor has, or that several have', () => {
    expect(() => streamify(new MyProgram(), { listeners: [new StreamListener('nope')] })).toThrow(
      ModuleError,
    );
    class Twice extends Module {
      a = new Predict('q -> answer');
      b = new Predict('q -> answer');
      forward(): Promise<Prediction> {
        return Promise.resolve(new Prediction({}));
      }
    }
    expect(() => streamify(new Twice(), { listeners: [new StreamListener('answer')] })).toThrow(
      /not unique/,
    );
  });

  it('an LM that cannot stream answers unstreamed', async () => {
    const lm = new ScriptedStreamLM([['[[ ## answer ## ]]\nPlain']]);
    lm.stream = () => ({
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.reject(new DspexError('bad_request', 'streaming not supported')),
      }),
    });
    const run = streamify(new Predict('question -> answer'), {
      listeners: [new StreamListener('answer')],
    });
    const events = await context({ lm }, () => collect(run({ question: 'q' })));
    expect(events).toHaveLength(1);
    expect((events[0] as Prediction).answer).toBe('Plain');
  });

  it('propagates the program error to the consumer', async () => {
    const run = streamify(new Predict('question -> answer'), {
      listeners: [new StreamListener('answer')],
    });
    await expect(collect(run({ question: 'q' }))).rejects.toMatchObject({ code: 'no_lm' });
  });

  it('streamingResponse turns events into SSE lines ending with [DONE]', async () => {
    const lm = new ScriptedStreamLM([['[[ ## answer ## ]]\n', 'Hi', '\n\n[[ ## completed ## ]]']]);
    const run = streamify(new Predict('question -> answer'), {
      listeners: [new StreamListener('answer')],
    });
    const lines = await context({ lm }, async () => {
      const out: string[] = [];
      for await (const line of streamingResponse(run({ question: 'q' }))) out.push(line);
      return out;
    });
    expect(lines.at(-2)).toBe('data: {"prediction":{"answer":"Hi"}}\n\n');
    expect(lines.at(-1)).toBe('data: [DONE]\n\n');
    expect(lines[0]).toContain('"chunk":"Hi"');
  });
});
