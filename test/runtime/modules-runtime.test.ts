import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatChatAnswer, openaiEmbedder } from '../../src/lm/index.js';
import type { Module } from '../../src/modules/index.js';
import {
  BestOfN,
  CheckOutputs,
  Predict,
  ProgramOfThought,
  Refine,
} from '../../src/modules/index.js';
import { Retrieve } from '../../src/retrieval/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { fixtureLm } from '../supervisors/runtime-helpers.js';
import { RAG } from '../../examples/rag/program.js';

// The issue-12 modules as programs of an embedded runtime, over the OpenAI SDK and the fixture.
let fixture: LMFixture;
let rt: Runtime;

const always = (): number => 1;

beforeAll(async () => {
  fixture = await startOpenAIFixture();
  const embedder = openaiEmbedder({
    model: 'text-embedding-3-small',
    apiKey: 'test-key',
    baseURL: fixture.url,
    cache: false,
  });
  const corpus = ['Brussels is the capital of Belgium.', 'Tokyo is the capital of Japan.'];
  const programs: Record<string, Module> = {
    best: new BestOfN(new Predict('question -> answer'), { n: 2, rewardFn: always, threshold: 1 }),
    refine: new Refine(new Predict('question -> answer'), { n: 2, rewardFn: always, threshold: 1 }),
    checked: new CheckOutputs(new Predict('question -> answer'), {
      checks: [(p) => (String(p.answer).startsWith('answer-') ? undefined : 'unexpected')],
    }),
    rag: new RAG(await Retrieve.fromCorpus(corpus, { embedder, k: 1 })),
    pot: new ProgramOfThought('question -> answer: int'),
  };
  rt = await startRuntime(
    { programs, queues: { concurrency: 2 }, shutdown: { drainTimeoutMs: 2000 } },
    { logger: silentLogger(), lm: fixtureLm(fixture) },
  );
});

afterAll(async () => {
  await rt?.stop();
  await fixture?.close();
});

describe('issue-12 modules in the embedded runtime', () => {
  it.each(['best', 'refine', 'checked'])(
    '%s runs as a program and returns outputs',
    async (name) => {
      const result = await rt.run(name, { question: 'What is 2+2?' });
      expect(String(result.outputs['answer'])).toMatch(/^answer-/);
      expect(result.executionId).toEqual(expect.any(String));
    },
  );

  it('rag retrieves through the embeddings route and answers', async () => {
    const before = fixture.requests.length;
    const result = await rt.run('rag', { question: 'capital of Japan?' });
    expect(String(result.outputs['answer'])).toMatch(/^answer-/);
    const mine = fixture.requests.slice(before);
    expect(mine[0]?.path).toBe('/v1/embeddings');
    const chat = mine.find((r) => r.path === '/v1/chat/completions');
    const messages = chat?.body.messages as { content: string }[];
    expect(messages.at(-1)?.content).toContain('Tokyo is the capital of Japan.');
  });

  it('pot runs generated JavaScript in the sandbox inside a program worker', async () => {
    fixture.enqueue(
      { text: formatChatAnswer({ reasoning: 'r', generated_code: 'SUBMIT({ answer: 6 * 7 })' }) },
      { text: formatChatAnswer({ reasoning: 'r', answer: '42' }) },
    );
    const result = await rt.run('pot', { question: 'What is 6 * 7?' });
    expect(result.outputs['answer']).toBe(42);
  });
});
