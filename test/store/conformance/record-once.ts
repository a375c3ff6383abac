import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';
import { expectStoreError, type ConformanceContext } from './context.js';

export function describeRecordOnceConformance(ctx: ConformanceContext): void {
  describe('recordOnce', () => {
    let store: Store;
    let clock: ManualClock;
    beforeEach(() => {
      store = ctx.store;
      clock = ctx.clock;
    });

    it('creates the execution of a job once and returns it unchanged on every retry', async () => {
      const first = await store.executions.recordOnce('job-7', {
        program: 'qa',
        inputs: { q: 1 },
        node: 'a',
      });
      expect(first.created).toBe(true);
      expect(first.execution).toMatchObject({
        jobId: 'job-7',
        program: 'qa',
        inputs: { q: 1 },
        status: 'pending',
      });
      await store.executions.update(first.execution.id, { status: 'running' });
      clock.advance(5);
      const retry = await store.executions.recordOnce('job-7', {
        program: 'qa',
        inputs: { q: 2 },
        node: 'b',
      });
      expect(retry.created).toBe(false);
      expect(retry.execution).toMatchObject({
        id: first.execution.id,
        inputs: { q: 1 },
        node: 'a',
        status: 'running',
      });
      expect(await store.executions.findByJobId('job-7')).toEqual(retry.execution);
      expect(await store.executions.findByJobId('job-8')).toBeUndefined();
      expect((await store.executions.list({ program: 'qa' })).items).toHaveLength(1);
    });

    it('returns the finished execution to a retried stage so it can reuse the result', async () => {
      const { execution } = await store.executions.recordOnce('job-1', {
        program: 'qa',
        inputs: {},
        status: 'running',
      });
      await store.executions.update(execution.id, {
        status: 'succeeded',
        outputs: { answer: 'x' },
      });
      const again = await store.executions.recordOnce('job-1', { program: 'qa', inputs: {} });
      expect(again).toMatchObject({
        created: false,
        execution: { status: 'succeeded', outputs: { answer: 'x' } },
      });
    });

    it('creates exactly one record for 50 concurrent calls with the same job id', async () => {
      const handles = [store, ctx.peer(), ctx.peer()];
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (handles[i % handles.length] as Store).executions.recordOnce('job-race', {
            program: 'race',
            inputs: { i },
          }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const ids = new Set(results.map((r) => r.execution.id));
      expect(ids.size).toBe(1);
      const all = await store.executions.list({ program: 'race', limit: 100 });
      expect(all.items).toHaveLength(1);
      expect(all.items[0]?.jobId).toBe('job-race');
    });

    it('refuses an explicit id that another job already used, with conflict', async () => {
      await store.executions.recordOnce('job-a', { id: 'e1', program: 'qa', inputs: {} });
      await expectStoreError(
        store.executions.recordOnce('job-b', { id: 'e1', program: 'qa', inputs: {} }),
        'conflict',
      );
      expect(await store.executions.findByJobId('job-b')).toBeUndefined();
    });
  });
}
