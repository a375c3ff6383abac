import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { currentContext } from '../context/index.js';
import { getDefaultCache } from './cache-config.js';
import { nodeTransport, type FetchLike } from './http-transport.js';
import { canonicalJSON } from './cache-key.js';
import type { EmbedOptions, Embedder } from './embedder.js';
import { LMError } from './lm-error.js';
import { openAIErrorToLM } from './openai-error.js';
import { getPriceTable, priceFor, type PriceTable } from './pricing.js';
import type { ResponseCache } from './response-cache.js';
import { resolveRetry, withRetries, type ResolvedRetry, type RetryOptions } from './retry.js';

/** USD per 1M input tokens of OpenAI's embedding models (2025 list prices). */
export const EMBEDDING_PRICES: PriceTable = Object.freeze({
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
});

/** Options of {@link openaiEmbedder}. */
export interface OpenAIEmbedderOptions {
  /** Embedding model as the server knows it. */
  model: string;
  /** API key (default `OPENAI_API_KEY`; local servers accept any string). */
  apiKey?: string | undefined;
  /** Base URL of any OpenAI-compatible server (default `OPENAI_BASE_URL`, else api.openai.com). */
  baseURL?: string | undefined;
  /** Output dimensions, for models that can shorten their vectors. */
  dimensions?: number;
  /** Texts per request (default 200, DSPy's `batch_size`). */
  batchSize?: number;
  /**
   * Cache of vectors, one entry per (model, dimensions, text): `true`/absent = the process-wide
   * response cache, `false` = none, or a cache of its own. Only missing texts are sent.
   */
  cache?: ResponseCache | boolean;
  /** Retry policy (the LMs' default: 4 attempts, backoff with jitter, retry-after honoured). */
  retry?: RetryOptions;
  /** Price table (default: the process-wide one over {@link EMBEDDING_PRICES}). */
  prices?: PriceTable;
  /**
   * The HTTP transport of the client dspex builds (default: {@link nodeTransport});
   * `globalThis.fetch` restores Node's. Ignored with `client`.
   */
  fetch?: FetchLike;
  /** Use this SDK client instead of building one. */
  client?: OpenAI;
}

/** Running totals of an embedder (all calls since it was built). */
export interface EmbedderTotals {
  /** HTTP requests sent. */
  requests: number;
  /** Texts answered from the cache. */
  cacheHits: number;
  promptTokens: number;
  /** USD, when the model is priced. */
  cost: number;
}

/**
 * Embeddings through the official `openai` SDK (`POST /v1/embeddings`) on OpenAI or any
 * OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio, TEI). Batches texts, caches each
 * vector (SHA-256 of provider, model, dimensions and text; the vector is stored as the JSON text of
 * one cached choice, so the memory and Redis cache layers serve embeddings too), retries like the
 * LMs, and adds each request's tokens and cost to the run's usage trackers under
 * `openai/<model>` (so they show in `prediction.usage`). Build with {@link openaiEmbedder}.
 */
export class OpenAIEmbedder implements Embedder {
  readonly provider = 'openai';
  readonly model: string;
  readonly totals: EmbedderTotals = { requests: 0, cacheHits: 0, promptTokens: 0, cost: 0 };
  private readonly client: OpenAI;
  private readonly options: OpenAIEmbedderOptions;
  private readonly retryPolicy: ResolvedRetry;

