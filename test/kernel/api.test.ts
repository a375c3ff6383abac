import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Pid } from '../../src/kernel/index.js';
import {
  apiResultToTerm,
  createKernel,
  FakeClock,
  formatTerm,
  supervisorChild,
} from '../../src/kernel/index.js';
import { startRoot, testKernel, worker } from './helpers.js';

const term = (r: Parameters<typeof apiResultToTerm>[0]): string => formatTerm(apiResultToTerm(r));

describe('runtime API results (OTP shapes)', () => {
  it('start/terminate/restart/delete on one_for_one', async () => {
    const k = testKernel();
    const sup = await startRoot(k, {}, [worker('a')]);
    expect(term(await sup.startChild(worker('a')))).toBe('{error,{already_started,<pid>}}');
    expect(term(await sup.deleteChild('a'))).toBe('{error,running}');
    expect(term(await sup.restartChild('a'))).toBe('{error,running}');
    expect(term(await sup.terminateChild('a'))).toBe('ok');
    expect(term(await sup.startChild(worker('a')))).toBe('{error,already_present}');
    expect(term(await sup.restartChild('a'))).toBe('{ok,<pid>}');
    expect(term(await sup.terminateChild('a'))).toBe('ok');
    expect(term(await sup.deleteChild('a'))).toBe('ok');
    expect(term(await sup.deleteChild('a'))).toBe('{error,not_found}');
    expect(term(await sup.startChild({ id: 'e', start: () => ({ error: 'nope' }) }))).toBe(
      '{error,{nope,<child>}}',
    );
    expect(term(await sup.startChild({ id: 'i', start: () => 'ignore' }))).toBe('{ok,undefined}');
    expect(await sup.countChildren()).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
  });

  it('simple_one_for_one: dynamic children with args, template-id calls rejected, maxChildren', async () => {
    const k = testKernel();
    const sup = await startRoot(k, { strategy: 'simple_one_for_one', maxChildren: 2 }, [
      worker('tpl'),
    ]);
    const r1 = await sup.startChild([]);
    expect(term(r1)).toBe('{ok,<pid>}');
    expect(term(await sup.startChild([]))).toBe('{ok,<pid>}');
    expect(term(await sup.startChild([]))).toBe('{error,max_children}');
    expect(term(await sup.restartChild('tpl'))).toBe('{error,simple_one_for_one}');
    expect(term(await sup.deleteChild('tpl'))).toBe('{error,simple_one_for_one}');
    expect(term(await sup.terminateChild('tpl'))).toBe('{error,simple_one_for_one}');
    expect(term(await sup.terminateChild((r1 as { pid: Pid }).pid))).toBe('ok');
    expect(await sup.countChildren()).toEqual({ specs: 1, active: 1, supervisors: 0, workers: 1 });
    expect((await sup.whichChildren()).map((c) => c.id)).toEqual([undefined]);
  });
});

describe('inspection and events', () => {
  it('inspect: the tree with kind, status, state value, incarnation, restarts and children', async () => {
    const k = testKernel();
    const sup = await startRoot(k, { intensity: 5 }, [
      worker('a'),
      { id: 'sub', type: 'supervisor', start: supervisorChild({}, [worker('x')]) },
      worker('t', { restart: 'transient' }),
    ]);
    const a = (await sup.whichChildren())[0]?.pid as Pid;
    k.kernel.cast(a, { type: 'throw', reason: 'boom' });
    const t = (await sup.whichChildren())[2]?.pid as Pid;
    k.kernel.cast(t, { type: 'exit', reason: 'normal' });
    await k.clock.settle();
    const snap = k.kernel.inspect(sup);
    expect(snap).toMatchObject({ id: 'root', kind: 'supervisor', status: 'running' });
    expect(snap.children?.map((c) => [c.id, c.kind, c.status, c.incarnation, c.restarts])).toEqual([
      ['a', 'worker', 'running', 2, 1],
      ['sub', 'supervisor', 'running', 1, 0],
      ['t', 'worker', 'stopped', 1, 0],
    ]);
    expect(snap.children?.[0]?.state).toBe('running');
    expect(snap.children?.[1]?.children?.[0]).toMatchObject({
      id: 'x',
      kind: 'worker',
      status: 'running',
    });
    expect(JSON.parse(JSON.stringify(snap)).id).toBe('root');
  });

  it('event stream: started, exited, restarted and reports in causal order', async () => {
    const k = testKernel();
    const sup = await startRoot(k, { intensity: 5 }, [worker('a')]);
    const a = (await sup.whichChildren())[0]?.pid as Pid;
    k.events.length = 0;
    k.kernel.cast(a, { type: 'throw', reason: 'boom' });
    await k.clock.settle();
    expect(k.events.map((e) => e.type)).toEqual([
      'process_exited',
      'child_exited',
      'supervisor_report',
      'child_started',
      'child_restarted',
    ]);
  });

  it('logger: supervisor reports go to pino with the fixed keys', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    });
    const kernel = createKernel({ clock: new FakeClock(), logger: pino(stream) });
    const r = await kernel.startSupervisor({ intensity: 5 }, [worker('a')]);
    if (!r.ok) throw new Error('no start');
    const a = (await r.sup.whichChildren())[0]?.pid as Pid;
    kernel.cast(a, { type: 'throw', reason: 'boom' });
    await new Promise((res) => setImmediate(res));
    await new Promise((res) => setImmediate(res));
    expect(lines[0]).toMatchObject({
      supervisor: 'root',
      errorContext: 'child_terminated',
      reason: 'boom',
      offender: { id: 'a', restartType: 'permanent', childType: 'worker' },
    });
  });
});
