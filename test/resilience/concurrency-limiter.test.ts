import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/resilience/index.js';
import { isDspexError } from '../../src/errors/index.js';

/** Lets queued promise callbacks run. */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ConcurrencyLimiter', () => {
  it('admits_up_to_the_limit_and_queues_the_rest', async () => {
    const pool = new ConcurrencyLimiter({ limit: 2 });
    await pool.acquire('k');
    await pool.acquire('k');
    let third = false;
    void pool.acquire('k').then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    expect(pool.inFlight('k')).toBe(2);
    expect(pool.queued('k')).toBe(1);
  });

  it('a_release_hands_the_slot_to_the_first_waiter', async () => {
    const pool = new ConcurrencyLimiter({ limit: 1 });
    const release = await pool.acquire('k');
    const order: string[] = [];
    const a = pool.acquire('k').then((r) => (order.push('a'), r));
    const b = pool.acquire('k').then((r) => (order.push('b'), r));
    release();
    (await a)();
    (await b)();
    expect(order).toEqual(['a', 'b']);
    expect(pool.inFlight('k')).toBe(0);
    expect(pool.snapshot()).toEqual([]);
  });

  it('a_second_release_of_the_same_slot_is_a_no_op', async () => {
    const pool = new ConcurrencyLimiter({ limit: 1 });
    const release = await pool.acquire('k');
    const waiter = pool.acquire('k');
    release();
    release();
    await waiter;
    expect(pool.inFlight('k')).toBe(1);
  });

  it('no_newcomer_barges_past_a_queued_waiter', async () => {
    const pool = new ConcurrencyLimiter({ limit: 1 });
    const release = await pool.acquire('k');
    const order: string[] = [];
    const queued = pool.acquire('k').then((r) => (order.push('queued'), r));
    release();
    const late = pool.acquire('k').then((r) => (order.push('late'), r));
    (await queued)();
    (await late)();
    expect(order).toEqual(['queued', 'late']);
  });

  it('aborting_a_queued_waiter_removes_it_and_rejects_with_aborted', async () => {
    const pool = new ConcurrencyLimiter({ limit: 1 });
    const release = await pool.acquire('k');
    const ctl = new AbortController();
    const aborted = pool.acquire('k', { signal: ctl.signal });
    const next = pool.acquire('k');
    ctl.abort(new Error('caller gave up'));
    let error: unknown;
    await aborted.catch((e: unknown) => (error = e));
    expect(isDspexError(error, 'aborted')).toBe(true);
    expect(pool.queued('k')).toBe(1);
    release();
    (await next)();
    expect(pool.inFlight('k')).toBe(0);
  });

  it('an_already_aborted_signal_rejects_without_taking_a_slot', async () => {
    const pool = new ConcurrencyLimiter({ limit: 1 });
    const ctl = new AbortController();
    ctl.abort();
    let error: unknown;
    await pool.acquire('k', { signal: ctl.signal }).catch((e: unknown) => (error = e));
    expect(isDspexError(error, 'aborted')).toBe(true);
    expect(pool.inFlight('k')).toBe(0);
  });

  it('run_releases_the_slot_when_the_function_throws', async () => {
    const pool = new ConcurrencyLimiter({ limit: 1 });
    await pool.run('k', () => Promise.reject(new Error('boom'))).catch(() => undefined);
    expect(pool.inFlight('k')).toBe(0);
    expect(await pool.run('k', async () => 'ok')).toBe('ok');
  });

  it('never_exceeds_the_limit_under_load', async () => {
    const pool = new ConcurrencyLimiter({ limit: 3 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pool.run('k', async () => {
          running += 1;
          peak = Math.max(peak, running);
          for (let t = 0; t < (i % 4) + 1; t++) await tick();
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('keys_and_per_key_limits_are_independent', async () => {
    const pool = new ConcurrencyLimiter({ limit: (key) => (key === 'wide' ? 3 : 1) });
    await pool.acquire('narrow');
    await pool.acquire('wide');
    await pool.acquire('wide');
    await pool.acquire('wide');
    void pool.acquire('narrow');
    expect(pool.snapshot()).toEqual([
      { key: 'narrow', limit: 1, inFlight: 1, queued: 1 },
      { key: 'wide', limit: 3, inFlight: 3, queued: 0 },
    ]);
  });

  it('rejects_a_limit_below_one', () => {
    expect(() => new ConcurrencyLimiter({ limit: 0 })).toThrow(/limit/);
  });
});
