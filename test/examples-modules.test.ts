import { describe, expect, it } from 'vitest';

import { useOpenAIFixture } from './fixtures/index.js';
import { runExample } from './helpers/run-example.js';

describe.concurrent('module examples offline', () => {
  it('tools-agent.ts runs a ReActV2 agent over a zod tool and an MCP server', async () => {
    const out = await runExample('tools-agent.ts');
    expect(out).toContain('MCP tools: add, fail, describe_point');
    expect(out).toContain('answer: 5 and 20 (submit)');
  }, 90_000);

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

describe.concurrent('image example', () => {
  it('image-qa.ts answers about a local PNG, reloads its image demo and rejects bad images', async () => {
    const out = await runExample('image-qa.ts');
    expect(out).toContain('answer: A red circle on a white background.');
    expect(out).toContain('user message parts: text, image_url, text');
    expect(out).toContain(
      'saved demo image: <<CUSTOM-TYPE-START-IDENTIFIER>>[{"type": "image_url"',
    );
    expect(out).toContain('reloaded: A red circle on a white background.');
    expect(out).toContain('rejected: Cannot read image file missing.png: file not found');
    expect(out).toContain('rejected: Unsupported image type "image/bmp" for a data URI');
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

  it('image-qa.ts sends the PNG as an image_url part through the SDK when OPENAI_BASE_URL is set', async () => {
    const fx = fixture();
    const out = await runExample('image-qa.ts', {
      OPENAI_BASE_URL: fx.url,
      OPENAI_API_KEY: 'test',
    });
    expect(out).toContain('LM: OpenAI-compatible model gpt-4o-mini at');
    const user = fx.requests[0]?.body.messages[3];
    expect(user.content[1].image_url.url).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(user.content[1].image_url.detail).toBe('low');
  }, 90_000);
});
