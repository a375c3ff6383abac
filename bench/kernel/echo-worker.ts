import { assign, setup } from 'xstate';
import type { CallEvent, ChildSpec, Pid, SupervisorFlags } from '../../src/kernel/index.js';
import { actorWorker, ExitSignal, reply } from '../../src/kernel/index.js';
import type { Kernel, SupervisorProcess } from '../../src/kernel/index.js';

/** Events of {@link echoMachine}: the same protocol as the gen_server in otp_bench.escript. */
export type EchoEvent =
  CallEvent<{ type: 'ping' }> | CallEvent<{ type: 'get' }> | { type: 'inc' } | { type: 'crash' };

/**
 * The benchmark worker, twin of otp_bench.escript's gen_server: `ping` answers `pong`, `inc`
 * counts, `get` answers the count, `crash` exits with reason `boom`. One state, like a
 * gen_server loop, so the numbers measure the kernel and not the machine.
 */
export const echoMachine = setup({
  types: { context: {} as { n: number }, events: {} as EchoEvent },
}).createMachine({
  id: 'bench-echo',
  context: { n: 0 },
  on: {
    ping: { actions: reply(() => 'pong') },
    get: { actions: reply(({ context }) => context.n) },
    inc: { actions: assign({ n: ({ context }) => context.n + 1 }) },
    crash: {
      actions: () => {
        throw new ExitSignal('boom');
      },
    },
  },
});

/** OTP's defaults for a worker (permanent, 5000 ms shutdown), as in the escript's worker_spec. */
export function echoSpec(id: string, name?: string): ChildSpec {
  return {
    id,
    start: actorWorker(echoMachine),
    restart: 'permanent',
    shutdown: 5000,
    type: 'worker',
    ...(name === undefined ? {} : { name }),
  };
}

/** Starts a root supervisor or throws (a benchmark has no use for a failed start). */
export async function startSup(
  kernel: Kernel,
  flags: SupervisorFlags,
  specs: ChildSpec[],
): Promise<SupervisorProcess> {
  const r = await kernel.startSupervisor(flags, specs);
  if (!r.ok) throw new Error(`bench supervisor did not start: ${String(r.error)}`);
  return r.sup;
}

/** A one_for_one supervisor with one echo worker; resolves with both. */
export async function oneWorker(kernel: Kernel): Promise<{ sup: SupervisorProcess; pid: Pid }> {
  const sup = await startSup(kernel, { strategy: 'one_for_one', intensity: 1, period: 5 }, [
    echoSpec('echo'),
  ]);
  const pid = (await sup.whichChildren())[0]?.pid;
  if (pid === undefined || pid === 'restarting') throw new Error('echo worker not running');
  return { sup, pid };
}

/** A simple_one_for_one supervisor whose template is the echo worker. */
export function dynamicSup(kernel: Kernel): Promise<SupervisorProcess> {
  return startSup(kernel, { strategy: 'simple_one_for_one', intensity: 1, period: 5 }, [
    echoSpec('echo'),
  ]);
}

/** Starts `n` dynamic children one after the other (each `startChild` awaited, like OTP's). */
export async function startChildren(sup: SupervisorProcess, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await sup.startChild([]);
    if (!r.ok) throw new Error(`startChild failed: ${String(r.error)}`);
  }
}
