import { assign, fromPromise, setup } from 'xstate';
import { z } from 'zod';
import { DspexError } from '../src/errors/index.js';
import {
  ExitSignal,
  Pid,
  actorWorker,
  isTask,
  taskResult,
  taskWorker,
  tuple,
  type ReplyHandle,
  type StartFunction,
} from '../src/kernel/index.js';
import { describeError, retryAfterOf } from '../services/actor-error.js';
import {
  runExecution,
  type ExecutionRequest,
  type ExecutionResult,
  type ExecutionServices,
} from '../services/execution.js';
import { ActorError, type ActorErrorCode } from '../services/actor-error.js';
import { callActor, parseMessage, replyHandleOf, type ActorReply } from '../services/protocol.js';
import {
  VARIABLE_REGISTRY,
  currentConfig,
  programConfigSchema,
  type ConfigVersion,
  type ProgramConfig,
} from './variable-registry.js';

/** Messages of a program worker. */
export const programWorkerMessage = z.discriminatedUnion('type', [
  /** Call: run the execution; the reply is an `ActorReply<ExecutionResult>`. */
  z.object({ type: z.literal('execute') }),
  /** Cast by the variable registry: a new configuration of the program. */
  z.object({
    type: z.literal('config.changed'),
    program: z.string(),
    revision: z.number().int().min(0),
    config: programConfigSchema,
  }),
]);
/** A program worker message. */
export type ProgramWorkerMessage = z.infer<typeof programWorkerMessage>;

/** Input of a program worker: its one execution and the node's services. */
export interface ProgramWorkerInput {
  request: ExecutionRequest;
  services: ExecutionServices;
}

interface Context extends ProgramWorkerInput {
  config: ProgramConfig;
  revision: number;
  replyTo: ReplyHandle | undefined;
}

/** Failures of the job itself (not of the program), replied with their own code and message. */
const JOB_FAILURES = new Set(['invalid_job', 'unknown_program', 'poison_job']);

/** The error a caller sees for a failed execution (what {@link callActor} makes of the reply). */
function failureError(error: unknown, program: string): ActorError {
  const { error: e } = failureReply(error, program) as Extract<ActorReply, { ok: false }>;
  return new ActorError(e.code as ActorErrorCode, e.message, {
    retryable: e.retryable,
    details: e.details ?? {},
    cause: error,
  });
}

function failureReply(error: unknown, program: string): ActorReply {
  const d = describeError(error);
  const retryAfterMs = retryAfterOf(error);
  const ofJob = JOB_FAILURES.has(d.code);
  return {
    ok: false,
    error: {
      code: ofJob ? d.code : 'execution_failed',
      message:
        ofJob && d.code !== 'unknown_program'
          ? d.message
          : `program '${program}' failed: ${d.message}`,
      retryable: d.retryable,
      details: { cause: d.code, ...(retryAfterMs > 0 ? { retryAfterMs } : {}) },
    },
  };
}

/**
 * A program worker: one execution, then it exits `normal`. States: `ready` (waiting for the
 * `execute` call) → `running` → `finished`. `config.changed` from the variable registry updates its
 * configuration at any time; the execution reads it at the last moment, so a change published
 * while the worker waits reaches it without a restart.
 *
 * A program failing with a typed error (`DspexError`: LM errors, adapter parse errors…) is an
 * outcome, replied to the caller. Anything else is a bug in the program: the worker replies, then
 * crashes, so its supervisor reports it; workers are `temporary`, so the crash stays isolated.
 */
