/**
 * The oracle's fake worker (README §3.2) as a real xstate v5 machine: it logs `exit ID#N R` and
 * exits with R on `crash`; on its supervisor's shutdown event it logs `stop ID#N R` and exits
 * with R, or, deaf, logs `ignored ID#N R` and keeps running.
 */
import { assign, setup } from 'xstate';
import type { ShutdownEvent, Term } from '../../../src/kernel/index.js';
import {
  ExitSignal,
  formatTerm,
  isNormalExitReason,
  SHUTDOWN_EVENT,
} from '../../../src/kernel/index.js';

export interface FakeWorkerInput {
  id: string;
  n: number;
  deaf: boolean;
  log: (line: string) => void;
}

type CrashEvent = { type: 'crash'; reason: Term };

export const fakeWorker = setup({
  types: {
    input: {} as FakeWorkerInput,
    context: {} as FakeWorkerInput & { reason: Term },
    events: {} as CrashEvent | ShutdownEvent,
  },
}).createMachine({
  id: 'fake_worker',
  context: ({ input }) => ({ ...input, reason: 'normal' }),
  initial: 'running',
  states: {
    running: {
      on: {
        crash: [
          {
            // normal-class reasons end in a final state (done → the output's exit reason)
            guard: ({ event }) => isNormalExitReason(event.reason),
            target: 'exited',
            actions: [
              ({ context, event }) =>
                context.log(`exit ${context.id}#${context.n} ${formatTerm(event.reason)}`),
              assign({ reason: ({ event }) => event.reason }),
            ],
          },
          {
            // abnormal reasons go through xstate's error status
            actions: ({ context, event }) => {
              context.log(`exit ${context.id}#${context.n} ${formatTerm(event.reason)}`);
              throw new ExitSignal(event.reason);
            },
          },
        ],
        [SHUTDOWN_EVENT]: [
          {
            guard: ({ context }) => context.deaf,
            actions: ({ context, event }) =>
              context.log(`ignored ${context.id}#${context.n} ${formatTerm(event.reason)}`),
          },
          {
            target: 'exited',
            actions: [
              ({ context, event }) =>
                context.log(`stop ${context.id}#${context.n} ${formatTerm(event.reason)}`),
              assign({ reason: ({ event }) => event.reason }),
            ],
          },
        ],
      },
    },
    exited: { type: 'final' },
  },
  output: ({ context }) => ({ exit: context.reason }),
});
