import { describe, expect, it } from 'vitest';
import { MemoryStore, STORE_DEFAULTS } from '../../src/store/index.js';
import { ManualClock, sequentialIds } from './manual-clock.js';
import { expectStoreError } from './store-conformance.js';

describe('store options', () => {
  it('generates ids with nanoid by default', async () => {
    const store = new MemoryStore();
    const e = await store.executions.create({ program: 'qa', inputs: {} });
    expect(e.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
  });

  it('stamps records with the injected clock', async () => {
    const clock = new ManualClock(Date.UTC(2030, 5, 1));
    const store = new MemoryStore({ clock, generateId: sequentialIds('run') });
    const run = await store.optimizationRuns.create({ program: 'qa', optimizer: 'o' });
    expect(run).toMatchObject({ id: 'run-000001', createdAt: '2030-06-01T00:00:00.000Z' });
  });

  it('rejects a clock that does not return epoch milliseconds', async () => {
    const store = new MemoryStore({ clock: { now: () => Number.NaN } });
    await expectStoreError(store.programs.create({ name: 'qa' }), 'invalid_input');
  });

  it('gives up with stale_revision after maxWriteAttempts lost races', async () => {
    const store = new MemoryStore({ maxWriteAttempts: 1 });
    const e = await store.executions.create({ program: 'qa', inputs: {}, status: 'running' });
    // Both writers read revision 1 before either writes; with one attempt the loser may not retry.
    const results = await Promise.allSettled([
      store.executions.update(e.id, { node: 'a' }),
      store.executions.update(e.id, { node: 'b' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    await expectStoreError(Promise.reject(lost?.reason), 'stale_revision');
  });

  it('retries lost races by default so every writer lands', async () => {
    expect(STORE_DEFAULTS.maxWriteAttempts).toBe(100);
    const store = new MemoryStore();
    const e = await store.executions.create({ program: 'qa', inputs: {}, status: 'running' });
    await Promise.all(['a', 'b', 'c'].map((node) => store.executions.update(e.id, { node })));
    expect((await store.executions.get(e.id)).revision).toBe(4);
  });
});