export const programWorkerMachine = setup({
  types: { input: {} as ProgramWorkerInput, context: {} as Context },
  actors: {
    execute: fromPromise<
      ExecutionResult,
      { services: ExecutionServices; request: ExecutionRequest; readConfig: () => ProgramConfig }
    >(({ input }) => runExecution(input.services, input.request, input.readConfig)),
  },
}).createMachine({
  id: 'program-worker',
  context: ({ input }) => ({ ...input, config: {}, revision: 0, replyTo: undefined }),
  initial: 'ready',
  on: {
    'config.changed': {
      actions: assign(({ context, event }) => {
        const msg = parseMessage(programWorkerMessage, event, 'program-worker');
        if (msg?.type !== 'config.changed' || msg.program !== context.request.program) return {};
        if (msg.revision < context.revision) return {};
        return { config: msg.config, revision: msg.revision };
      }),
    },
    // Anything else outside the protocol gets a bad_message reply; the worker carries on.
    '*': { actions: ({ event }) => parseMessage(programWorkerMessage, event, 'program-worker') },
  },
  states: {
    ready: {
      on: {
        execute: {
          target: 'running',
          actions: assign({ replyTo: ({ event }) => replyHandleOf(event) }),
        },
      },
    },
    running: {
      invoke: {
        src: 'execute',
        input: ({ context, self }) => {
          const { variables, kernel } = context.services;
          const program = context.request.program;
          return {
            services: context.services,
            request: context.request,
            readConfig:
              variables === undefined
                ? () => (self.getSnapshot() as { context: Context }).context.config
                : () => currentConfig(variables, program, kernel.clock.now()).config,
          };
        },
        onDone: {
          target: 'finished',
          actions: ({ context, event }) =>
            context.replyTo?.reply({ ok: true, value: event.output }),
        },
        onError: [
          {
            guard: ({ event }) => event.error instanceof DspexError,
            target: 'finished',
            actions: ({ context, event }) =>
              context.replyTo?.reply(failureReply(event.error, context.request.program)),
          },
          {
            actions: ({ context, event }) => {
              context.replyTo?.reply(failureReply(event.error, context.request.program));
              throw new ExitSignal(tuple('program_crashed', describeError(event.error).message));
            },
          },
        ],
      },
      on: {
        execute: {
          actions: ({ event }) =>
            replyHandleOf(event)?.reply({
              ok: false,
              error: {
                code: 'bad_message',
                message: 'execution already running',
                retryable: false,
              },
            } satisfies ActorReply),
        },
      },
    },
    finished: { type: 'final' },
  },
});

/**
 * The start function of program workers (the `simple_one_for_one` template): starts the machine
 * with the execution request given to `startChild([request])`, then subscribes it to the variable
 * registry and hands it the current configuration before anyone can call it.
 */
export function programWorkerStart(services: ExecutionServices): StartFunction {
  const start = actorWorker(programWorkerMachine, {
    input: (_ctx, ...args) => ({ request: args[0] as ExecutionRequest, services }),
  });
  return async (ctx, ...args) => {
    const request = args[0] as ExecutionRequest;
    const pid = await start(ctx, ...args);
    if (!(pid instanceof Pid)) return pid;
    // With the registry's table at hand, the execution reads it at the last moment: no subscription.
    if (services.variables !== undefined) return pid;
    try {
      const current = await callActor<ConfigVersion>(ctx.kernel, VARIABLE_REGISTRY, {
        type: 'subscribe',
        pid,
        program: request.program,
      });
      ctx.kernel.cast(pid, { type: 'config.changed', ...current });
    } catch (error) {
      // Without its registry the worker cannot know its configuration: a start failure.
      pid.proc.signalExit('kill');
      return { error: tuple('no_config', describeError(error).message) };
    }
    return pid;
  };
}

/**
 * Runs one execution on a started worker (an actor: `execute` call, reply unwrapped; a task:
 * its result).
 * @internal
 */
export function executeOn(services: ExecutionServices, pid: Pid): Promise<ExecutionResult> {
  if (isTask(pid)) return taskResult<ExecutionResult>(pid);
  return callActor<ExecutionResult>(services.kernel, pid, { type: 'execute' }, 'infinity');
}

/**
 * The lean start function of program workers when the variable registry's table is at hand (a
 * node): each worker is a light task process (src/kernel/task.ts) running one execution, with no
 * xstate actor, mailbox or reply handle. The same outcomes as {@link programWorkerMachine}: a
 * typed failure (`DspexError`) is an outcome (the task exits `normal`); any other throw crashes
 * the worker, so `program-workers` reports it, and the caller gets the same `execution_failed`
 * error either way. Read the result with {@link executeOn}.
 */
export function programTaskStart(
  services: ExecutionServices & { variables: NonNullable<ExecutionServices['variables']> },
): StartFunction {
  const { variables, kernel } = services;
  return taskWorker(
    (_ctx, ...args) => {
      const request = args[0] as ExecutionRequest;
      // runExecution is async (a rejection, never a throw): one `.then`, no async frame around it.
      return runExecution(
        services,
        request,
        () => currentConfig(variables, request.program, kernel.clock.now()).config,
      ).then(undefined, (error: unknown) => {
        if (error instanceof DspexError) throw failureError(error, request.program);
        throw new ExitSignal(tuple('program_crashed', describeError(error).message), {
          cause: failureError(error, request.program),
        });
      });
    },
    {
      isOutcome: (error) => error instanceof DspexError,
      // The result rejects with the same `ActorError` a program-worker actor's reply gives (a
      // crash included), while a crash's exit reason stays `program_crashed`.
      resultError: (error) =>
        error instanceof ExitSignal && error.cause instanceof ActorError ? error.cause : error,
    },
  );
}
