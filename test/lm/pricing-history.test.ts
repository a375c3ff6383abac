import { describe, expect, it } from 'vitest';
import {
  costOf,
  DummyLM,
  globalLMHistory,
  HistoryBuffer,
  inspectHistory,
  priceFor,
  renderHistory,
  resetGlobalHistory,
  type LMHistoryEntry,
} from '../../src/lm/index.js';

describe('pricing', () => {
  it('matches_exact_names_then_the_longest_prefix', () => {
    expect(priceFor('gpt-4o-mini')).toEqual({ input: 0.15, output: 0.6 });
    expect(priceFor('gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(priceFor('gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
    expect(priceFor('my-local-llama')).toBeUndefined();
  });

  it('costs_usd_per_million_tokens_from_a_custom_table', () => {
    expect(costOf('m', 2_000_000, 1_000_000, { m: { input: 1, output: 3 } })).toBe(5);
    expect(costOf('unknown', 1, 1, {})).toBeUndefined();
  });
});

const entry = (i: number): LMHistoryEntry => ({
  callId: `c${i}`,
  timestamp: `2026-01-01T00:00:0${i}.000Z`,
  provider: 'p',
  model: 'm',
  messages: [{ role: 'user', content: `q${i}` }],
  params: {},
  response: {
    choices: [{ text: `a${i}`, finishReason: 'stop' }],
    usage: null,
    model: 'm',
    cached: false,
    latencyMs: 1,
  },
  usage: null,
  cost: null,
});

describe('HistoryBuffer', () => {
  it('keeps_the_last_capacity_entries_oldest_first', () => {
    const h = new HistoryBuffer(3);
    for (let i = 1; i <= 5; i++) h.push(entry(i));
    expect(h.list().map((e) => e.callId)).toEqual(['c3', 'c4', 'c5']);
    expect(h.list(2).map((e) => e.callId)).toEqual(['c4', 'c5']);
    expect(h.length).toBe(3);
  });
});

describe('inspect history', () => {
  it('renders_in_dspy_layout', () => {
    const e = entry(1);
    e.messages = [
      { role: 'system', content: 'sys ' },
      { role: 'user', content: 'q1' },
    ];
    e.response.choices.push({ text: 'other', finishReason: 'stop' });
    expect(renderHistory([e])).toBe(
      '\n\n\n\n[2026-01-01T00:00:01.000Z]\n\nSystem message:\n\nsys\n\n\nUser message:\n\nq1\n\n\nResponse:\n\na1\n\n \t (and 1 other completions)\n\n\n\n\n',
    );
  });

  it('colours_only_when_asked', () => {
    expect(renderHistory([entry(1)], { color: true })).toContain('\x1b[31mUser message:\x1b[0m');
    expect(renderHistory([entry(1)])).not.toContain('\x1b[');
  });

  it('global_history_records_every_lm_and_inspect_history_shows_the_last_n', async () => {
    resetGlobalHistory();
    const lm = new DummyLM(['first', 'second']);
    await lm.complete({ messages: [{ role: 'user', content: 'one' }] });
    await lm.complete({ messages: [{ role: 'user', content: 'two' }] });
    expect(globalLMHistory().map((e) => e.response.choices[0]?.text)).toEqual(['first', 'second']);
    const out = inspectHistory(1);
    expect(out).toContain('User message:\n\ntwo');
    expect(out).not.toContain('one');
  });
});
