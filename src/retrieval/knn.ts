import type { Embedder } from '../lm/embedder.js';
import type { Example } from '../modules/example.js';
import { checkK } from './memory-vector-store.js';

/** DSPy's text of an example for KNN: `key: value` of its input fields joined by ` | `. */
export function knnText(entries: Iterable<readonly [string, unknown]>): string {
  return [...entries].map(([key, value]) => `${key}: ${String(value)}`).join(' | ');
}

/**
 * The `k` training examples nearest to some inputs (DSPy's `dspy.KNN`): each train example is
 * embedded once (lazily, on the first call) as `key: value | key: value` over its input fields; a
 * call embeds its inputs the same way and ranks by dot product, highest first (DSPy's
 * `argsort()[-k:][::-1]`; equal scores put the later example first, where numpy's unstable sort
 * leaves the order unspecified).
 *
 * @example
 * ```ts
 * const knn = new KNN(3, trainset, openaiEmbedder({ model: 'text-embedding-3-small' }));
 * const similar = await knn.call({ question: 'What is the capital of Belgium?' });
 * ```
 */
export class KNN {
  readonly k: number;
  readonly trainset: readonly Example[];
  readonly embedder: Embedder;
  private vectors: Promise<number[][]> | undefined;

  constructor(k: number, trainset: readonly Example[], embedder: Embedder) {
    checkK(k);
    this.k = k;
    this.trainset = [...trainset];
    this.embedder = embedder;
  }

  /** The nearest train examples to `inputs`, closest first. */
  async call(inputs: Record<string, unknown>): Promise<Example[]> {
    this.vectors ??= this.embedder.embed(this.trainset.map((ex) => knnText(ex.inputs().items())));
    const train = await this.vectors.catch((e: unknown) => {
      this.vectors = undefined; // a failed embedding is retried on the next call
      throw e;
    });
    const [query] = await this.embedder.embed([knnText(Object.entries(inputs))]);
    const q = query as number[];
    const scores = train.map((v) => v.reduce((s, x, i) => s + x * (q[i] ?? 0), 0));
    // Ascending by score (index order on ties), then DSPy's last k reversed.
    const order = scores
      .map((_, i) => i)
      .sort((a, b) => (scores[a] as number) - (scores[b] as number) || a - b);
    return order
      .slice(-this.k)
      .reverse()
      .map((i) => this.trainset[i] as Example);
  }
}
