import { beforeEach, describe, expect, it } from 'vitest';
import {
  EVALUATION_EXAMPLES_KEPT,
  EVALUATION_REASON_CHARS,
  type Store,
} from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';
import { expectStoreError, type ConformanceContext } from './context.js';

const HASH = `sha256:${'a'.repeat(64)}`;

export function describeEvaluationConformance(ctx: ConformanceContext): void {
  describe('evaluations', () => {
    let store: Store;
    let clock: ManualClock;
    beforeEach(() => {
      store = ctx.store;
      clock = ctx.clock;
    });

    it('creates a running evaluation with no score, zero counts and no examples', async () => {
      const ev = await store.evaluations.create({
        program: 'qa',
        metric: 'exact_match',
        version: '2',
        dataset: { name: 'math', version: 'v1', hash: HASH, split: 'dev' },
        shards: 2,
      });
      expect(ev).toEqual({
        id: 'id-000001',
        program: 'qa',
        version: '2',
        dataset: { name: 'math', version: 'v1', hash: HASH, split: 'dev' },
        metric: 'exact_match',
        status: 'running',
        shards: 2,
        score: null,
        counts: { total: 0, errors: 0 },
        examples: [],
        startedAt: clock.iso(),
        revision: 1,
        createdAt: clock.iso(),
        updatedAt: clock.iso(),
      });
    });

    it('records the outcome with the finish time, then refuses to change a final evaluation', async () => {
      const ev = await store.evaluations.create({ program: 'qa', metric: 'exact_match' });
      clock.advance(1500);
      const done = await store.evaluations.update(ev.id, {
        status: 'succeeded',
        score: 50,
        counts: { total: 2, errors: 1 },
        examples: [
          { index: 0, score: 1, cost: 0.001, latencyMs: 12 },
          { index: 1, score: 0, error: 'boom' },
        ],
        spend: { lmCalls: 2, promptTokens: 30, completionTokens: 4, usd: 0.001 },
        durationMs: 1500,
      });
      expect(done).toMatchObject({
        status: 'succeeded',
        score: 50,
        counts: { total: 2, errors: 1 },
        examples: [
          { index: 0, score: 1, cost: 0.001, latencyMs: 12 },
          { index: 1, score: 0, error: 'boom' },
        ],
        finishedAt: clock.iso(),
        revision: 2,
      });
      expect(await store.evaluations.get(ev.id)).toEqual(done);
      await expectStoreError(
        store.evaluations.update(ev.id, { status: 'failed' }),
        'invalid_transition',
      );
      await expectStoreError(store.evaluations.update(ev.id, { score: 1 }), 'invalid_transition');
    });

    it('keeps the first examples and cuts long reasons, counting what it left out', async () => {
      const ev = await store.evaluations.create({ program: 'qa', metric: 'm' });
      const n = EVALUATION_EXAMPLES_KEPT + 7;
      const examples = Array.from({ length: n }, (_, index) => ({
        index,
        score: 0,
        error: 'x'.repeat(EVALUATION_REASON_CHARS + 10),
      }));
      const done = await store.evaluations.update(ev.id, {
        status: 'failed',
        examples,
        counts: { total: n, errors: n },
        error: { code: 'timeout', message: 'shard 3 timed out' },
      });
      expect(done.examples).toHaveLength(EVALUATION_EXAMPLES_KEPT);
      expect(done.examplesOmitted).toBe(7);
      expect(done.examples[0]?.error).toHaveLength(EVALUATION_REASON_CHARS);
      expect(done.examples[0]?.error?.endsWith('…')).toBe(true);
      expect(done.counts.total).toBe(n);
      expect(done.error).toEqual({ code: 'timeout', message: 'shard 3 timed out' });
    });

    it('lists evaluations newest first, by program and by status', async () => {
      const a = await store.evaluations.create({ program: 'qa', metric: 'm' });
      clock.advance(10);
      const b = await store.evaluations.create({ program: 'math', metric: 'm' });
      clock.advance(10);
      const c = await store.evaluations.create({ program: 'qa', metric: 'm' });
      await store.evaluations.update(c.id, { status: 'succeeded', score: 100 });
      const ids = async (q: Parameters<Store['evaluations']['list']>[0]) =>
        (await store.evaluations.list(q)).items.map((e) => e.id);
      expect(await ids({})).toEqual([c.id, b.id, a.id]);
      expect(await ids({ program: 'qa' })).toEqual([c.id, a.id]);
      expect(await ids({ program: 'qa', status: 'running' })).toEqual([a.id]);
      expect(await ids({ status: 'succeeded' })).toEqual([c.id]);
    });

    it('answers not_found for an unknown id, conflict for a taken one, invalid_input for a bad create', async () => {
      await expectStoreError(store.evaluations.get('nope'), 'not_found');
      expect(await store.evaluations.find('nope')).toBeUndefined();
      await store.evaluations.create({ id: 'e1', program: 'qa', metric: 'm' });
      await expectStoreError(
        store.evaluations.create({ id: 'e1', program: 'qa', metric: 'm' }),
        'conflict',
      );
      await expectStoreError(
        store.evaluations.create({ program: '', metric: 'm' } as never),
        'invalid_input',
      );
    });
  });
}
