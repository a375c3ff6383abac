import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChainOfThought, Predict } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { RunStreamEvent, Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { oneToolAgent, scriptToolTurns } from '../helpers/agent-turns.js';
import { fixtureLm } from '../supervisors/runtime-helpers.js';

let fixture: LMFixture;
let rt: Runtime;

beforeAll(async () => {
  fixture = await startOpenAIFixture();
  rt = await startRuntime(
    {
      programs: {
        qa: new Predict('question -> answer'),
        cot: new ChainOfThought('question -> answer'),
        agent: oneToolAgent('get_weather', 'city', 'sunny'),
      },
      shutdown: { drainTimeoutMs: 2000 },
    },
    { logger: silentLogger(), lm: fixtureLm(fixture) },
  );
});

beforeEach(() => fixture.reset());

afterAll(async () => {
  await rt?.stop();
  await fixture?.close();
});

async function collect(events: AsyncIterable<RunStreamEvent>): Promise<RunStreamEvent[]> {
  const out: RunStreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('runtime.stream', () => {
  it('yields the answer field piece by piece as the LM streams it, then the result', async () => {
    fixture.enqueue({
      text: '[[ ## answer ## ]]\nParis is the capital of France.\n\n[[ ## completed ## ]]',
    });
    const events = await collect(rt.stream('qa', { question: 'Capital of France?' }));
    const deltas = events.filter((e) => e.type === 'delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((d) => d.predictor === 'self' && d.field === 'answer')).toBe(true);
    expect(deltas.map((d) => d.text).join('')).toBe('Paris is the capital of France.');
    expect(deltas.at(-1)?.last).toBe(true);
    const last = events.at(-1);
    expect(last).toMatchObject({
      type: 'result',
      result: { outputs: { answer: 'Paris is the capital of France.' } },
    });
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
    expect(fixture.requests[0]?.body?.['stream']).toBe(true);
  });

  it('streams every output field of a chain of thought, reasoning first', async () => {
    fixture.enqueue({
      text: '[[ ## reasoning ## ]]\nTwo and two.\n\n[[ ## answer ## ]]\nfour\n\n[[ ## completed ## ]]',
    });
    const events = await collect(rt.stream('cot', { question: '2+2?' }));
    const fields = events.flatMap((e) => (e.type === 'delta' ? [e.field] : []));
    expect(fields.indexOf('reasoning')).toBeLessThan(fields.indexOf('answer'));
    expect(events.at(-1)).toMatchObject({
      type: 'result',
      result: { outputs: { reasoning: 'Two and two.', answer: 'four' } },
    });
  });

  it('yields each native tool call of an agent whole, in turn order, before the result', async () => {
    scriptToolTurns(
      fixture,
      { id: 'call_w', name: 'get_weather', arguments: { city: 'Lima' } },
      'Sunny',
    );
    const events = await collect(
      rt.stream('agent', { question: 'Weather in Lima?' }, { config: { adapter: 'json' } }),
    );
    expect(events.filter((e) => e.type !== 'delta')).toEqual([
      {
        type: 'tool_call',
        predictor: 'react',
        id: 'call_w',
        name: 'get_weather',
        arguments: '{"city":"Lima"}',
      },
      {
        type: 'tool_call',
        predictor: 'react',
        id: 'call_s',
        name: 'submit',
        arguments: '{"answer":"Sunny"}',
      },
      expect.objectContaining({
        type: 'result',
        result: expect.objectContaining({ outputs: expect.objectContaining({ answer: 'Sunny' }) }),
      }),
    ]);
    expect(fixture.requests.every((r) => r.body?.['stream'] === true)).toBe(true);
  });

  it('fails the iteration with the run error for an unknown program', async () => {
    await expect(collect(rt.stream('nope', { question: 'x' }))).rejects.toMatchObject({
      code: 'unknown_program',
    });
  });

  it('an aborted signal fails the streamed run', async () => {
    fixture.enqueue({ text: '[[ ## answer ## ]]\nlate\n\n[[ ## completed ## ]]', delayMs: 5_000 });
    const controller = new AbortController();
    const events = rt.stream('qa', { question: 'slow?' }, { signal: controller.signal });
    const iterator = events[Symbol.asyncIterator]();
    const next = iterator.next();
    controller.abort(new Error('client went away'));
    await expect(next).rejects.toBeDefined();
  });
});
