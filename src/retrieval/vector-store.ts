/** One stored item: an id, its vector, and the passage text and metadata it stands for. */
export interface VectorRecord {
  id: string;
  vector: readonly number[];
  text: string;
  metadata?: Record<string, unknown>;
}

/** A search hit: the record (without its vector) and its cosine similarity to the query. */
export interface VectorHit {
  id: string;
  text: string;
  metadata: Record<string, unknown>;
  /** Cosine similarity in [-1, 1]; higher is closer. */
  score: number;
}

/**
 * Where passages and their vectors live. Implementations: `MemoryVectorStore` (exact, the embedded
 * default). All pass the conformance suite in `test/retrieval/vector-store-conformance.ts`: upsert
 * by id, exact ids and texts back, hits ordered by descending cosine similarity (ties by id),
 * `k` larger than the store returns everything, a vector of the wrong length is rejected.
 */
export interface VectorStore {
  /** Vector length, fixed by the first record (undefined while empty). */
  readonly dimensions: number | undefined;
  /** Adds records, replacing any with the same id. */
  upsert(records: readonly VectorRecord[]): Promise<void>;
  /** The `k` records most similar to `vector`. */
  search(vector: readonly number[], k: number): Promise<VectorHit[]>;
  /** Removes the records with these ids (unknown ids are ignored). */
  delete(ids: readonly string[]): Promise<void>;
  /** Number of records. */
  count(): Promise<number>;
}
