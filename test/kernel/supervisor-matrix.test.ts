/**
 * The OTP restart matrix (runtime.md §1.2-1.3), named like supervisor_SUITE: strategy × restart
 * type × exit reason. Child `b` sits between permanent siblings `a` and `c` and exits by itself.
 * Expectations come from the rule table, not from the implementation.
 */
import { describe, expect, it } from 'vitest';
import type { Pid, RestartType, Strategy, Term } from '../../src/kernel/index.js';
import { formatTerm, isNormalExitReason, tuple } from '../../src/kernel/index.js';
import { startRoot, testKernel, worker } from './helpers.js';

const strategies: Strategy[] = ['one_for_one', 'one_for_all', 'rest_for_one'];
const restarts: RestartType[] = ['permanent', 'transient', 'temporary'];
const reasons: Term[] = ['normal', 'shutdown', tuple('shutdown', 'bye'), 'boom'];

const cases = strategies.flatMap((s) =>
  restarts.flatMap((r) => reasons.map((reason) => [s, r, reason, formatTerm(reason)] as const)),
);

describe.each(cases)('%s / %s child exiting %s', (strategy, restart, reason, label) => {
  const normal = isNormalExitReason(reason);
  const restarted = restart === 'permanent' || (restart === 'transient' && !normal);
  const reported = restart === 'permanent' || !normal;

  it(`${strategy}_${restart}_${label}: ${restarted ? 'restarts' : 'does not restart'}${reported ? ', reports' : ''}`, async () => {
    const k = testKernel();
    const sup = await startRoot(k, { strategy, intensity: 10, period: 5 }, [
      worker('a'),
      worker('b', { restart }),
      worker('c'),
    ]);
    const b = (await sup.whichChildren())[1]?.pid as Pid;
    k.kernel.cast(b, { type: 'exit', reason });
    await k.clock.settle();

    expect(k.reports).toEqual(
      reported ? [{ supervisor: 'root', errorContext: 'child_terminated', reason, id: 'b' }] : [],
    );
    expect(k.starts('b')).toBe(restarted ? 2 : 1);
    expect(k.starts('a')).toBe(restarted && strategy === 'one_for_all' ? 2 : 1);
    expect(k.starts('c')).toBe(restarted && strategy !== 'one_for_one' ? 2 : 1);

    const ids = (await sup.whichChildren()).map((c) => [
      c.id,
      c.pid === undefined ? 'undefined' : 'pid',
    ]);
    const bState = restarted ? [['b', 'pid']] : restart === 'transient' ? [['b', 'undefined']] : [];
    expect(ids).toEqual([['a', 'pid'], ...bState, ['c', 'pid']]);
    expect(sup.alive).toBe(true);
    await sup.stop();
  });
});

describe.each(strategies)('%s: a temporary bystander', (strategy) => {
  it(`${strategy}_temporary_bystander: is dropped, not restarted, when a sibling's crash restarts it`, async () => {
    const k = testKernel();
    const sup = await startRoot(k, { strategy, intensity: 10 }, [
      worker('a'),
      worker('tmp', { restart: 'temporary' }),
      worker('c'),
    ]);
    const a = (await sup.whichChildren())[0]?.pid as Pid;
    k.kernel.cast(a, { type: 'throw', reason: 'boom' });
    await k.clock.settle();
    const ids = (await sup.whichChildren()).map((c) => c.id);
    expect(ids).toEqual(strategy === 'one_for_one' ? ['a', 'tmp', 'c'] : ['a', 'c']);
    expect(k.starts('tmp')).toBe(1);
  });
});
