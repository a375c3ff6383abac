import { describe, expect, it } from 'vitest';
import type { Pid, Term } from '../../src/kernel/index.js';
import { actorWorker } from '../../src/kernel/index.js';
import { isDspexError } from '../../src/errors/index.js';
import { probe, startRoot, testKernel, worker } from './helpers.js';

describe('call', () => {
  it('call_reply: the actor answers through event.replyTo with the reply() action', async () => {
    const k = testKernel();
    await startRoot(k, {}, [worker('c', { name: 'counter' })]);
    k.kernel.cast('counter', { type: 'inc' });
    k.kernel.cast('counter', { type: 'inc' });
    expect(await k.kernel.call('counter', { type: 'get' })).toBe(2);
  });

  it('call_timeout: rejects with code timeout after 5000 ms by default; the callee keeps running; the late reply is dropped', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('c')]);
    const pid = (await sup.whichChildren())[0]?.pid as Pid;
    const p = k.kernel.call(pid, { type: 'ignore_me' });
    const outcome = p.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await k.clock.advance(4999);
    expect(pid.alive).toBe(true);
    await k.clock.advance(1);
    const err = await outcome;
    expect(isDspexError(err, 'timeout')).toBe(true);
    expect(pid.alive).toBe(true);
    expect(await k.kernel.call(pid, { type: 'get' }, { timeout: 100 })).toBe(0);
  });

  it('call_callee_exit: rejects at once with the exit reason when the callee dies mid-call', async () => {
    const k = testKernel();
    const sup = await startRoot(k, { intensity: 5 }, [worker('c')]);
    const pid = (await sup.whichChildren())[0]?.pid as Pid;
    const p = k.kernel.call(pid, { type: 'ignore_me' }).catch((e: unknown) => e);
    k.kernel.cast(pid, { type: 'throw', reason: 'boom' });
    const err = await p;
    expect(isDspexError(err, 'callee_exit')).toBe(true);
    expect((err as { details: { reason: Term } }).details.reason).toBe('boom');
    expect(k.clock.now()).toBe(1_000_000);
  });

  it('call_noproc: a dead pid or an unknown name rejects with noproc', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('c')]);
    const pid = (await sup.whichChildren())[0]?.pid as Pid;
    await sup.terminateChild('c');
    await expect(k.kernel.call(pid, { type: 'get' })).rejects.toMatchObject({ code: 'noproc' });
    await expect(k.kernel.call('nobody', { type: 'get' })).rejects.toMatchObject({
      code: 'noproc',
    });
  });

  it('cast_dead_target: a cast to a dead or unknown target is silently dropped', () => {
    const k = testKernel();
    expect(() => k.kernel.cast('nobody', { type: 'inc' })).not.toThrow();
  });
});

describe('registry', () => {
  it('name_follows_restart: whereis(name) points at the restarted instance', async () => {
    const k = testKernel();
    await startRoot(k, { intensity: 5 }, [worker('c', { name: 'counter' })]);
    const first = k.kernel.whereis('counter') as Pid;
    k.kernel.cast('counter', { type: 'throw', reason: 'boom' });
    await k.clock.settle();
    const second = k.kernel.whereis('counter') as Pid;
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(second.alive).toBe(true);
    expect(await k.kernel.call('counter', { type: 'get' })).toBe(0);
  });

  it('name_taken: a second child with a live name fails to start with {already_started,Pid}', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('a', { name: 'svc' })]);
    const r = await sup.startChild(worker('b', { name: 'svc' }));
    expect(r.ok).toBe(false);
    expect(k.kernel.whereis('svc')).toBe((await sup.whichChildren())[0]?.pid);
  });

  it('unregistered_on_exit: a terminated child leaves no name behind', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('a', { name: 'svc' })]);
    await sup.terminateChild('a');
    expect(k.kernel.whereis('svc')).toBeUndefined();
  });
});

describe('monitors', () => {
  it('monitor_down: the callback gets the exit reason once', async () => {
    const k = testKernel();
    const r = await k.kernel.spawn(actorWorker(probe));
    const pid = r as Pid;
    const downs: Term[] = [];
    k.kernel.monitor(pid, (reason) => downs.push(reason));
    k.kernel.cast(pid, { type: 'exit', reason: 'done' });
    await k.clock.settle();
    expect(downs).toEqual(['done']);
  });

  it('monitor_noproc: monitoring a dead or unknown process reports noproc', async () => {
    const k = testKernel();
    const downs: Term[] = [];
    k.kernel.monitor('ghost', (reason) => downs.push(reason));
    await k.clock.settle();
    expect(downs).toEqual(['noproc']);
  });

  it('demonitor: no callback after demonitor', async () => {
    const k = testKernel();
    const pid = (await k.kernel.spawn(actorWorker(probe))) as Pid;
    const downs: Term[] = [];
    const ref = k.kernel.monitor(pid, (reason) => downs.push(reason));
    ref.demonitor();
    k.kernel.cast(pid, { type: 'exit', reason: 'done' });
    await k.clock.settle();
    expect(downs).toEqual([]);
  });
});
