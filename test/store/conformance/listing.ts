import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';
import { expectStoreError, type ConformanceContext } from './context.js';

export function describeListingConformance(ctx: ConformanceContext): void {
  describe('listing', () => {
    let store: Store;
    let clock: ManualClock;
    beforeEach(() => {
      store = ctx.store;
      clock = ctx.clock;
    });

    async function seed(): Promise<void> {
      // 7 executions, one per ms, alternating programs; ids id-000001 … id-000007.
      for (let i = 0; i < 7; i++) {
        await store.executions.create({ program: i % 2 === 0 ? 'even' : 'odd', inputs: { i } });
        clock.advance(1);
      }
    }

    it('lists newest first by default and oldest first on request', async () => {
      await seed();
      const desc = await store.executions.list();
      expect(desc.items.map((e) => e.inputs['i'])).toEqual([6, 5, 4, 3, 2, 1, 0]);
      expect(desc.nextCursor).toBeUndefined();
      const asc = await store.executions.list({ order: 'asc' });
      expect(asc.items.map((e) => e.inputs['i'])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    it.each(['asc', 'desc'] as const)(
      'pages through every record exactly once with a cursor (%s)',
      async (order) => {
        await seed();
        const seen: unknown[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.executions.list({
            limit: 3,
            order,
            ...(cursor === undefined ? {} : { cursor }),
          });
          seen.push(...page.items.map((e) => e.inputs['i']));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined);
        expect(pages).toBe(3);
        expect(seen).toEqual(order === 'asc' ? [0, 1, 2, 3, 4, 5, 6] : [6, 5, 4, 3, 2, 1, 0]);
      },
    );

    it('keeps a cursor stable when records are added between pages', async () => {
      await seed();
      const first = await store.executions.list({ limit: 4, order: 'asc' });
      await store.executions.create({ program: 'even', inputs: { i: 7 } });
      const second = await store.executions.list({
        limit: 10,
        order: 'asc',
        cursor: first.nextCursor as string,
      });
      expect(second.items.map((e) => e.inputs['i'])).toEqual([4, 5, 6, 7]);
    });

    it('filters by program, by status, and by both, following status changes', async () => {
      await seed();
      await store.executions.update('id-000001', { status: 'running' });
      await store.executions.update('id-000002', { status: 'running' });
      await store.executions.update('id-000003', { status: 'running' });
      await store.executions.update('id-000003', { status: 'succeeded' });
      const ids = async (q: Parameters<Store['executions']['list']>[0]) =>
        (await store.executions.list({ ...q, order: 'asc' })).items.map((e) => e.id);
      expect(await ids({ program: 'odd' })).toEqual(['id-000002', 'id-000004', 'id-000006']);
      expect(await ids({ status: 'running' })).toEqual(['id-000001', 'id-000002']);
      expect(await ids({ status: 'succeeded' })).toEqual(['id-000003']);
      expect(await ids({ program: 'even', status: 'running' })).toEqual(['id-000001']);
      expect(await ids({ program: 'even', status: 'pending' })).toEqual(['id-000005', 'id-000007']);
      expect(await ids({ program: 'none' })).toEqual([]);
    });

    it.each(['asc', 'desc'] as const)(
      'pages through records of every status in one order, with or without a program (%s)',
      async (order) => {
        await seed();
        await store.executions.update('id-000002', { status: 'running' });
        await store.executions.update('id-000005', { status: 'failed' });
        await store.executions.update('id-000006', { status: 'running' });
        await store.executions.update('id-000006', { status: 'succeeded' });
        const pages = async (program?: string): Promise<string[][]> => {
          const out: string[][] = [];
          let cursor: string | undefined;
          do {
            const page = await store.executions.list({
              limit: 2,
              order,
              ...(program === undefined ? {} : { program }),
              ...(cursor === undefined ? {} : { cursor }),
            });
            out.push(page.items.map((e) => e.id));
            cursor = page.nextCursor;
          } while (cursor !== undefined);
          return out;
        };
        const ids = (ns: number[]) => ns.map((n) => `id-00000${n}`);
        const all = order === 'asc' ? [1, 2, 3, 4, 5, 6, 7] : [7, 6, 5, 4, 3, 2, 1];
        expect(await pages()).toEqual([
          ids(all.slice(0, 2)),
          ids(all.slice(2, 4)),
          ids(all.slice(4, 6)),
          ids(all.slice(6)),
        ]);
        const even = all.filter((n) => n % 2 === 1); // inputs 0, 2, 4, 6 are ids 1, 3, 5, 7
        expect(await pages('even')).toEqual([ids(even.slice(0, 2)), ids(even.slice(2))]);
      },
    );

    it('rejects a malformed cursor and an out-of-range limit with invalid_input', async () => {
      await expectStoreError(store.executions.list({ cursor: 'not-a-cursor' }), 'invalid_input');
      await expectStoreError(store.executions.list({ limit: 0 }), 'invalid_input');
      await expectStoreError(store.executions.list({ limit: 1001 }), 'invalid_input');
      await expectStoreError(store.executions.list({ limit: 2.5 }), 'invalid_input');
    });

    it('keeps program names with separators apart', async () => {
      await store.executions.create({ program: 'a:status:pending', inputs: {} });
      await store.executions.create({ program: 'a', inputs: {} });
      expect((await store.executions.list({ program: 'a' })).items.map((e) => e.program)).toEqual([
        'a',
      ]);
      expect((await store.executions.list({ program: 'a:status:pending' })).items).toHaveLength(1);
    });
  });
}
