import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JSONAdapter } from '../../src/adapters/index.js';
import { ReActV2, Tool } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { fixtureLm } from '../supervisors/runtime-helpers.js';

// A ReActV2 agent with native tool calls as a program of an embedded runtime, over the OpenAI SDK.
let fixture: LMFixture;
let rt: Runtime;

beforeAll(async () => {
  fixture = await startOpenAIFixture();
  const agent = new ReActV2('question -> answer: int', [
    new Tool({
      name: 'add',
      schema: z.object({ a: z.number(), b: z.number() }),
      func: ({ a, b }) => Number(a) + Number(b),
    }),
  ]);
  agent.react.adapter = new JSONAdapter();
  rt = await startRuntime(
    { programs: { agent }, queues: { concurrency: 1 }, shutdown: { drainTimeoutMs: 2000 } },
    { logger: silentLogger(), lm: fixtureLm(fixture) },
  );
});

afterAll(async () => {
  await rt?.stop();
  await fixture?.close();
});

describe('ReActV2 in the embedded runtime', () => {
  it('runs native tool calls through startRuntime().run and returns the submitted outputs', async () => {
    fixture.enqueue(
      { kind: 'tool_calls', calls: [{ id: 'call_1', name: 'add', arguments: { a: 2, b: 3 } }] },
      { kind: 'tool_calls', calls: [{ id: 'call_2', name: 'submit', arguments: { answer: 5 } }] },
    );
    const result = await rt.run('agent', { question: 'What is 2 + 3?' });
    expect(result.outputs['answer']).toBe(5);
    expect(result.outputs['termination_reason']).toBe('submit');
    const second = fixture.requests[1]?.body.messages as { role: string; content: unknown }[];
    expect(second.find((m) => m.role === 'tool')).toMatchObject({
      tool_call_id: 'call_1',
      content: '5',
    });
  });
});
