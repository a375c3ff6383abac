import { describe, expect, it } from 'vitest';
import {
  StreamListener,
  type StreamResponse,
} from '../../src/modules/streaming/stream-listener.js';

function feed(
  listener: StreamListener,
  tokens: readonly string[],
  adapter = 'ChatAdapter',
): StreamResponse[] {
  const out: StreamResponse[] = [];
  for (const t of tokens) {
    const r = listener.receive(t, adapter);
    if (r) out.push(r);
  }
  const last = listener.finalize();
  if (last) out.push(last);
  return out;
}

// Recorded gpt-4o-mini token stream of DSPy's test_stream_listener_returns_correct_chunk_chat_adapter.
const ANSWER_TOKENS = [
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

describe('StreamListener with ChatAdapter markers (T23)', () => {
  it('emits exactly the tokens inside the field section, the last one flagged', () => {
    const l = new StreamListener('answer', { predictName: 'predict1' });
    const chunks = feed(l, ANSWER_TOKENS);
    expect(chunks.map((c) => c.chunk)).toEqual([
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
    expect(chunks.map((c) => c.isLastChunk)).toEqual([...Array(10).fill(false), true]);
    expect(
      chunks.every((c) => c.predictName === 'predict1' && c.signatureFieldName === 'answer'),
    ).toBe(true);
  });

  it('handles a stream whose tokens are not split like the markers', () => {
    const l = new StreamListener('answer', { predictName: 'predict1' });
    const chunks = feed(l, [
      '[[ ##',
      ' answer ## ]]',
      'To get to the other side.',
      '\n\n[[ ## completed ## ]]',
    ]);
    expect(chunks[0]?.chunk).toBe('To get to the other side.');
    expect(chunks[1]).toMatchObject({ chunk: '', isLastChunk: true });
    expect(chunks).toHaveLength(2);
  });

  it('ignores other fields and starts at its own marker', () => {
    const l = new StreamListener('answer');
    const chunks = feed(l, [
      '[[ ## reasoning ## ]]\n',
      'think',
      ' hard',
      '\n\n[[ ##',
      ' answer',
      ' ## ]]\n',
      '42',
      '\n\n[[ ## completed ## ]]',
    ]);
    expect(chunks.map((c) => c.chunk)).toEqual(['42', '']);
    expect(chunks.at(-1)?.isLastChunk).toBe(true);
  });

  it('holds back trailing whitespace before the next marker', () => {
    const l = new StreamListener('answer');
    const tokens = [
      '[[ ## answer ## ]]\n',
      'a\n',
      'b\n\n',
      '[[ ',
      '## ',
      'completed ',
      '## ',
      ']]',
    ];
    const chunks = feed(l, ['x', ...tokens]);
    expect(chunks.map((c) => c.chunk)).toEqual(['a', '\nb', '']);
    expect(chunks.at(-1)?.isLastChunk).toBe(true);
  });

  it('a whole completion in one piece (cache hit) emits nothing', () => {
    const l = new StreamListener('answer');
    expect(feed(l, ['[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]'])).toEqual([]);
    expect(l.cacheHit).toBe(true);
  });

  it('flushes held-back text when the completion marker never comes', () => {
    const l = new StreamListener('answer');
    const chunks = feed(l, ['[[ ## answer ## ]]\n', 'Hello', ' [', '[x']);
    expect(chunks.map((c) => c.chunk).join('')).toBe('Hello [[x');
    expect(chunks.at(-1)?.isLastChunk).toBe(true);
  });

  it('holds back at most 10 tokens that could be an end marker', () => {
    const l = new StreamListener('answer');
    const tokens = [
      '[[ ## answer ## ]]\n',
      'a [[ ##',
      ...Array.from({ length: 12 }, (_, i) => ` t${i}`),
    ];
    const chunks = feed(l, tokens);
    expect(chunks.map((c) => c.chunk).join('')).toBe(
      'a [[ ##' + Array.from({ length: 12 }, (_, i) => ` t${i}`).join(''),
    );
  });
});

describe('StreamListener with XMLAdapter markers', () => {
  it('emits the text between <answer> and </answer>', () => {
    const l = new StreamListener('answer');
    const chunks = feed(l, ['<', 'answer>', 'Par', 'is', '</', 'answer>'], 'XMLAdapter');
    expect(chunks.map((c) => c.chunk).join('')).toBe('Paris');
    expect(chunks.at(-1)?.isLastChunk).toBe(true);
  });
});

describe('StreamListener with JSONAdapter output', () => {
  // Recorded gpt-4o-mini stream of DSPy's test_stream_listener_returns_correct_chunk_json_adapter.
  const TOKENS = [
    '{"',
    'answer',
    '":',
    '"To',
    ' get',
    ' to',
    ' the',
    ' other',
    ' side',
    ' of',
    ' the',
    ' frying',
    ' pan',
    '!"',
    '}\n',
    'None',
    'None',
  ];

  it('emits the raw JSON value text, quotes included, the last piece flagged', () => {
    const l = new StreamListener('answer', { predictName: 'predict1' });
    const chunks = feed(l, TOKENS, 'JSONAdapter');
    expect(chunks.map((c) => c.chunk)).toEqual([
      '"To',
      ' get',
      ' to',
      ' the',
      ' other',
      ' side',
      ' of',
      ' the',
      ' frying',
      ' pan',
      '!"',
    ]);
    expect(chunks.at(-1)?.isLastChunk).toBe(true);
  });

  it('handles unsplit tokens and stops at the next key', () => {
    const l = new StreamListener('answer');
    const chunks = feed(
      l,
      [
        '{\n',
        '  "answer": "To get to',
        ' the other side... of the cutting board!"',
        ', "next": 1}',
      ],
      'JSONAdapter',
    );
    expect(chunks.map((c) => c.chunk)).toEqual([
      '"To get to the other side... of the cutting board!"',
    ]);
    expect(chunks[0]?.isLastChunk).toBe(true);
  });

  it('streams non-string values up to their end', () => {
    const l = new StreamListener('items');
    const chunks = feed(l, ['{"items"', ': [1, ', '"a\\"]"', '], "x": 2}'], 'JSONAdapter');
    expect(chunks.map((c) => c.chunk).join('')).toBe('[1, "a\\"]"]');
    expect(chunks.at(-1)?.isLastChunk).toBe(true);
  });
});

describe('StreamListener.fresh', () => {
  it('copies field and predictor but not the stream state', () => {
    const l = new StreamListener('answer', { predictName: 'p' });
    feed(l, ANSWER_TOKENS);
    const f = l.fresh();
    expect(f.streamEnd).toBe(false);
    expect(f.predictName).toBe('p');
    expect(feed(f, ANSWER_TOKENS)).toHaveLength(11);
  });
});
