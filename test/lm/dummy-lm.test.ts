import { describe, expect, it } from 'vitest';
import { runWithContext, UsageTracker } from '../../src/context/index.js';
import { DummyLM, formatChatAnswer, formatFieldValue, type LMMessage } from '../../src/lm/index.js';

const ask = (content: string): LMMessage[] => [
  { role: 'system', content: 'Your input fields are: …' },
  { role: 'user', content },
];

describe('chat answer format', () => {
  it('renders_fields_as_chat_adapter_blocks_with_the_completed_marker', () => {
    expect(formatChatAnswer({ reasoning: 'Because.', answer: 'Paris' })).toBe(
      '[[ ## reasoning ## ]]\nBecause.\n\n[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]',
    );
    expect(formatChatAnswer({ answer: 'x' }, { completed: false })).toBe('[[ ## answer ## ]]\nx');
  });

  it.each<[unknown, string]>([
    ['text', 'text'],
    [3, '3'],
    [2.5, '2.5'],
    [true, 'True'],
    [null, 'None'],
    [['a', 1], '["a", 1]'],
    [{ k: 'v', n: [1, 2] }, '{"k": "v", "n": [1, 2]}'],
  ])('formats_%j_like_dspy', (value, expected) => {
    expect(formatFieldValue(value)).toBe(expected);
  });
});

describe('DummyLM', () => {
  it('list_mode_returns_answers_in_order_then_no_more_responses', async () => {
    const lm = new DummyLM([{ answer: 'red' }, 'raw text']);
    const texts = [];
    for (let i = 0; i < 3; i++)
      texts.push((await lm.complete({ messages: ask('q') })).choices[0]?.text);
    expect(texts).toEqual([
      '[[ ## answer ## ]]\nred\n\n[[ ## completed ## ]]',
      'raw text',
      '[[ ## answer ## ]]\nNo more responses\n\n[[ ## completed ## ]]',
    ]);
  });

  it('list_mode_consumes_one_answer_per_completion_with_n', async () => {
    const lm = new DummyLM([{ answer: 'my first answer' }, { answer: 'my second answer' }], {
      completedMarker: false,
    });
    const res = await lm.complete({ messages: ask('q'), n: 2 });
    expect(res.choices.map((c) => c.text)).toEqual([
      '[[ ## answer ## ]]\nmy first answer',
      '[[ ## answer ## ]]\nmy second answer',
    ]);
  });

  it('copies_share_the_script', async () => {
    const lm = new DummyLM(['a', 'b']);
    await lm.copy({ temperature: 1 }).complete({ messages: ask('q') });
    expect((await lm.complete({ messages: ask('q') })).choices[0]?.text).toBe('b');
    expect(lm.remaining).toBe(0);
  });

  it('dict_mode_matches_keys_in_the_last_user_message', async () => {
    const lm = new DummyLM({ sky: { answer: 'blue' }, grass: { answer: 'green' } });
    expect(
      (await lm.complete({ messages: ask('[[ ## question ## ]]\nWhat color is the grass?') }))
        .choices[0]?.text,
    ).toContain('green');
    expect((await lm.complete({ messages: ask('nothing matches') })).choices[0]?.text).toBe(
      'No more responses',
    );
  });

  it('follow_examples_replays_the_demo_whose_input_matches', async () => {
    const messages: LMMessage[] = [
      { role: 'system', content: 'Your input fields are:\n1. `question` (str)' },
      { role: 'user', content: '[[ ## question ## ]]\nWhat color is the sky?' },
      { role: 'assistant', content: '[[ ## answer ## ]]\nblue\n\n[[ ## completed ## ]]\n' },
      { role: 'user', content: '[[ ## question ## ]]\nWhat is 1+1?' },
      { role: 'assistant', content: '[[ ## answer ## ]]\n2\n\n[[ ## completed ## ]]\n' },
      {
        role: 'user',
        content:
          '[[ ## question ## ]]\nWhat color is the sky?\n\nRespond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`.',
      },
    ];
    const lm = new DummyLM([{ answer: 'fallback' }], { followExamples: true });
    expect((await lm.complete({ messages })).choices[0]?.text).toBe(
      '[[ ## answer ## ]]\nblue\n\n[[ ## completed ## ]]\n',
    );
    const unmatched = [
      ...messages.slice(0, 5),
      { role: 'user' as const, content: '[[ ## question ## ]]\nUnseen?' },
    ];
    expect((await lm.complete({ messages: unmatched })).choices[0]?.text).toContain('fallback');
  });

  it('json_format_renders_an_indented_object_and_reasoning_is_optional', async () => {
    const lm = new DummyLM([{ answer: 'x', n: 1 }], { format: 'json', reasoning: true });
    const res = await lm.complete({ messages: ask('q') });
    expect(res.choices[0]).toEqual({
      text: '{\n  "answer": "x",\n  "n": 1\n}',
      finishReason: 'stop',
      reasoning: 'Some reasoning',
    });
  });

  it('goes_through_the_pipeline_with_zero_usage_history_and_one_callback_pair_for_n', async () => {
    const lm = new DummyLM({ q: { answer: 'a' } });
    const events: string[] = [];
    const tracker = new UsageTracker();
    await runWithContext(
      {
        callbacks: [
          { onLmStart: () => events.push('lm_start'), onLmEnd: () => events.push('lm_end') },
        ],
        usageTrackers: [tracker],
      },
      () => lm.complete({ messages: ask('q'), n: 3 }),
    );
    expect(events).toEqual(['lm_start', 'lm_end']);
    expect(tracker.perModel()['dummy/dummy']).toMatchObject({ totalTokens: 0, calls: 1 });
    expect(lm.history.length).toBe(1);
    expect(lm.dumpState()).toEqual({
      provider: 'dummy',
      model: 'dummy',
      params: { temperature: 0, maxTokens: 1000 },
    });
  });

  it('does_not_cache_by_default_but_can', async () => {
    const plain = new DummyLM(['a', 'b']);
    await plain.complete({ messages: ask('same') });
    expect((await plain.complete({ messages: ask('same') })).choices[0]?.text).toBe('b');
    const { MemoryCache } = await import('../../src/lm/index.js');
    const cached = new DummyLM(['a', 'b'], { cache: new MemoryCache() });
    await cached.complete({ messages: ask('same') });
    expect((await cached.complete({ messages: ask('same') })).choices[0]?.text).toBe('a');
  });

  it('streams_a_synthesised_chunk_per_choice_then_done', async () => {
    const lm = new DummyLM(['hello']);
    const chunks = [];
    for await (const c of lm.stream({ messages: ask('q') })) chunks.push(c.type);
    expect(chunks).toEqual(['text', 'done']);
  });
});
