import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';
import { expectStoreError, type ConformanceContext } from './context.js';

export function describeOptimizationRunConformance(ctx: ConformanceContext): void {
  describe('optimization runs', () => {
    let store: Store;
    let clock: ManualClock;
    beforeEach(() => {
      store = ctx.store;
      clock = ctx.clock;
    });

    it('creates a queued run with empty progress, no best score, no history and no checkpoint', async () => {
      const run = await store.optimizationRuns.create({
        program: 'qa',
        optimizer: 'bootstrap',
        params: { maxDemos: 4 },
      });
      expect(run).toEqual({
        id: 'id-000001',
        program: 'qa',
        optimizer: 'bootstrap',
        params: { maxDemos: 4 },
        status: 'queued',
        progress: { done: 0, total: 0 },
        bestScore: null,
        history: [],
        checkpointAt: null,
        revision: 1,
        createdAt: clock.iso(),
        updatedAt: clock.iso(),
      });
    });

    it('records progress, best score and history with clock times through the lifecycle', async () => {
      const run = await store.optimizationRuns.create({
        program: 'qa',
        optimizer: 'mipro',
        progress: { done: 0, total: 10 },
      });
      clock.advance(1000);
      await store.optimizationRuns.update(run.id, { status: 'running' });
      const startedAt = clock.iso();
      clock.advance(1000);
      await store.optimizationRuns.update(run.id, {
        progress: { done: 5, total: 10 },
        bestScore: 0.5,
        appendHistory: [{ step: 4, score: 0.5 }],
      });
      clock.advance(1000);
      const done = await store.optimizationRuns.update(run.id, {
        status: 'succeeded',
        progress: { done: 10, total: 10 },
        bestScore: 0.75,
        appendHistory: [{ step: 9, score: 0.75, at: '2026-01-01T00:00:00.000Z' }],
        result: { version: '3' },
      });
      expect(done).toMatchObject({
        status: 'succeeded',
        progress: { done: 10, total: 10 },
        bestScore: 0.75,
        startedAt,
        finishedAt: clock.iso(),
        result: { version: '3' },
        history: [
          { step: 4, score: 0.5, at: new Date(Date.parse(startedAt) + 1000).toISOString() },
          { step: 9, score: 0.75, at: '2026-01-01T00:00:00.000Z' },
        ],
      });
    });

    it('cancels a queued run and then refuses to start it', async () => {
      const run = await store.optimizationRuns.create({ program: 'qa', optimizer: 'simba' });
      expect((await store.optimizationRuns.update(run.id, { status: 'cancelled' })).status).toBe(
        'cancelled',
      );
      const e = await expectStoreError(
        store.optimizationRuns.update(run.id, { status: 'running' }),
        'invalid_transition',
      );
      expect(e.details).toEqual({
        record: 'optimizationRun',
        id: run.id,
        from: 'cancelled',
        to: 'running',
      });
    });

    it('saves and loads a checkpoint, replacing the previous one, and stamps checkpointAt', async () => {
      const run = await store.optimizationRuns.create({
        program: 'qa',
        optimizer: 'mipro',
        status: 'running',
      });
      expect(await store.optimizationRuns.loadCheckpoint(run.id)).toBeUndefined();
      clock.advance(42);
      const saved = await store.optimizationRuns.saveCheckpoint(run.id, {
        trial: 3,
        candidates: [{ demos: [] }],
      });
      expect(saved.checkpointAt).toBe(clock.iso());
      expect(await store.optimizationRuns.loadCheckpoint(run.id)).toEqual({
        trial: 3,
        candidates: [{ demos: [] }],
      });
      await store.optimizationRuns.saveCheckpoint(run.id, { trial: 4 });
      expect(await store.optimizationRuns.loadCheckpoint(run.id)).toEqual({ trial: 4 });
      expect((await store.optimizationRuns.get(run.id)).revision).toBe(3);
    });

    it('keeps the checkpoint readable after the run ends but refuses to overwrite it', async () => {
      const run = await store.optimizationRuns.create({
        program: 'qa',
        optimizer: 'mipro',
        status: 'running',
      });
      await store.optimizationRuns.saveCheckpoint(run.id, { trial: 1 });
      await store.optimizationRuns.update(run.id, {
        status: 'failed',
        error: { code: 'budget', message: 'out of calls' },
      });
      const e = await expectStoreError(
        store.optimizationRuns.saveCheckpoint(run.id, { trial: 2 }),
        'invalid_transition',
      );
      expect(e.details).toMatchObject({ from: 'failed', to: 'failed' });
      expect(await store.optimizationRuns.loadCheckpoint(run.id)).toEqual({ trial: 1 });
    });

    it('reports checkpoints of an unknown run as not_found', async () => {
      await expectStoreError(store.optimizationRuns.loadCheckpoint('ghost'), 'not_found');
      await expectStoreError(store.optimizationRuns.saveCheckpoint('ghost', {}), 'not_found');
    });

    it('lists runs by program and status', async () => {
      await store.optimizationRuns.create({ program: 'a', optimizer: 'o' });
      const b = await store.optimizationRuns.create({ program: 'b', optimizer: 'o' });
      await store.optimizationRuns.update(b.id, { status: 'running' });
      expect(
        (await store.optimizationRuns.list({ program: 'b', status: 'running' })).items.map(
          (r) => r.id,
        ),
      ).toEqual([b.id]);
      expect(
        (await store.optimizationRuns.list({ status: 'queued' })).items.map((r) => r.program),
      ).toEqual(['a']);
      await expectStoreError(
        store.optimizationRuns.create({ id: b.id, program: 'b', optimizer: 'o' }),
        'conflict',
      );
    });
  });
}
