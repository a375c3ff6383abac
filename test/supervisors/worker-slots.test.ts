import { describe, expect, it } from 'vitest';
import { createKernel, Pid, taskWorker, type ChildSpec } from '../../src/kernel/index.js';
import { WorkerSlots } from '../../supervisors/worker-slots.js';

/** A deferred a task's body waits on. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function workers(
  start: ChildSpec['start'] = taskWorker((_ctx, g) => (g as ReturnType<typeof gate>).promise),
) {
  const kernel = createKernel();
  const r = await kernel.startSupervisor({ strategy: 'simple_one_for_one', maxChildren: 1 }, [
    { id: 'w', restart: 'temporary', start },
  ]);
  if (!r.ok) throw new Error('supervisor not started');
  kernel.register('workers', r.sup);
  return { kernel, sup: r.sup, slots: new WorkerSlots(kernel) };
}

describe('WorkerSlots.start', () => {
  it('waits_while_the_supervisor_is_full_and_starts_once_a_child_exits', async () => {
    const { slots } = await workers();
    const first = gate();
    const a = await slots.start('workers', [first]);
    expect(a).toBeInstanceOf(Pid);
    let started: Pid | undefined;
    const b = slots.start('workers', [gate()]).then((pid) => (started = pid));
    // Let the refused start come back and wait (several microtask hops).
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(started).toBeUndefined();
    first.open();
    await b;
    expect(started).toBeInstanceOf(Pid);
    expect(started).not.toBe(a);
  });

  it('fails_a_start_the_supervisor_refuses_for_another_reason_as_retryable_execution_failed', async () => {
    const { slots } = await workers(() => 'ignore');
    await expect(slots.start('workers', [])).rejects.toMatchObject({
      code: 'execution_failed',
      retryable: true,
    });
  });

  it('rejects_with_stopping_when_closed_or_when_the_supervisor_is_gone', async () => {
    const { slots } = await workers();
    const waiting = (async () => {
      await slots.start('workers', [gate()]);
      return slots.start('workers', [gate()]);
    })();
    for (let i = 0; i < 20; i++) await Promise.resolve();
    slots.close();
    await expect(waiting).rejects.toMatchObject({ code: 'stopping' });
    await expect(slots.start('workers', [gate()])).rejects.toMatchObject({ code: 'stopping' });
    await expect(new WorkerSlots(createKernel()).start('nobody', [])).rejects.toMatchObject({
      code: 'stopping',
    });
  });
});
