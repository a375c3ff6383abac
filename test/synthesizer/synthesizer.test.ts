import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openai } from '../../src/lm/index.js';
import { Synthesizer, SynthesizerError } from '../../src/synthesizer/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { BATCHES, SEEDS, chat, messagesOf, triviaScript } from './script.js';

const SIG = 'question -> answer, difficulty: int[1, 5]';

describe('Synthesizer over the OpenAI wire protocol', () => {
  let fixture: LMFixture;
  const lm = () =>
    openai({
      model: 'gpt-4o-mini',
      apiKey: 'k',
      baseURL: fixture.url,
      cache: false,
      retry: { maxAttempts: 1 },
    });

  beforeAll(async () => {
    fixture = await startOpenAIFixture();
  });
  afterAll(async () => fixture.close());
  beforeEach(() => fixture.reset());

  it('generates_labelled_examples_deduplicated_and_validated_with_calls_and_cost', async () => {
    fixture.handle(triviaScript(BATCHES));
    const result = await new Synthesizer({
      signature: SIG,
      seeds: SEEDS,
      task: 'Answer short trivia questions.',
      lm: lm(),
      batchSize: 3,
    }).generate(3);
    expect(result.examples.map((e) => e.toDict())).toEqual([
      { question: 'Capital of Spain?', answer: 'answer to Capital of Spain?', difficulty: 3 },
      { question: 'What is 3+3?', answer: 'answer to What is 3+3?', difficulty: 3 },
      { question: 'Capital of Italy?', answer: 'answer to Capital of Italy?', difficulty: 3 },
    ]);
    expect(result.examples[0]?.inputs().toDict()).toEqual({ question: 'Capital of Spain?' });
    // The seed repeated with other case and spacing, and Spain asked twice; the "hard" label out of range.
    expect(result.rejected).toEqual({ duplicate: 2, invalid: 1, failed: 0 });
    // 3 generator calls (3, 2 and 1 inputs asked) + 6 labelling calls: one per new input, and the
    // "hard" one's out-of-range label failed the ChatAdapter parse, then both JSONAdapter tries.
    // Duplicates are never labelled; surplus choices are not either.
    expect(result.lmCalls).toBe(9);
    expect(fixture.requests).toHaveLength(9);
    expect(result.usage.promptTokens).toBeGreaterThan(0);
    expect(result.usage.cost).toBeGreaterThan(0);
    const generator = fixture.requests.filter((r) =>
      messagesOf(r.body)[0]?.includes('`task_description`'),
    );
    expect(generator.map((r) => (r.body as { n?: number }).n ?? 1)).toEqual([3, 2, 1]);
    const temperatures = generator.map((r) => (r.body as { temperature: number }).temperature);
    for (const t of temperatures) expect(t).toBeGreaterThanOrEqual(0.7);
    const second = messagesOf(generator[1]?.body).at(-1) ?? '';
    expect(second).toContain('Capital of Spain?'); // the avoid list
    expect(second).toContain('Answer short trivia questions.');
  });

  it('repeats_the_same_sampling_schedule_for_the_same_seed', async () => {
    const schedule = async (seed: number): Promise<unknown[]> => {
      fixture.reset();
      fixture.handle(triviaScript(BATCHES));
      await new Synthesizer({
        signature: SIG,
        seeds: SEEDS,
        task: 't',
        lm: lm(),
        batchSize: 3,
        seed,
      }).generate(3);
      return fixture.requests
        .filter((r) => messagesOf(r.body)[0]?.includes('`task_description`'))
        .map((r) => [(r.body as { temperature: number }).temperature, messagesOf(r.body).at(-1)]);
    };
    const a = await schedule(7);
    expect(await schedule(7)).toEqual(a);
    expect(await schedule(8)).not.toEqual(a);
  });

  it('asks_the_lm_to_explain_the_task_when_neither_a_description_nor_instructions_say_it', async () => {
    const script = triviaScript(BATCHES);
    fixture.handle((req) => {
      if (messagesOf(req.body)[0]?.includes('`explanation`'))
        return { text: chat({ explanation: 'Quiz questions about geography and arithmetic.' }) };
      return script(req);
    });
    const result = await new Synthesizer({
      signature: SIG,
      seeds: SEEDS,
      lm: lm(),
      batchSize: 3,
    }).generate(1);
    expect(result.examples).toHaveLength(1);
    expect(result.lmCalls).toBe(3);
    expect(messagesOf(fixture.requests[1]?.body).at(-1)).toContain(
      'Quiz questions about geography and arithmetic.',
    );
  });

  it('stops_at_the_call_budget_when_the_lm_keeps_repeating_itself', async () => {
    fixture.handle(triviaScript(Array.from({ length: 10 }, () => ['Capital of France?'])));
    const result = await new Synthesizer({
      signature: SIG,
      seeds: SEEDS,
      task: 't',
      lm: lm(),
      maxCalls: 3,
    }).generate(5);
    expect(result.examples).toEqual([]);
    expect(result.rejected.duplicate).toBe(3);
    expect(result.lmCalls).toBe(3);
  });

  it.each([
    ['no seeds', { seeds: [] }, /at least one seed/],
    [
      'a seed without the label',
      { seeds: [{ question: 'q', answer: 'a' }] },
      /lacks the field\(s\) difficulty/,
    ],
    ['a zero batch', { batchSize: 0 }, /batchSize/],
  ])('rejects_%s_before_any_call', (_, patch, message) => {
    expect(() => new Synthesizer({ signature: SIG, seeds: SEEDS, ...patch })).toThrow(
      SynthesizerError,
    );
    expect(() => new Synthesizer({ signature: SIG, seeds: SEEDS, ...patch })).toThrow(message);
  });
});
