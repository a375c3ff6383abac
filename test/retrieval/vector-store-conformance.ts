import { describe, expect, it } from 'vitest';
import type { VectorStore } from '../../src/retrieval/index.js';

/**
 * The behaviour every {@link VectorStore} must have. `make` returns an empty store (and may clean
 * up in its `close`).
 */
export function vectorStoreConformance(
  name: string,
  make: () => Promise<{ store: VectorStore; close?: () => Promise<void> }>,
): void {
  const withStore = async (fn: (store: VectorStore) => Promise<void>): Promise<void> => {
    const { store, close } = await make();
    try {
      await fn(store);
    } finally {
      await close?.();
    }
  };

  describe(`VectorStore conformance: ${name}`, () => {
    it('returns the k most similar records, closest first, with cosine scores', () =>
      withStore(async (store) => {
        await store.upsert([
          { id: 'a', vector: [1, 0, 0], text: 'alpha', metadata: { n: 1 } },
          { id: 'b', vector: [0, 1, 0], text: 'beta' },
          { id: 'c', vector: [1, 1, 0], text: 'gamma' },
        ]);
        const hits = await store.search([2, 0.2, 0], 2);
        expect(hits.map((h) => h.id)).toEqual(['a', 'c']);
        expect(hits[0]?.text).toBe('alpha');
        expect(hits[0]?.metadata).toEqual({ n: 1 });
        expect(hits[0]?.score).toBeCloseTo(2 / Math.hypot(2, 0.2), 6);
        expect(hits[1]?.score).toBeCloseTo(2.2 / (Math.hypot(2, 0.2) * Math.SQRT2), 6);
        expect(await store.count()).toBe(3);
        expect(store.dimensions).toBe(3);
      }));

    it('replaces a record upserted again under the same id', () =>
      withStore(async (store) => {
        await store.upsert([{ id: 'a', vector: [1, 0], text: 'old' }]);
        await store.upsert([{ id: 'a', vector: [0, 1], text: 'new' }]);
        expect(await store.count()).toBe(1);
        const [hit] = await store.search([0, 1], 1);
        expect(hit?.text).toBe('new');
        expect(hit?.score).toBeCloseTo(1, 6);
      }));

    it('breaks score ties by id and returns everything when k exceeds the size', () =>
      withStore(async (store) => {
        await store.upsert([
          { id: 'y', vector: [1, 0], text: 'y' },
          { id: 'x', vector: [2, 0], text: 'x' },
        ]);
        expect((await store.search([1, 0], 10)).map((h) => h.id)).toEqual(['x', 'y']);
      }));

    it('deletes by id, ignoring unknown ids', () =>
      withStore(async (store) => {
        await store.upsert([
          { id: 'a', vector: [1, 0], text: 'a' },
          { id: 'b', vector: [0, 1], text: 'b' },
        ]);
        await store.delete(['a', 'nope']);
        expect(await store.count()).toBe(1);
        expect((await store.search([1, 0], 5)).map((h) => h.id)).toEqual(['b']);
      }));

    it('an empty store finds nothing', () =>
      withStore(async (store) => {
        expect(await store.search([1, 2, 3], 3)).toEqual([]);
        expect(await store.count()).toBe(0);
      }));

    it('rejects a vector of another length and a bad k, leaving the store unchanged', () =>
      withStore(async (store) => {
        await store.upsert([{ id: 'a', vector: [1, 0], text: 'a' }]);
        await expect(
          store.upsert([
            { id: 'b', vector: [1, 0], text: 'b' },
            { id: 'c', vector: [1, 0, 0], text: 'c' },
          ]),
        ).rejects.toMatchObject({ code: 'dimension_mismatch', details: { expected: 2, got: 3 } });
        expect(await store.count()).toBe(1);
        await expect(store.search([1, 0, 0], 1)).rejects.toMatchObject({
          code: 'dimension_mismatch',
        });
        await expect(store.search([1, 0], 0)).rejects.toMatchObject({ code: 'invalid_argument' });
      }));
  });
}
