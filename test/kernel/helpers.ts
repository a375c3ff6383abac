import { assign, setup } from 'xstate';
import type {
  CallEvent,
  ChildSpec,
  KernelEvent,
  ShutdownEvent,
  SupervisorFlags,
  Term,
} from '../../src/kernel/index.js';
import { actorWorker, createKernel, ExitSignal, FakeClock, reply } from '../../src/kernel/index.js';

/** Events understood by {@link probe}. */
export type ProbeEvent =
  | { type: 'inc' }
  | CallEvent<{ type: 'get' }>
  | CallEvent<{ type: 'ignore_me' }>
  | { type: 'exit'; reason: Term }
  | { type: 'throw'; reason: Term }
  | { type: 'throw_plain' }
  | ShutdownEvent;

/**
 * A small worker machine: counts `inc`, answers `get`, never answers `ignore_me`, exits with
 * `exit` (final state, `output.exit`) or `throw` (error status), and on the kernel's shutdown
 * event finishes unless its input says `deaf`.
 */
export const probe = setup({
  types: {
    input: {} as { deaf?: boolean } | undefined,
    context: {} as { count: number; deaf: boolean; reason: Term },
    events: {} as ProbeEvent,
  },
}).createMachine({
  id: 'probe',
  context: ({ input }) => ({ count: 0, deaf: input?.deaf ?? false, reason: 'normal' }),
  initial: 'running',
  states: {
    running: {
      on: {
        inc: { actions: assign({ count: ({ context }) => context.count + 1 }) },
        get: { actions: reply(({ context }) => context.count) },
        exit: { target: 'finished', actions: assign({ reason: ({ event }) => event.reason }) },
        throw: {
          actions: ({ event }) => {
            throw new ExitSignal(event.reason);
          },
        },
        throw_plain: {
          actions: () => {
            throw new Error('plain failure');
          },
        },
        'kernel.shutdown': {
          guard: ({ context }) => !context.deaf,
          target: 'stopping',
          actions: assign({ reason: ({ event }) => event.reason }),
        },
      },
    },
    stopping: { type: 'final' },
    finished: { type: 'final' },
  },
  output: ({ context }) => ({ exit: context.reason }),
});

/** A kernel on a fake clock that records its event stream. */
export function testKernel() {
  const clock = new FakeClock(1_000_000);
  const reports: { supervisor: string; errorContext: string; reason: Term; id: string }[] = [];
  const events: KernelEvent[] = [];
  const kernel = createKernel({ clock });
  kernel.subscribe((e) => {
    events.push(e);
    if (e.type === 'supervisor_report')
      reports.push({
        supervisor: e.supervisor,
        errorContext: e.errorContext,
        reason: e.reason,
        id: e.offender.id,
      });
  });
  const starts = (id: string): number =>
    events.filter((e) => e.type === 'child_started' && e.id === id).length;
  return { clock, kernel, reports, events, starts };
}

/** A probe worker spec. */
export function worker(
  id: string,
  extra: Partial<ChildSpec> & { deaf?: boolean; trap?: boolean } = {},
): ChildSpec {
  const { deaf, trap, ...spec } = extra;
  return {
    id,
    start: actorWorker(probe, { input: { deaf: deaf ?? false }, trapShutdown: trap ?? true }),
    ...spec,
  };
}

/** Starts a root supervisor and fails the test if it does not start. */
export async function startRoot(
  k: ReturnType<typeof testKernel>,
  flags: SupervisorFlags,
  specs: ChildSpec[],
) {
  const r = await k.kernel.startSupervisor(flags, specs);
  if (!r.ok) throw new Error('root did not start');
  return r.sup;
}