  constructor(options: OpenAIEmbedderOptions) {
    this.model = options.model;
    this.options = options;
    this.retryPolicy = resolveRetry(options.retry);
    this.client =
      options.client ??
      new OpenAI({
        apiKey: options.apiKey ?? process.env['OPENAI_API_KEY'] ?? 'missing-api-key',
        baseURL: options.baseURL ?? process.env['OPENAI_BASE_URL'] ?? null,
        // Our retries honour retry-after and abort signals; the SDK must not retry as well.
        maxRetries: 0,
        fetch: options.fetch ?? nodeTransport,
      });
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    const cache = options.cache === false ? null : this.cache();
    const out: (number[] | undefined)[] = texts.map(() => undefined);
    const keys = texts.map((t) => this.keyOf(t));
    if (cache !== null) {
      await Promise.all(
        keys.map(async (key, i) => {
          const hit = await cache.get(key);
          const text = hit?.choices[0]?.text;
          if (text !== undefined) {
            out[i] = JSON.parse(text) as number[];
            this.totals.cacheHits += 1;
          }
        }),
      );
    }
    // Each distinct missing text is sent once, however often it repeats.
    const missing = [...new Set(texts.filter((_, i) => out[i] === undefined))];
    const fresh = new Map<string, number[]>();
    const batchSize = Math.max(1, this.options.batchSize ?? 200);
    for (let i = 0; i < missing.length; i += batchSize) {
      const batch = missing.slice(i, i + batchSize);
      const vectors = await this.request(batch, options.signal);
      batch.forEach((text, j) => fresh.set(text, vectors[j] as number[]));
    }
    for (const [i, text] of texts.entries()) {
      if (out[i] !== undefined) continue;
      const v = fresh.get(text) as number[];
      out[i] = v;
      if (cache !== null) {
        await cache.set(keys[i] as string, {
          model: this.model,
          choices: [{ text: JSON.stringify(v), finishReason: 'stop' }],
        });
      }
    }
    return out as number[][];
  }

  private async request(batch: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    const response = await withRetries(this.provider, this.retryPolicy, signal, async () => {
      try {
        return await this.client.embeddings.create(
          {
            model: this.model,
            input: batch,
            encoding_format: 'float',
            ...(this.options.dimensions === undefined
              ? {}
              : { dimensions: this.options.dimensions }),
          },
          signal === undefined ? {} : { signal },
        );
      } catch (e) {
        throw openAIErrorToLM(this.provider, e);
      }
    });
    if (!Array.isArray(response.data) || response.data.length !== batch.length) {
      throw new LMError(
        'parse',
        `openai: the embeddings response has ${Array.isArray(response.data) ? response.data.length : 'no'} vectors for ${batch.length} inputs`,
        { details: { provider: this.provider } },
      );
    }
    this.account(response.usage?.prompt_tokens ?? 0);
    const vectors: number[][] = [];
    for (const d of response.data) vectors[d.index] = d.embedding;
    return vectors;
  }

  private account(promptTokens: number): void {
    const price = priceFor(this.model, {
      ...EMBEDDING_PRICES,
      ...(this.options.prices ?? getPriceTable()),
    });
    const cost = price === undefined ? undefined : (promptTokens * price.input) / 1_000_000;
    this.totals.requests += 1;
    this.totals.promptTokens += promptTokens;
    this.totals.cost += cost ?? 0;
    const usage = {
      promptTokens,
      completionTokens: 0,
      totalTokens: promptTokens,
      ...(cost === undefined ? {} : { cost }),
    };
    for (const tracker of currentContext().usageTrackers)
      tracker.add(`${this.provider}/${this.model}`, usage);
  }

  private cache(): ResponseCache | null {
    const c = this.options.cache;
    if (c === false) return null;
    if (c === undefined || c === true) return getDefaultCache();
    return c;
  }

  private keyOf(text: string): string {
    const material = {
      kind: 'embedding',
      provider: this.provider,
      model: this.model,
      dimensions: this.options.dimensions,
      input: text,
    };
    return createHash('sha256').update(canonicalJSON(material)).digest('hex');
  }
}

/**
 * An {@link Embedder} on OpenAI's embeddings API or any OpenAI-compatible server.
 *
 * @example
 * ```ts
 * const embedder = openaiEmbedder({ model: 'text-embedding-3-small', batchSize: 100 });
 * const local = openaiEmbedder({ model: 'nomic-embed-text', baseURL: 'http://localhost:11434/v1', apiKey: 'ollama' });
 * const vectors = await embedder.embed(['first text', 'second text']);
 * ```
 */
export function openaiEmbedder(options: OpenAIEmbedderOptions): OpenAIEmbedder {
  return new OpenAIEmbedder(options);
}
