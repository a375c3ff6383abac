import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LanceVectorStore } from '../../src/retrieval/index.js';
import { vectorStoreConformance } from './vector-store-conformance.js';

const root = mkdtempSync(join(tmpdir(), 'dspex-lance-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshUri = (): string => join(root, `db-${n++}`);

vectorStoreConformance('LanceVectorStore', async () => {
  const store = await LanceVectorStore.open({ uri: freshUri() });
  return { store, close: () => store.close() };
});

describe('LanceVectorStore', () => {
  it('keeps its records, metadata and vector length when the database is opened again', async () => {
    const uri = freshUri();
    const first = await LanceVectorStore.open({ uri, table: 'corpus' });
    await first.upsert([
      { id: "o'brien", vector: [0, 1, 0], text: 'quoted id', metadata: { tags: ['a'], n: 2 } },
      { id: 'p2', vector: [1, 0, 0], text: 'second' },
    ]);
    await first.close();

    const again = await LanceVectorStore.open({ uri, table: 'corpus' });
    expect(again.dimensions).toBe(3);
    expect(await again.count()).toBe(2);
    const [hit] = await again.search([0, 2, 0], 1);
    expect(hit).toEqual({
      id: "o'brien",
      text: 'quoted id',
      metadata: { tags: ['a'], n: 2 },
      score: 1,
    });
    await again.delete(["o'brien"]);
    expect((await again.search([0, 1, 0], 5)).map((h) => h.id)).toEqual(['p2']);
    await again.close();
  });

  it('keeps the last record of an id repeated within one batch, and serializes concurrent writes', async () => {
    const store = await LanceVectorStore.open({ uri: freshUri() });
    await store.upsert([
      { id: 'a', vector: [1, 0], text: 'first' },
      { id: 'a', vector: [0, 1], text: 'second' },
    ]);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.upsert([{ id: `w${i}`, vector: [1, i + 1], text: `w${i}` }]),
      ),
    );
    expect(await store.count()).toBe(9);
    expect((await store.search([0, 1], 1))[0]?.text).toBe('second');
    await store.close();
  });

  it('forgets the vector length once emptied, like the in-memory store', async () => {
    const store = await LanceVectorStore.open({ uri: freshUri() });
    await store.upsert([{ id: 'a', vector: [1, 0], text: 'a' }]);
    await store.delete(['a']);
    expect(store.dimensions).toBeUndefined();
    await store.upsert([{ id: 'b', vector: [1, 0, 0], text: 'b' }]);
    expect(store.dimensions).toBe(3);
    await store.close();
  });

  it('rejects a table name that is not a plain identifier', async () => {
    await expect(
      LanceVectorStore.open({ uri: freshUri(), table: 'x; drop' }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });
});
