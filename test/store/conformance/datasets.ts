import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.js';
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
