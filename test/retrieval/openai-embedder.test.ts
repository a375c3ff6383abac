import { describe, expect, it } from 'vitest';
import { UsageTracker, runWithContext } from '../../src/context/index.js';
import { MemoryCache, openaiEmbedder, type LMError } from '../../src/lm/index.js';
import { hashingVector } from '../../src/retrieval/index.js';
import { FIXTURE_EMBEDDING_DIMENSIONS, rateLimited, useOpenAIFixture } from '../fixtures/index.js';

// The embedder over the real OpenAI SDK against the fixture's deterministic /v1/embeddings.
const fixture = useOpenAIFixture();

const embedder = (
  options: { cache?: MemoryCache | false; batchSize?: number; dimensions?: number } = {},
) =>
  openaiEmbedder({
    model: 'text-embedding-3-small',
    apiKey: 'test',
    baseURL: fixture().url,
    cache: options.cache ?? false,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
  });

describe('openaiEmbedder over the OpenAI SDK', () => {
  it('returns the server vectors in input order', async () => {
    const texts = ['the red fox', 'a blue whale', 'the red fox jumps'];
    const vectors = await embedder().embed(texts);
    expect(vectors).toEqual(texts.map((t) => hashingVector(t, FIXTURE_EMBEDDING_DIMENSIONS)));
    expect(fixture().requests[0]?.path).toBe('/v1/embeddings');
    expect(fixture().requests[0]?.body).toMatchObject({
      model: 'text-embedding-3-small',
      input: texts,
      encoding_format: 'float',
    });
  });

  it('sends batches of batchSize texts and the dimensions option', async () => {
    const texts = ['a', 'b', 'c', 'd', 'e'];
    const vectors = await embedder({ batchSize: 2, dimensions: 16 }).embed(texts);
    expect(fixture().requests.map((r) => (r.body.input as string[]).length)).toEqual([2, 2, 1]);
    expect(fixture().requests.every((r) => r.body.dimensions === 16)).toBe(true);
    expect(vectors.every((v) => v.length === 16)).toBe(true);
  });

  it('caches each vector, sending only texts it has not seen (each distinct text once)', async () => {
    const e = embedder({ cache: new MemoryCache() });
    await e.embed(['one', 'two']);
    const again = await e.embed(['two', 'three', 'three', 'one']);
    expect(fixture().requests).toHaveLength(2);
    expect(fixture().requests[1]?.body.input).toEqual(['three']);
    expect(again).toEqual(['two', 'three', 'three', 'one'].map((t) => hashingVector(t, 64)));
    expect(e.totals).toMatchObject({ requests: 2, cacheHits: 2 });
  });

  it('adds tokens and cost to the usage trackers of the run', async () => {
    const tracker = new UsageTracker();
    const e = embedder();
    await runWithContext({ usageTrackers: [tracker] }, () => e.embed(['x'.repeat(400)]));
    const usage = tracker.perModel()['openai/text-embedding-3-small'];
    expect(usage).toMatchObject({ promptTokens: 100, completionTokens: 0, calls: 1 });
    expect(usage?.cost).toBeCloseTo((100 * 0.02) / 1_000_000, 12);
    expect(e.totals.promptTokens).toBe(100);
  });

  it('retries a 429 and maps a 401 to an auth LMError', async () => {
    fixture().enqueue(rateLimited({ retryAfterMs: '1' }));
    expect(await embedder().embed(['retry me'])).toHaveLength(1);
    expect(fixture().requests).toHaveLength(2);
    fixture().enqueue({ kind: 'error', status: 401 });
    const err = (await embedder()
      .embed(['nope'])
      .catch((e: unknown) => e)) as LMError;
    expect(err.code).toBe('auth');
  });
});
