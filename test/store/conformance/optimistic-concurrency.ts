import { beforeEach, describe, expect, it } from 'vitest';
import { StoreError, type Execution, type Store } from '../../../src/store/index.js';
import { expectStoreError, type ConformanceContext } from './context.js';

export function describeConcurrencyConformance(ctx: ConformanceContext): void {
  describe('optimistic concurrency', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    it('bumps the revision on every write and applies a write at the current revision', async () => {
      const e = await store.executions.create({ program: 'qa', inputs: {} });
      const next = await store.executions.update(e.id, { status: 'running' }, { ifRevision: 1 });
      expect(next.revision).toBe(2);
    });

    it('rejects a write at a stale revision with retryable stale_revision and changes nothing', async () => {
      const e = await store.executions.create({ program: 'qa', inputs: {} });
      const running = await store.executions.update(e.id, { status: 'running', node: 'a' });
      const err = await expectStoreError(
        store.executions.update(e.id, { node: 'b' }, { ifRevision: 1 }),
        'stale_revision',
      );
      expect(err.retryable).toBe(true);
      expect(err.details).toMatchObject({
        record: 'execution',
        id: e.id,
        expected: 1,
        actual: 2,
      });
      expect(await store.executions.get(e.id)).toEqual(running);
    });

    it('loses no update when two nodes append to the same run concurrently', async () => {
      const run = await store.optimizationRuns.create({
        program: 'qa',
        optimizer: 'mipro',
        status: 'running',
      });
      const nodes = [store, ctx.peer()];
      await Promise.all(
        Array.from({ length: 20 }, (_, step) =>
          (nodes[step % 2] as Store).optimizationRuns.update(run.id, {
            appendHistory: [{ step, score: step / 20 }],
          }),
        ),
      );
      const final = await store.optimizationRuns.get(run.id);
      expect(final.history.map((x) => x.step).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
      expect(final.revision).toBe(21);
    });

    it('lets exactly one of two racing final transitions win; the other sees the new status', async () => {
      const e = await store.executions.create({ program: 'qa', inputs: {}, status: 'running' });
      const [a, b] = await Promise.allSettled([
        store.executions.update(e.id, { status: 'succeeded' }),
        ctx.peer().executions.update(e.id, { status: 'failed' }),
      ]);
      const outcomes = [a, b];
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(StoreError);
      expect((lost[0]?.reason as StoreError).code).toBe('invalid_transition');
      const winner = (won[0] as PromiseFulfilledResult<Execution>).value;
      expect((await store.executions.get(e.id)).status).toBe(winner.status);
      expect((lost[0]?.reason as StoreError).details['from']).toBe(winner.status);
    });
  });
}
