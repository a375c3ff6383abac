import { describe, expect, it } from 'vitest';
import type { Pid } from '../../src/kernel/index.js';
import { startRoot, testKernel, worker } from './helpers.js';

describe('shutdown protocol', () => {
  it('trap_shutdown: the actor gets the shutdown event, finishes, and exits shutdown (no report)', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('a', { trap: true })]);
    const a = (await sup.whichChildren())[0]?.pid as Pid;
    expect(await sup.terminateChild('a')).toEqual({ ok: true });
    expect(a.alive).toBe(false);
    expect(a.proc.exitReason).toBe('shutdown');
    expect(k.reports).toEqual([]);
  });

  it('no_trap: a worker that does not trap shutdown is stopped at once with reason shutdown', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('a', { trap: false })]);
    const a = (await sup.whichChildren())[0]?.pid as Pid;
    await sup.terminateChild('a');
    expect(a.proc.exitReason).toBe('shutdown');
  });

  it('deaf_timeout: a worker ignoring shutdown is killed after the timeout, reported as shutdown_error killed', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('d', { deaf: true, shutdown: 300 })]);
    const d = (await sup.whichChildren())[0]?.pid as Pid;
    const t0 = k.clock.now();
    const done = sup.terminateChild('d');
    await k.clock.advance(299);
    expect(d.alive).toBe(true);
    await k.clock.advance(1);
    expect(await done).toEqual({ ok: true });
    expect(d.proc.exitReason).toBe('killed');
    expect(k.clock.now() - t0).toBe(300);
    expect(k.reports).toEqual([
      { supervisor: 'root', errorContext: 'shutdown_error', reason: 'killed', id: 'd' },
    ]);
  });

  it('brutal_kill: killed at once, no report', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('d', { deaf: true, shutdown: 'brutal_kill' })]);
    const d = (await sup.whichChildren())[0]?.pid as Pid;
    await sup.terminateChild('d');
    expect(d.proc.exitReason).toBe('killed');
    expect(k.reports).toEqual([]);
  });

  it('stop_order: children stop right to left, then the supervisor exits with the reason', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('a'), worker('b'), worker('c')]);
    const order: string[] = [];
    for (const c of await sup.whichChildren())
      k.kernel.monitor(c.pid as Pid, () => order.push(c.id as string));
    expect(await sup.stop()).toBe('shutdown');
    expect(order).toEqual(['c', 'b', 'a']);
  });

  it('mailbox_while_waiting: API calls queue while the supervisor waits for a deaf child', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('d', { deaf: true, shutdown: 1000 }), worker('e')]);
    const seen: string[] = [];
    void sup.terminateChild('d').then(() => seen.push('terminated d'));
    void sup.countChildren().then((c) => seen.push(`counted active=${c.active}`));
    await k.clock.advance(500);
    expect(seen).toEqual([]);
    await k.clock.settle();
    expect(seen).toEqual(['terminated d', 'counted active=1']);
  });

  it('actor_error: a plain error in an actor is an abnormal exit {error,<error>} and never uncaught', async () => {
    const k = testKernel();
    const sup = await startRoot(k, { intensity: 5 }, [worker('a')]);
    const a = (await sup.whichChildren())[0]?.pid as Pid;
    k.kernel.cast(a, { type: 'throw_plain' });
    await k.clock.settle();
    expect(k.reports[0]?.errorContext).toBe('child_terminated');
    expect(k.starts('a')).toBe(2);
  });
});
