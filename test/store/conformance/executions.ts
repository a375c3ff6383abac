import { beforeEach, describe, expect, it } from 'vitest';
import type { Execution, ExecutionStatus, Store } from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';
import { expectStoreError, type ConformanceContext } from './context.js';

export function describeExecutionConformance(ctx: ConformanceContext): void {
  describe('executions', () => {
    let store: Store;
    let clock: ManualClock;
    beforeEach(() => {
      store = ctx.store;
      clock = ctx.clock;
    });

    it('creates a pending execution with a generated id and clock timestamps', async () => {
      const e = await store.executions.create({ program: 'qa', inputs: { question: 'Why?' } });
      expect(e).toEqual({
        id: 'id-000001',
        program: 'qa',
        inputs: { question: 'Why?' },
        status: 'pending',
        revision: 1,
        createdAt: clock.iso(),
        updatedAt: clock.iso(),
      });
      expect(await store.executions.get(e.id)).toEqual(e);
    });

    it('stamps startedAt on running and finishedAt and durationMs on a final status', async () => {
      const e = await store.executions.create({
        program: 'qa',
        version: '3',
        inputs: {},
        node: 'n1',
      });
      clock.advance(10);
      const startedAt = clock.iso();
      const running = await store.executions.update(e.id, { status: 'running' });
      expect(running).toMatchObject({ status: 'running', startedAt, revision: 2 });
      expect(running.finishedAt).toBeUndefined();
      clock.advance(250);
      const done = await store.executions.update(e.id, {
        status: 'succeeded',
        outputs: { answer: '42' },
        trace: [{ predictor: 'answer', inputs: {}, outputs: { answer: '42' } }],
        usage: { 'openai:gpt-4o-mini': { prompt_tokens: 10, completion_tokens: 2 } },
      });
      expect(done).toMatchObject({
        status: 'succeeded',
        startedAt,
        finishedAt: clock.iso(),
        durationMs: 250,
        updatedAt: clock.iso(),
        outputs: { answer: '42' },
        node: 'n1',
        version: '3',
        revision: 3,
      });
    });

    it('records an execution created running with startedAt, and keeps a caller-measured duration', async () => {
      const e = await store.executions.create({ program: 'qa', inputs: {}, status: 'running' });
      expect(e.startedAt).toBe(clock.iso());
      clock.advance(100);
      const failed = await store.executions.update(e.id, {
        status: 'failed',
        durationMs: 97.5,
        error: {
          code: 'timeout',
          message: 'LM timed out',
          retryable: true,
          details: { ms: 30000 },
        },
      });
      expect(failed).toMatchObject({
        status: 'failed',
        durationMs: 97.5,
        error: { code: 'timeout' },
      });
    });

    it('fails a pending execution without a start time or duration', async () => {
      const e = await store.executions.create({ program: 'qa', inputs: {} });
      const failed = await store.executions.update(e.id, {
        status: 'failed',
        error: { code: 'invalid_input', message: 'bad' },
      });
      expect(failed.finishedAt).toBe(clock.iso());
      expect(failed.startedAt).toBeUndefined();
      expect(failed.durationMs).toBeUndefined();
    });

    it.each([
      ['pending', 'succeeded'],
      ['succeeded', 'running'],
      ['succeeded', 'failed'],
      ['failed', 'running'],
      ['running', 'pending'],
    ] as const)(
      'rejects %s → %s with invalid_transition and leaves the record unchanged',
      async (from, to) => {
        const e = await store.executions.create({ program: 'qa', inputs: {} });
        const path: Record<typeof from, ExecutionStatus[]> = {
          pending: [],
          running: ['running'],
          succeeded: ['running', 'succeeded'],
          failed: ['failed'],
        };
        let current: Execution = e;
        for (const status of path[from]) current = await store.executions.update(e.id, { status });
        const err = await expectStoreError(
          store.executions.update(e.id, { status: to }),
          'invalid_transition',
        );
        expect(err.details).toEqual({ record: 'execution', id: e.id, from, to });
        expect(err.message).toContain(`${from} → ${to}`);
        expect(await store.executions.get(e.id)).toEqual(current);
      },
    );

    it('treats a final execution as immutable even without a status change', async () => {
      const e = await store.executions.create({ program: 'qa', inputs: {}, status: 'running' });
      await store.executions.update(e.id, { status: 'succeeded', outputs: { a: 1 } });
      const err = await expectStoreError(
        store.executions.update(e.id, { outputs: { a: 2 } }),
        'invalid_transition',
      );
      expect(err.details).toMatchObject({ from: 'succeeded', to: 'succeeded' });
      expect((await store.executions.get(e.id)).outputs).toEqual({ a: 1 });
    });

    it('refuses to create an execution in a non-initial status', async () => {
      await expectStoreError(
        store.executions.create({ program: 'qa', inputs: {}, status: 'succeeded' as 'running' }),
        'invalid_input',
      );
    });

    it('rejects a duplicate id, and a second execution for a job id, with conflict', async () => {
      await store.executions.create({ id: 'x1', program: 'qa', inputs: {} });
      await expectStoreError(
        store.executions.create({ id: 'x1', program: 'qa', inputs: {} }),
        'conflict',
      );
      await store.executions.create({ id: 'x2', jobId: 'job-1', program: 'qa', inputs: {} });
      const e = await expectStoreError(
        store.executions.create({ id: 'x3', jobId: 'job-1', program: 'qa', inputs: {} }),
        'conflict',
      );
      expect(e.details).toMatchObject({ id: 'x2', jobId: 'job-1' });
      expect(await store.executions.find('x3')).toBeUndefined();
    });

    it('reports an unknown id as not_found from get and update', async () => {
      await expectStoreError(store.executions.get('missing'), 'not_found');
      await expectStoreError(
        store.executions.update('missing', { status: 'running' }),
        'not_found',
      );
      expect(await store.executions.find('missing')).toBeUndefined();
    });

    it('does not erase stored fields when a patch carries undefined', async () => {
      const e = await store.executions.create({
        program: 'qa',
        inputs: {},
        node: 'n1',
        version: '1',
      });
      const next = await store.executions.update(e.id, {
        status: 'running',
        node: undefined,
        version: undefined,
      });
      expect(next).toMatchObject({ node: 'n1', version: '1' });
    });

    it('returns copies: mutating a returned record changes nothing stored', async () => {
      const e = await store.executions.create({ program: 'qa', inputs: { list: [1, 2] } });
      (e.inputs['list'] as number[]).push(3);
      e.status = 'failed';
      expect(await store.executions.get(e.id)).toMatchObject({
        status: 'pending',
        inputs: { list: [1, 2] },
      });
    });

    it('rejects values that are not JSON with invalid_input naming the path', async () => {
      const e = await expectStoreError(
        store.executions.create({
          program: 'qa',
          inputs: { when: new Date() as unknown as string },
        }),
        'invalid_input',
      );
      expect(JSON.stringify(e.details)).toContain('inputs.when');
      await expectStoreError(
        store.executions.create({ program: 'qa', inputs: { n: Number.NaN } }),
        'invalid_input',
      );
      await expectStoreError(store.executions.create({ program: '', inputs: {} }), 'invalid_input');
      const ok = await store.executions.create({ program: 'qa', inputs: {} });
      await expectStoreError(
        store.executions.update(ok.id, { outputs: { f: (() => 1) as unknown as string } }),
        'invalid_input',
      );
      await expectStoreError(
        store.executions.update(ok.id, { bogus: 1 } as unknown as { status: 'running' }),
        'invalid_input',
      );
    });
  });
}
