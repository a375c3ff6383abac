import { describe, expect, it } from 'vitest';
import type { Pid } from '../../src/kernel/index.js';
import { addRestart } from '../../src/kernel/index.js';
import { startRoot, testKernel, worker } from './helpers.js';

describe('addRestart: the OTP window in whole seconds', () => {
  it('keeps restarts at or after now - period (inclusive) and adds now first', () => {
    expect(addRestart([10, 7, 4], 12, 3, 5)).toEqual({ restarts: [12, 10, 7], exceeded: false });
  });
  it('is exceeded when more than intensity restarts remain', () => {
    expect(addRestart([10], 10, 1, 5).exceeded).toBe(true);
    expect(addRestart([], 10, 0, 5).exceeded).toBe(true);
    expect(addRestart([], 10, 1, 5).exceeded).toBe(false);
  });
  it('keeps a restart exactly period seconds old and drops one period + 1 seconds old', () => {
    expect(addRestart([5], 10, 1, 5)).toEqual({ restarts: [10, 5], exceeded: true });
    expect(addRestart([4], 10, 1, 5)).toEqual({ restarts: [10], exceeded: false });
  });
});

async function crashA(
  k: ReturnType<typeof testKernel>,
  sup: Awaited<ReturnType<typeof startRoot>>,
) {
  const pid = (await sup.whichChildren())[0]?.pid as Pid;
  k.kernel.cast(pid, { type: 'throw', reason: 'boom' });
  await k.clock.settle();
}

describe('restart intensity on a supervisor (FakeClock, whole monotonic seconds)', () => {
  it('one_for_one_intensity_exceeded: a second restart in the window stops the supervisor with shutdown', async () => {
    const k = testKernel();
    const sup = await startRoot(k, { intensity: 1, period: 5 }, [worker('a'), worker('b')]);
    await crashA(k, sup);
    expect(sup.alive).toBe(true);
    await crashA(k, sup);
    expect(sup.alive).toBe(false);
    expect(sup.exitReason).toBe('shutdown');
    expect(k.reports.map((r) => r.errorContext)).toEqual([
      'child_terminated',
      'child_terminated',
      'shutdown',
    ]);
    expect(k.reports[2]?.reason).toBe('reached_max_restart_intensity');
  });

  it('one_for_one_window_left: a restart period + 1 seconds later is allowed', async () => {
    const k = testKernel();
    const sup = await startRoot(k, { intensity: 1, period: 1 }, [worker('a')]);
    await crashA(k, sup);
    await k.clock.advance(2000);
    await crashA(k, sup);
    expect(sup.alive).toBe(true);
  });

  it('one_for_one_window_edge: a restart exactly period seconds later still counts (inclusive)', async () => {
    const k = testKernel();
    const sup = await startRoot(k, { intensity: 1, period: 1 }, [worker('a')]);
    await crashA(k, sup);
    await k.clock.advance(1000);
    await crashA(k, sup);
    expect(sup.alive).toBe(false);
  });

  it('intensity_zero: the first restart attempt already stops the supervisor', async () => {
    const k = testKernel();
    const sup = await startRoot(k, { intensity: 0 }, [worker('a'), worker('b')]);
    await crashA(k, sup);
    expect(sup.alive).toBe(false);
    expect(k.starts('a')).toBe(1);
  });

  it('failed_restart_attempts_count: try_again_restart retries burn the budget', async () => {
    const k = testKernel();
    let n = 0;
    const flaky = worker('a');
    const start = flaky.start;
    flaky.start = (ctx, ...args) => (++n === 1 ? start(ctx, ...args) : { error: 'nope' });
    const sup = await startRoot(k, { intensity: 3 }, [flaky]);
    await crashA(k, sup);
    expect(sup.alive).toBe(false);
    expect(k.reports.map((r) => r.errorContext)).toEqual([
      'child_terminated',
      'start_error',
      'start_error',
      'start_error',
      'shutdown',
    ]);
  });

  it('nested_escalation: a child supervisor giving up is a child exit (shutdown) for its parent', async () => {
    const k = testKernel();
    const { supervisorChild } = await import('../../src/kernel/index.js');
    const root = await startRoot(k, { intensity: 1 }, [
      { id: 'sub', type: 'supervisor', start: supervisorChild({ intensity: 0 }, [worker('x')]) },
    ]);
    const sub = (await root.whichChildren())[0]?.pid as Pid;
    const subSup = sub.proc as unknown as Awaited<ReturnType<typeof startRoot>>;
    const x = (await subSup.whichChildren())[0]?.pid as Pid;
    k.kernel.cast(x, { type: 'throw', reason: 'boom' });
    await k.clock.settle();
    expect(sub.alive).toBe(false);
    expect(k.reports.map((r) => [r.supervisor, r.errorContext, r.id])).toEqual([
      ['sub', 'child_terminated', 'x'],
      ['sub', 'shutdown', 'x'],
      ['root', 'child_terminated', 'sub'],
    ]);
    expect(k.starts('sub')).toBe(2);
    expect(root.alive).toBe(true);
  });
});
