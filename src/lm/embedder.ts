/**
 * Turns texts into vectors (DSPy's `dspy.Embedder`). Implementations: `openaiEmbedder(...)` (any
 * OpenAI-compatible `/v1/embeddings` server through the official SDK) and `functionEmbedder(fn)`
 * for a local function. Vectors come back in input order, one per text.
 *
 * @example
 * ```ts
 * const embedder = openaiEmbedder({ model: 'text-embedding-3-small' });
 * const [v] = await embedder.embed(['What is DSPy?']);
 * ```
 */
export interface Embedder {
  /** Provider name (`openai`, `function`, …). */
  readonly provider: string;
  /** Model name as sent to the provider. */
  readonly model: string;
  /** Embeds `texts` in order. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]>;
}

/** Per-call options of {@link Embedder.embed}. */
export interface EmbedOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Skip the cache for this call (read and write); default true (use it). */
  cache?: boolean;
}

/** Options of {@link functionEmbedder}. */
export interface FunctionEmbedderOptions {
  /** Texts per call of the function (default 200, DSPy's `batch_size`). */
  batchSize?: number;
  /** Model name reported (default `function`). */
  model?: string;
}

/**
 * An {@link Embedder} over a local function (DSPy's `Embedder(callable)`), called in batches of
 * `batchSize` texts.
 *
 * @example
 * ```ts
 * const embedder = functionEmbedder(async (texts) => texts.map((t) => myModel.encode(t)));
 * ```
 */
export function functionEmbedder(
  fn: (texts: string[]) => number[][] | Promise<number[][]>,
  options: FunctionEmbedderOptions = {},
): Embedder {
  const batchSize = options.batchSize ?? 200;
  return {
    provider: 'function',
    model: options.model ?? 'function',
    async embed(texts) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        out.push(...(await fn(texts.slice(i, i + batchSize))));
      }
      return out;
    },
  };
}
