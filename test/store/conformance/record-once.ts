import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';
import { expectStoreError, type ConformanceContext } from './context.js';

export function describeRecordOnceConformance(ctx: ConformanceContext): void {
  let store: Store;
  let clock: ManualClock;
  beforeEach(() => {
    store = ctx.store;
    clock = ctx.clock;
  });

  describe('recordOnce', () => {
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

  describe('recordSucceeded', () => {
    it('writes a job run that ended as one succeeded record at revision 1 with its times', async () => {
      const run = {
        id: store.executions.newId(),
        program: 'qa',
        inputs: { q: 1 },
        node: 'a',
        outputs: { answer: 'x' },
        usage: { 'gpt-4o-mini': { totalTokens: 3 } },
        durationMs: 40,
      };
      const { execution, created } = await store.executions.recordSucceeded('job-once', run);
      expect(created).toBe(true);
      const ended = clock.iso();
      const began = new Date(clock.now() - 40).toISOString();
      const { id } = run;
      expect(execution).toEqual({
        ...run,
        jobId: 'job-once',
        status: 'succeeded',
        startedAt: began,
        finishedAt: ended,
        revision: 1,
        createdAt: began,
        updatedAt: ended,
      });
      expect(await store.executions.findByJobId('job-once')).toEqual(execution);
      expect((await store.executions.list({ status: 'succeeded' })).items).toEqual([execution]);
      expect((await store.executions.list({ program: 'qa', status: 'succeeded' })).items).toEqual([
        execution,
      ]);
      // A final record is immutable like any other.
      await expectStoreError(
        store.executions.update(id, { status: 'failed' }),
        'invalid_transition',
      );
    });

    it('lists a run at its start among the records created while it ran (a fraction of a ms truncated, as by Date)', async () => {
      const before = await store.executions.recordOnce('job-order-1', {
        program: 'order',
        inputs: {},
      });
      clock.advance(10);
      const after = await store.executions.recordOnce('job-order-2', {
        program: 'order',
        inputs: {},
      });
      clock.advance(10);
      // Started 15.5 ms ago: 4.5 ms after `before`, so 4 ms after it.
      const run = await store.executions.recordSucceeded('job-order-3', {
        program: 'order',
        inputs: {},
        outputs: {},
        durationMs: 15.5,
      });
      expect(run.execution.createdAt).toBe(new Date(clock.now() - 15.5).toISOString());
      expect(Date.parse(run.execution.createdAt) - Date.parse(before.execution.createdAt)).toBe(4);
      const ids = (page: { items: { id: string }[] }): string[] => page.items.map((e) => e.id);
      const inOrder = [before.execution.id, run.execution.id, after.execution.id];
      expect(ids(await store.executions.list({ program: 'order', order: 'asc' }))).toEqual(inOrder);
      expect(ids(await store.executions.list({ program: 'order' }))).toEqual(inOrder.reverse());
    });

    it('rejects an invalid run rather than throwing', async () => {
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = store.executions.recordSucceeded('', {
          program: 'qa',
          inputs: {},
          outputs: {},
          durationMs: 1,
        });
      }).not.toThrow();
      await expectStoreError(pending!, 'invalid_input');
    });

    it('leaves a record the job already has untouched and returns it', async () => {
      const { execution: running } = await store.executions.recordOnce('job-run', {
        program: 'qa',
        inputs: { q: 1 },
        status: 'running',
        node: 'b',
      });
      const again = await store.executions.recordSucceeded('job-run', {
        program: 'qa',
        inputs: { q: 1 },
        outputs: { answer: 'late' },
        durationMs: 5,
      });
      expect(again).toEqual({ created: false, execution: running });
      expect(await store.executions.get(running.id)).toEqual(running);
    });

    it('creates exactly one record for concurrent calls with the same job id', async () => {
      const handles = [store, ctx.peer(), ctx.peer()];
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (handles[i % handles.length] as Store).executions.recordSucceeded('job-both', {
            program: 'race2',
            inputs: {},
            outputs: { i },
            durationMs: 1,
          }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.execution.id)).size).toBe(1);
      expect((await store.executions.list({ program: 'race2' })).items).toHaveLength(1);
    });

    it('rejects a run without outputs or with a negative duration, with invalid_input', async () => {
      await expectStoreError(
        store.executions.recordSucceeded('job-bad', {
          program: 'qa',
          inputs: {},
          durationMs: 1,
        } as never),
        'invalid_input',
      );
      await expectStoreError(
        store.executions.recordSucceeded('job-bad', {
          program: 'qa',
          inputs: {},
          outputs: {},
          durationMs: -1,
        }),
        'invalid_input',
      );
      expect(await store.executions.findByJobId('job-bad')).toBeUndefined();
    });

    it('rejects values that are not JSON in inputs, outputs, usage or trace, naming the path', async () => {
      const run = { program: 'qa', inputs: { q: 'x' }, outputs: { a: 'y' }, durationMs: 1 };
      const bad: [string, Record<string, unknown>][] = [
        ['inputs.when', { inputs: { when: new Date() } }],
        ['inputs', { inputs: ['not', 'an', 'object'] }],
        ['outputs.n', { outputs: { n: Number.NaN } }],
        ['usage.f', { usage: { f: () => 1 } }],
        ['trace.0.deep', { trace: [{ deep: Number.POSITIVE_INFINITY }] }],
      ];
      for (const [path, fields] of bad) {
        const e = await expectStoreError(
          store.executions.recordSucceeded('job-json', { ...run, ...fields } as never),
          'invalid_input',
        );
        expect(JSON.stringify(e.details)).toContain(`"path":"${path.split('.')[0]}`);
      }
      await expectStoreError(
        store.executions.recordOnce('job-json', { program: 'qa', inputs: { n: Number.NaN } }),
        'invalid_input',
      );
      expect(await store.executions.findByJobId('job-json')).toBeUndefined();
    });

    it('returns the record exactly as it reads back (-0 as 0, no undefined fields)', async () => {
      const run = {
        program: 'qa',
        version: undefined,
        inputs: { q: 'x' },
        outputs: { answer: 'y' },
        usage: { calls: 1 },
        durationMs: -0,
      };
      const exact = await store.executions.recordSucceeded('job-exact', run);
      expect(exact.execution).toEqual(await store.executions.get(exact.execution.id));
      expect(Object.keys(exact.execution)).not.toContain('version');
      expect(Object.is(exact.execution.durationMs, 0)).toBe(true);
      const zeros = await store.executions.recordSucceeded('job-zeros', {
        ...run,
        outputs: { score: -0, list: [-0, 1.5] },
        trace: [{ predictor: 'p', outputs: { score: -0 } }],
      });
      expect(zeros.execution).toEqual(await store.executions.get(zeros.execution.id));
      expect(zeros.execution.outputs).toEqual({ score: 0, list: [0, 1.5] });
    });

    it('stores a copy of the JSON it was given (later changes to the objects do not leak in)', async () => {
      const outputs = { answer: 'y', list: [1, 2] };
      const trace = [{ predictor: 'p', outputs }];
      const { execution } = await store.executions.recordSucceeded('job-copy', {
        program: 'qa',
        inputs: { q: 'x' },
        outputs,
        trace,
        durationMs: 1,
      });
      outputs.list.push(3);
      expect(execution.outputs).toEqual({ answer: 'y', list: [1, 2] });
      expect((await store.executions.get(execution.id)).trace).toEqual([
        { predictor: 'p', outputs: { answer: 'y', list: [1, 2] } },
      ]);
    });
  });
}
