import { beforeEach, describe, expect, it } from 'vitest';
import { datasetHash, type Store } from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';
import { expectStoreError, type ConformanceContext } from './context.js';

export function describeDatasetConformance(ctx: ConformanceContext): void {
  describe('datasets', () => {
    let store: Store;
    let clock: ManualClock;
    beforeEach(() => {
      store = ctx.store;
      clock = ctx.clock;
    });

    it('creates versions, gets one by version or the latest, and lists by name', async () => {
      const v1 = await store.datasets.create({
        name: 'hotpot',
        version: '1',
        examples: [{ question: 'q1', answer: 'a1' }],
      });
      expect(v1).toEqual({
        name: 'hotpot',
        version: '1',
        examples: [{ question: 'q1', answer: 'a1' }],
        hash: datasetHash([{ question: 'q1', answer: 'a1' }]),
        createdAt: clock.iso(),
      });
      clock.advance(1);
      await store.datasets.create({
        name: 'hotpot',
        version: '2',
        description: 'dedup',
        examples: [],
      });
      clock.advance(1);
      await store.datasets.create({ name: 'gsm8k', version: '1', examples: [{ q: 1 }] });
      expect(await store.datasets.get('hotpot', '1')).toEqual(v1);
      expect((await store.datasets.get('hotpot')).version).toBe('2');
      expect(
        (await store.datasets.list({ name: 'hotpot', order: 'asc' })).items.map((d) => d.version),
      ).toEqual(['1', '2']);
      expect((await store.datasets.list()).items.map((d) => `${d.name}@${d.version}`)).toEqual([
        'gsm8k@1',
        'hotpot@2',
        'hotpot@1',
      ]);
    });

    it('rejects an existing name and version with conflict and keeps the first examples', async () => {
      await store.datasets.create({ name: 'd', version: '1', examples: [{ a: 1 }] });
      await expectStoreError(
        store.datasets.create({ name: 'd', version: '1', examples: [{ a: 2 }] }),
        'conflict',
      );
      expect((await store.datasets.get('d', '1')).examples).toEqual([{ a: 1 }]);
    });

    it('reports a missing dataset or version as not_found', async () => {
      await expectStoreError(store.datasets.get('none'), 'not_found');
      await store.datasets.create({ name: 'd', version: '1', examples: [] });
      await expectStoreError(store.datasets.get('d', '2'), 'not_found');
      expect(await store.datasets.find('d', '2')).toBeUndefined();
    });

    it('keeps names and versions containing @ apart', async () => {
      await store.datasets.create({ name: 'a@b', version: 'c', examples: [{ x: 1 }] });
      await store.datasets.create({ name: 'a', version: 'b@c', examples: [{ x: 2 }] });
      expect((await store.datasets.get('a@b', 'c')).examples).toEqual([{ x: 1 }]);
      expect((await store.datasets.get('a', 'b@c')).examples).toEqual([{ x: 2 }]);
    });
  });
}

export function describeDatasetVersioningConformance(ctx: ConformanceContext): void {
  describe('datasets: add, hashes and splits', () => {
    const examples = [
      { question: 'q1', answer: 'a1' },
      { question: 'q2', answer: 'a2' },
    ];

    it('numbers versions v1, v2, … when none is given and stores the content hash', async () => {
      const first = await ctx.store.datasets.add({ name: 'qa', examples });
      ctx.clock.advance(1);
      const second = await ctx.store.datasets.add({ name: 'qa', examples: [{ question: 'q3' }] });
      expect([first.created, first.dataset.version]).toEqual([true, 'v1']);
      expect([second.created, second.dataset.version]).toEqual([true, 'v2']);
      expect(first.dataset.hash).toBe(datasetHash(examples));
      expect(first.dataset.hash).not.toBe(second.dataset.hash);
    });

    it('returns the existing version for the same examples, even with keys in another order', async () => {
      const first = await ctx.store.datasets.add({ name: 'qa', examples });
      ctx.clock.advance(1);
      await ctx.store.datasets.add({ name: 'qa', examples: [{ question: 'other' }] });
      ctx.clock.advance(1);
      const again = await ctx.store.datasets.add({
        name: 'qa',
        examples: examples.map((e) => ({ answer: e.answer, question: e.question })),
      });
      expect(again).toEqual({ dataset: first.dataset, created: false });
      expect((await ctx.store.datasets.list({ name: 'qa' })).items).toHaveLength(2);
    });

    it('continues after the highest v<n> and keeps explicit versions as given', async () => {
      await ctx.store.datasets.create({ name: 'qa', version: 'v7', examples: [{ a: 1 }] });
      ctx.clock.advance(1);
      await ctx.store.datasets.add({ name: 'qa', version: 'gold', examples: [{ a: 2 }] });
      ctx.clock.advance(1);
      const next = await ctx.store.datasets.add({ name: 'qa', examples: [{ a: 3 }] });
      expect(next.dataset.version).toBe('v8');
      await expectStoreError(
        ctx.store.datasets.add({ name: 'qa', version: 'gold', examples: [{ a: 4 }] }),
        'conflict',
      );
    });

    it('agrees on one version when two writers add the same examples at once', async () => {
      const [a, b] = await Promise.all([
        ctx.store.datasets.add({ name: 'race', examples }),
        ctx.peer().datasets.add({ name: 'race', examples }),
      ]);
      expect(a.dataset.version).toBe(b.dataset.version);
      expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    });

    it('keeps input keys, source and splits, and refuses a split beyond the examples', async () => {
      const { dataset } = await ctx.store.datasets.add({
        name: 'qa',
        examples,
        inputKeys: ['question'],
        source: 'qa.csv',
        splits: { train: { from: 0, to: 1 }, dev: { indices: [1] } },
      });
      expect(await ctx.store.datasets.get('qa', dataset.version)).toMatchObject({
        inputKeys: ['question'],
        source: 'qa.csv',
        splits: { train: { from: 0, to: 1 }, dev: { indices: [1] } },
      });
      const error = await expectStoreError(
        ctx.store.datasets.add({ name: 'qa', examples, splits: { test: { from: 1, to: 3 } } }),
        'invalid_input',
      );
      expect(error.message).toContain('split "test" reaches index 2 but there are 2 examples');
    });

    it('names the known versions when a version is missing', async () => {
      await ctx.store.datasets.add({ name: 'qa', examples });
      const error = await expectStoreError(ctx.store.datasets.get('qa', 'v9'), 'not_found');
      expect(error.details).toMatchObject({ id: 'qa@v9', known: ['v1'] });
    });
  });
}
