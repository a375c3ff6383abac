import { describe, expect, it } from 'vitest';

import { useOpenAIFixture } from './fixtures/index.js';
import { runExample } from './helpers/run-example.js';

describe.concurrent('module examples offline', () => {
  it('quality-loops.ts runs BestOfN, Refine, CheckOutputs, MultiChainComparison and Parallel', async () => {
    const out = await runExample('quality-loops.ts');
    expect(out).toContain('BestOfN: Brussels');
    expect(out).toContain('Refine: Brussels');
    expect(out).toContain('CheckOutputs: Brussels');
    expect(out).toContain('MultiChainComparison: Brussels');
    expect(out).toContain('Parallel: Paris, Tokyo');
  }, 90_000);

  it('rag/rag.ts: the BootstrapFewShot-optimized RAG program beats zero-shot on its devset', async () => {
    const out = await runExample('rag/rag.ts');
    expect(out).toContain('zero-shot: 46.67% token F1 on 10 dev questions');
    expect(out).toContain('BootstrapFewShot: 3 bootstrapped demos from 5 attempts');
    expect(out).toContain('optimized: 73.33% token F1 on 10 dev questions');
    expect(out).toContain('saved predictors: answer.predict; reloaded program scores 73.33%');
  }, 90_000);

  it('rlm.ts explores a long document in the sandbox and submits the answer', async () => {
    const out = await runExample('rlm.ts');
    expect(out).toContain('output: 1 line 1337: the vault code is 4-8-15-16');
    expect(out).toContain('answer: 4-8-15-16 (2 steps)');
  }, 90_000);
});

describe('rag example against an OpenAI-compatible endpoint', () => {
  const fixture = useOpenAIFixture();

  it('embeds the corpus and queries through the SDK when DSPEX_EMBEDDING_MODEL is set', async () => {
    const fx = fixture();
    const out = await runExample('rag/rag.ts', {
      OPENAI_BASE_URL: fx.url,
      OPENAI_API_KEY: 'test',
      DSPEX_EMBEDDING_MODEL: 'text-embedding-3-small',
    });
    expect(out).toContain('embedder: openai/text-embedding-3-small');
    const embeddings = fx.requests.filter((r) => r.path === '/v1/embeddings');
    // One batch for the 16 passages, then one request per distinct question (cached after).
    expect(embeddings[0]?.body.input).toHaveLength(16);
    expect(fx.requests.some((r) => r.path === '/v1/chat/completions')).toBe(true);
  }, 90_000);
});
