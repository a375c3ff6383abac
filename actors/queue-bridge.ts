import { assign, fromPromise, setup } from 'xstate';
import { z } from 'zod';
import { SHUTDOWN_EVENT, type ReplyHandle } from '../src/kernel/index.js';
import type {
  Consumer,
  JobHandler,
  JsonValue,
  ProcessOptions,
  Transport,
} from '../src/transport/index.js';
import { parseMessage, replyHandleOf, replyOk } from '../services/protocol.js';

/** Input of a queue bridge. */
export interface QueueBridgeInput {
  transport: Transport;
  queue: string;
  /** Jobs handled at once by this node (the transport consumer's concurrency). */
  concurrency: number;
  handler: JobHandler<{ [key: string]: JsonValue }, JsonValue>;
  /**
   * Starts the consumer another way (e.g. a pipeline runner's `work()`, which consumes its stage
   * queue with its own bookkeeping); default `transport.process(queue, handler, { concurrency })`.
   */
  consume?: () => Promise<Consumer>;
  /** How long closing waits for in-flight jobs before handing them back to the queue, ms. */
  closeTimeoutMs: number;
  /** Finished jobs kept in the queue (retention); default: the transport's (all). */
  retention?: Pick<ProcessOptions, 'keepCompleted' | 'keepFailed'>;
}

interface Context extends QueueBridgeInput {
  consumer: Consumer | undefined;
  /** Callers of `drain` waiting for the consumer to close. */
  drainers: ReplyHandle[];
  /** The supervisor asked it to stop: finish closing, then exit. */
  stopping: boolean;
}

/** Messages of a queue bridge. */
export const queueBridgeMessage = z.discriminatedUnion('type', [
  /** Call: stop intake and wait for in-flight jobs (up to `closeTimeoutMs`); the bridge stays up. */
  z.object({ type: z.literal('drain') }),
  /** Call: `{ queue, state, inFlight }`. */
  z.object({ type: z.literal('status') }),
]);
/** A queue bridge message. */
export type QueueBridgeMessage = z.infer<typeof queueBridgeMessage>;

/** What `status` answers. */
export interface QueueBridgeStatus {
  queue: string;
  state: string;
  inFlight: number;
}

const status = (context: Context, state: string): QueueBridgeStatus => ({
  queue: context.queue,
  state,
  inFlight: context.consumer?.inFlight ?? 0,
});

/**
 * A queue bridge: one transport consumer of one queue, feeding jobs to the handler (which starts
 * the actors that do the work). States: `starting` → `consuming` → `closing` → `closed`. On its
 * supervisor's shutdown it closes gracefully — stops intake, lets in-flight jobs finish up to
 * `closeTimeoutMs` (later ones go back to the queue for another node) — then exits. `drain` does
 * the same but keeps the bridge alive (the runtime's `drain()`).
 */
export const queueBridgeMachine = setup({
  types: { input: {} as QueueBridgeInput, context: {} as Context },
  actors: {
    consume: fromPromise<Consumer, QueueBridgeInput>(({ input }) =>
      input.consume !== undefined
        ? input.consume()
        : input.transport.process(input.queue, input.handler, {
            ...input.retention,
            concurrency: input.concurrency,
          }),
    ),
    close: fromPromise<void, { consumer: Consumer | undefined; timeout: number }>(({ input }) =>
      input.consumer === undefined
        ? Promise.resolve()
        : input.consumer.close({ timeout: input.timeout }),
    ),
  },
  guards: {
    stopping: ({ context }) => context.stopping,
    // A drain or a stop asked for while the consumer was starting: close as soon as it exists.
    closeRequested: ({ context }) => context.stopping || context.drainers.length > 0,
  },
  actions: {
    answerDrainers: ({ context }) => {
      for (const d of context.drainers) d.reply({ ok: true, value: status(context, 'closed') });
    },
  },
}).createMachine({
  id: 'queue-bridge',
  context: ({ input }) => ({ ...input, consumer: undefined, drainers: [], stopping: false }),
  initial: 'starting',
  on: {
    '*': { actions: ({ event }) => parseMessage(queueBridgeMessage, event, 'queue-bridge') },
  },
  states: {
    starting: {
      invoke: {
        src: 'consume',
        input: ({ context }) => context,
        onDone: [
          {
            guard: 'closeRequested',
            target: 'closing',
            actions: assign({ consumer: ({ event }) => event.output }),
          },
          { target: 'consuming', actions: assign({ consumer: ({ event }) => event.output }) },
        ],
        // A consumer that cannot start is a crash: the supervisor restarts the bridge.
        onError: {
          actions: ({ event }) => {
            throw event.error;
          },
        },
      },
      on: {
        [SHUTDOWN_EVENT]: { actions: assign({ stopping: true }) },
        drain: {
          actions: assign({
            drainers: ({ context, event }) => withDrainer(context, event),
          }),
        },
        status: { actions: ({ context, event }) => replyOk(event, status(context, 'starting')) },
      },
    },
    consuming: {
      on: {
        [SHUTDOWN_EVENT]: { target: 'closing', actions: assign({ stopping: true }) },
        drain: {
          target: 'closing',
          actions: assign({ drainers: ({ context, event }) => withDrainer(context, event) }),
        },
        status: { actions: ({ context, event }) => replyOk(event, status(context, 'consuming')) },
      },
    },
    closing: {
      invoke: {
        src: 'close',
        input: ({ context }) => ({ consumer: context.consumer, timeout: context.closeTimeoutMs }),
        onDone: [
          { guard: 'stopping', target: 'stopped', actions: 'answerDrainers' },
          { target: 'closed', actions: ['answerDrainers', assign({ drainers: [] })] },
        ],
        onError: {
          actions: ({ event }) => {
            throw event.error;
          },
        },
      },
      on: {
        [SHUTDOWN_EVENT]: { actions: assign({ stopping: true }) },
        drain: {
          actions: assign({ drainers: ({ context, event }) => withDrainer(context, event) }),
        },
        status: { actions: ({ context, event }) => replyOk(event, status(context, 'closing')) },
      },
    },
    closed: {
      on: {
        [SHUTDOWN_EVENT]: { target: 'stopped' },
        drain: { actions: ({ context, event }) => replyOk(event, status(context, 'closed')) },
        status: { actions: ({ context, event }) => replyOk(event, status(context, 'closed')) },
      },
    },
    stopped: { type: 'final' },
  },
});

function withDrainer(context: Context, event: unknown): ReplyHandle[] {
  const handle = replyHandleOf(event);
  return handle === undefined ? context.drainers : [...context.drainers, handle];
}
