import type { Embedder } from '../lm/embedder.js';
import { ModuleError } from '../modules/errors.js';
import { Module } from '../modules/module.js';
import { Prediction } from '../modules/prediction.js';
import { MemoryVectorStore, checkK } from './memory-vector-store.js';
import type { VectorStore } from './vector-store.js';

/** Options of {@link Retrieve}. */
export interface RetrieveOptions {
  /** Embeds queries (and the corpus, with {@link Retrieve.fromCorpus}). */
  embedder: Embedder;
  /** Where the passages live (default: a new {@link MemoryVectorStore}). */
  store?: VectorStore;
  /** Passages per query (default 3, DSPy's `Retrieve(k=3)`). */
  k?: number;
}

/**
 * Retrieves the `k` passages closest to a query (DSPy's `dspy.Retrieve` / `dspy.retrievers.
 * Embeddings`): the query is embedded with the embedder and searched in the vector store. Call with
 * `{ query }` (or `{ query, k }`); the prediction has `passages` (texts, closest first), `ids` and
 * `scores` (cosine similarities). Build one over a list of texts with {@link Retrieve.fromCorpus}.
 * A retriever has no LM and no predictors: programs save nothing for it.
 *
 * @example
 * ```ts
 * const search = await Retrieve.fromCorpus(corpus, { embedder: openaiEmbedder({ model: 'text-embedding-3-small' }), k: 5 });
 * class RAG extends Module {
 *   search = search;
 *   answer = new ChainOfThought('context: list[str], question -> answer');
 *   async forward({ question }: Record<string, unknown>) {
 *     const { passages } = await this.search.call({ query: question });
 *     return this.answer.call({ context: passages, question });
 *   }
 * }
 * ```
 */
export class Retrieve extends Module {
  readonly embedder: Embedder;
  readonly store: VectorStore;
  k: number;

  constructor(options: RetrieveOptions) {
    super();
    const k = options.k ?? 3;
    checkK(k);
    this.embedder = options.embedder;
    this.store = options.store ?? new MemoryVectorStore();
    this.k = k;
  }

  /**
   * A retriever over `corpus`: each text is embedded (in the embedder's batches) and stored with
   * its index as id (`'0'`, `'1'`, …), so `ids` are corpus positions as DSPy's `indices`.
   */
  static async fromCorpus(corpus: readonly string[], options: RetrieveOptions): Promise<Retrieve> {
    const retrieve = new Retrieve(options);
    const vectors = await options.embedder.embed(corpus);
    await retrieve.store.upsert(
      corpus.map((text, i) => ({ id: String(i), text, vector: vectors[i] as number[] })),
    );
    return retrieve;
  }

  override async forward(inputs: Record<string, unknown>): Promise<Prediction> {
    const query = inputs['query'] ?? inputs['question'];
    if (typeof query !== 'string' || query === '') {
      throw new ModuleError('missing_inputs', "Retrieve needs a non-empty string 'query'.", {
        details: { missing: ['query'], present: Object.keys(inputs) },
      });
    }
    const k = inputs['k'] === undefined ? this.k : Number(inputs['k']);
    checkK(k);
    const [vector] = await this.embedder.embed([query]);
    const hits = await this.store.search(vector as number[], k);
    return new Prediction({
      passages: hits.map((h) => h.text),
      ids: hits.map((h) => h.id),
      scores: hits.map((h) => h.score),
    });
  }
}
