import { describe, expect, it } from 'vitest';

import { OrderedPool, type Outcome } from '../../src/evaluate/ordered-pool.js';

/** Tasks that finish only when released, so tests control completion order without timers. */
function gated(): {
  task: (i: number) => Promise<number>;
  release: (i: number) => void;
  started: number[];
} {
  const releases = new Map<number, () => void>();
  const started: number[] = [];
  return {
    started,
    task: (i) =>
      new Promise<number>((resolve) => {
        started.push(i);
        releases.set(i, () => resolve(i * 10));
      }),
    release: (i) => releases.get(i)?.(),
  };
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('OrderedPool', () => {
  it('yields results in input order whatever the completion order', async () => {
    const g = gated();
    const pool = new OrderedPool(4, g.task, { concurrency: 4 });
    const seen: number[] = [];
    const consuming = (async () => {
      for await (const [i, o] of pool.results()) seen.push(o.ok ? o.value : -i);
    })();
    await tick();
    for (const i of [3, 1, 2, 0]) g.release(i);
    await consuming;
    expect(seen).toEqual([0, 10, 20, 30]);
  });

  it('starts at most `concurrency` tasks and refills as they settle', async () => {
    const g = gated();
    const pool = new OrderedPool(5, g.task, { concurrency: 2 });
    const consuming = (async () => {
      for await (const _ of pool.results()) void _;
    })();
    await tick();
    expect(g.started).toEqual([0, 1]);
    g.release(1);
    await tick();
    expect(g.started).toEqual([0, 1, 2]);
    for (const i of [0, 2, 3, 4]) {
      g.release(i);
      await tick();
    }
    await consuming;
    expect(g.started).toEqual([0, 1, 2, 3, 4]);
  });

  it('a window bounds how far tasks run ahead of the consumer', async () => {
    const g = gated();
    const pool = new OrderedPool(6, g.task, { concurrency: 4, window: 2 });
    const consuming = (async () => {
      for await (const _ of pool.results()) void _;
    })();
    await tick();
    g.release(1);
    await tick();
    expect(g.started).toEqual([0, 1]); // 2 may not start before 0 is consumed
    g.release(0);
    await tick();
    expect(g.started).toEqual([0, 1, 2, 3]);
    for (const i of [2, 3, 4, 5]) {
      g.release(i);
      await tick();
    }
    await consuming;
  });

  it('breaking out stops new tasks; drain waits for the running ones', async () => {
    const g = gated();
    const pool = new OrderedPool(5, g.task, { concurrency: 2, window: 2 });
    const consuming = (async () => {
      for await (const [i] of pool.results()) if (i === 0) break;
    })();
    await tick();
    g.release(0);
    await consuming;
    expect(pool.isStopped).toBe(true);
    let drained = false;
    const draining = pool.drain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    g.release(1);
    await draining;
    expect(g.started).toEqual([0, 1]);
  });

  it('turns thrown errors (also synchronous ones) into outcomes and reports each as it settles', async () => {
    const settled: [number, boolean][] = [];
    const pool = new OrderedPool<number>(
      3,
      (i) => {
        if (i === 1) throw new Error('sync');
        return i === 2 ? Promise.reject(new Error('async')) : Promise.resolve(i);
      },
      { concurrency: 3, onSettled: (i, o) => settled.push([i, o.ok]) },
    );
    const outcomes: Outcome<number>[] = [];
    for await (const [, o] of pool.results()) outcomes.push(o);
    expect(outcomes.map((o) => (o.ok ? o.value : (o.error as Error).message))).toEqual([
      0,
      'sync',
      'async',
    ]);
    expect(settled.sort()).toEqual([
      [0, true],
      [1, false],
      [2, false],
    ]);
  });

  it('rejects a concurrency below 1', () => {
    expect(() => new OrderedPool(1, () => Promise.resolve(0), { concurrency: 0 })).toThrow(
      RangeError,
    );
  });
});
