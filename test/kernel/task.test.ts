import { describe, expect, it } from 'vitest';
import {
  ExitSignal,
  Pid,
  formatTerm,
  taskResult,
  taskWorker,
  tuple,
  type ChildSpec,
} from '../../src/kernel/index.js';
import { startRoot, testKernel } from './helpers.js';

class Outcome extends Error {}

/** A deferred the test settles by hand: the task's body awaits it. */
function gate<T>() {
  let open!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  const promise = new Promise<T>((resolve, reject) => (open = { resolve, reject }));
  return { promise, ...open };
}

function taskSpec(): { spec: ChildSpec; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const spec: ChildSpec = {
    id: 'task',
    restart: 'temporary',
    start: taskWorker(
      (ctx, ...args) => {
        signals.push(ctx.signal);
        return (args[0] as { promise: Promise<unknown> }).promise;
      },
      { isOutcome: (e) => e instanceof Outcome },
    ),
  };
  return { spec, signals };
}

async function startTask(flags: { maxChildren?: number } = {}) {
  const k = testKernel();
  const { spec, signals } = taskSpec();
  const sup = await startRoot(k, { strategy: 'simple_one_for_one', ...flags }, [spec]);
  const start = async (g: ReturnType<typeof gate<unknown>>): Promise<Pid> => {
    const r = await sup.startChild([g]);
    if (!r.ok || !(r.pid instanceof Pid)) throw new Error(`not started: ${JSON.stringify(r)}`);
    return r.pid;
  };
  return { k, sup, start, signals };
}

describe('task workers (light temporary processes)', () => {
  it('exits_normal_with_its_value_and_is_not_reported', async () => {
    const { k, sup, start } = await startTask();
    const g = gate<unknown>();
    const pid = await start(g);
    g.resolve({ answer: 42 });
    await expect(taskResult(pid)).resolves.toEqual({ answer: 42 });
    await k.clock.settle();
    expect(pid.alive).toBe(false);
    expect(k.reports).toEqual([]);
    expect((await sup.countChildren()).active).toBe(0);
  });

  it('treats_an_outcome_failure_as_a_normal_exit_and_rejects_the_result', async () => {
    const { k, start } = await startTask();
    const g = gate<unknown>();
    const pid = await start(g);
    g.reject(new Outcome('typed failure'));
    await expect(taskResult(pid)).rejects.toThrow('typed failure');
    await k.clock.settle();
    expect(k.reports).toEqual([]);
  });

  it('reports_a_crash_through_its_supervisor_and_leaves_siblings_running', async () => {
    const { k, start } = await startTask();
    const crashing = gate<unknown>();
    const sibling = gate<unknown>();
    const a = await start(crashing);
    const b = await start(sibling);
    crashing.reject(new ExitSignal(tuple('program_crashed', 'boom')));
    await expect(taskResult(a)).rejects.toBeInstanceOf(ExitSignal);
    await k.clock.settle();
    expect(k.reports.map((r) => [r.errorContext, formatTerm(r.reason)])).toEqual([
      ['child_terminated', '{program_crashed,boom}'],
    ]);
    expect(b.alive).toBe(true);
    sibling.resolve('still fine');
    await expect(taskResult(b)).resolves.toBe('still fine');
  });

  it('rejects_the_result_with_resultError_of_a_crash_while_exiting_with_the_signals_reason', async () => {
    const k = testKernel();
    const spec: ChildSpec = {
      id: 'task',
      restart: 'temporary',
      start: taskWorker((_ctx, ...args) => (args[0] as { promise: Promise<unknown> }).promise, {
        resultError: (e) => (e instanceof ExitSignal ? e.cause : e),
      }),
    };
    const sup = await startRoot(k, { strategy: 'simple_one_for_one' }, [spec]);
    const crashing = gate<unknown>();
    const r = await sup.startChild([crashing]);
    if (!r.ok || !(r.pid instanceof Pid)) throw new Error('not started');
    const seen = new Error('what the caller sees');
    crashing.reject(new ExitSignal(tuple('program_crashed', 'boom'), { cause: seen }));
    await expect(taskResult(r.pid)).rejects.toBe(seen);
    await k.clock.settle();
    expect(k.reports.map((x) => formatTerm(x.reason))).toEqual(['{program_crashed,boom}']);
  });

  it('aborts_its_signal_and_rejects_the_result_when_terminated', async () => {
    const { k, sup, start, signals } = await startTask();
    const pid = await start(gate<unknown>());
    const result = taskResult(pid);
    await sup.terminateChild(pid);
    await k.clock.settle();
    await expect(result).rejects.toMatchObject({ code: 'callee_exit' });
    expect(signals[0]?.aborted).toBe(true);
    expect(pid.alive).toBe(false);
  });

  it('gives_a_signal_read_only_after_termination_already_aborted_with_the_exit', async () => {
    const k = testKernel();
    let read: (() => AbortSignal) | undefined;
    const spec: ChildSpec = {
      id: 'task',
      restart: 'temporary',
      start: taskWorker((ctx, ...args) => {
        read = () => ctx.signal;
        return (args[0] as { promise: Promise<unknown> }).promise;
      }),
    };
    const sup = await startRoot(k, { strategy: 'simple_one_for_one' }, [spec]);
    const r = await sup.startChild([gate<unknown>()]);
    if (!r.ok || !(r.pid instanceof Pid)) throw new Error('not started');
    const result = taskResult(r.pid);
    await sup.terminateChild(r.pid);
    await k.clock.settle();
    await expect(result).rejects.toMatchObject({ code: 'callee_exit' });
    const signal = read!();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ code: 'callee_exit', details: { reason: 'shutdown' } });
  });

  it('counts_towards_max_children_until_it_ends', async () => {
    const { k, sup, start } = await startTask({ maxChildren: 1 });
    const g = gate<unknown>();
    await start(g);
    const full = await sup.startChild([gate<unknown>()]);
    expect(full.ok ? 'started' : formatTerm(full.error)).toBe('max_children');
    g.resolve(1);
    await k.clock.settle();
    expect((await sup.startChild([gate<unknown>()])).ok).toBe(true);
  });
});
