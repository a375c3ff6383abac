import { RetrievalError } from './retrieval-error.js';
import type { VectorHit, VectorRecord, VectorStore } from './vector-store.js';

interface Stored {
  record: VectorRecord;
  /** The vector scaled to unit length, so a search is one dot product per record. */
  unit: Float64Array;
}

/** A copy of `v` at unit length (zeros stay zeros). */
export function unitVector(v: readonly number[]): Float64Array {
  const out = Float64Array.from(v);
  let norm = 0;
  for (const x of out) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / norm;
  return out;
}

/** Checks `k` is a positive integer. */
export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new RetrievalError('invalid_argument', `k must be a positive integer, got ${k}.`, {
      details: { k },
    });
  }
}

/**
 * Checks a batch before any of it is written: non-empty string ids, one vector length (the store's
 * `dims`, else the batch's first). Returns the batch's vector length.
 */
export function checkBatch(
  records: readonly VectorRecord[],
  dims: number | undefined,
): number | undefined {
  let expected = dims ?? records[0]?.vector.length;
  for (const r of records) {
    if (typeof r.id !== 'string' || r.id === '') {
      throw new RetrievalError('invalid_argument', 'A vector record needs a non-empty string id.');
    }
    checkDims(r.vector, expected);
    expected ??= r.vector.length;
  }
  return expected;
}

/** Rejects a vector whose length is not `dims` (no check while `dims` is undefined). */
export function checkDims(vector: readonly number[], dims: number | undefined): void {
  if (dims !== undefined && vector.length !== dims) {
    throw new RetrievalError(
      'dimension_mismatch',
      `Vector has ${vector.length} dimensions; the store holds ${dims}-dimensional vectors.`,
      { details: { expected: dims, got: vector.length } },
    );
  }
}

/** Dot product of two vectors of one length (the cosine of two unit vectors). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** The `k` best hits: descending score, ties by id (deterministic across stores). */
export function rankHits(hits: VectorHit[], k: number): VectorHit[] {
  hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return hits.slice(0, k);
}

/**
 * Exact nearest-neighbour search in memory (the embedded default): cosine similarity against every
 * record, ties broken by id. Fine for corpora up to ~10^5 passages; nothing is persisted.
 *
 * @example
 * ```ts
 * const store = new MemoryVectorStore();
 * await store.upsert([{ id: 'p1', vector: [1, 0], text: 'first passage' }]);
 * const hits = await store.search([0.9, 0.1], 3);
 * ```
 */
export class MemoryVectorStore implements VectorStore {
  private readonly items = new Map<string, Stored>();
  private dims: number | undefined;

  get dimensions(): number | undefined {
    return this.dims;
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    // Validate the whole batch first, so a bad record leaves the store untouched.
    const dims = checkBatch(records, this.dims);
    for (const r of records) {
      const record: VectorRecord = { ...r, vector: [...r.vector] };
      this.items.set(r.id, { record, unit: unitVector(r.vector) });
    }
    if (records.length > 0) this.dims = dims;
  }

  async search(vector: readonly number[], k: number): Promise<VectorHit[]> {
    checkK(k);
    if (this.dims === undefined) return [];
    checkDims(vector, this.dims);
    const q = unitVector(vector);
    const scored: VectorHit[] = [];
    for (const { record, unit } of this.items.values()) {
      scored.push({
        id: record.id,
        text: record.text,
        metadata: { ...(record.metadata ?? {}) },
        score: dot(q, unit),
      });
    }
    return rankHits(scored, k);
  }

  delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.items.delete(id);
    if (this.items.size === 0) this.dims = undefined;
    return Promise.resolve();
  }

  count(): Promise<number> {
    return Promise.resolve(this.items.size);
  }
}
