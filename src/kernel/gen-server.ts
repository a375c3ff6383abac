import { assign, setup, type AnyStateMachine, type EventObject } from 'xstate';
import type { z } from 'zod';
import type { ReplyHandle } from './call.js';
import type { ChildSpec, StartContext, StartFunction } from './child-spec.js';
import { KernelError } from './errors.js';
import type { Term } from './term.js';
import { actorWorker, SHUTDOWN_EVENT } from './worker.js';

/** What `handleCall` returns: the reply (a promise: answered when it settles) and the next state. */
export interface CallResult<S> {
  reply: unknown;
  /** The next state (default: unchanged). */
  state?: S;
}

/**
 * How a gen server's answers look on the wire. `ok` wraps a reply; `error` turns an error (a bad
 * message, a handler's throw, a rejected reply) into a reply value, or returns undefined to let it
 * through: a throw then crashes the server (its supervisor restarts it) and a rejected reply or a
 * bad message rejects the caller's `call`. Default: replies as is, every error let through.
 */
export interface ReplyCodec {
  ok(value: unknown): unknown;
  error(error: unknown): unknown;
}

/** The behaviour of a gen server: its state and what it does with each kind of message. */
export interface GenServerSpec<S, I, Call, Cast = never> {
  /** The server's name in errors (`schema-registry: bad message "x": …`) and its machine id. */
  name: string;
  /** Messages, validated before a handler sees them. `cast` defaults to none (all go to `handleInfo`). */
  messages: { call: z.ZodType<Call>; cast?: z.ZodType<Cast> };
  /** The initial state from the start input. Throwing fails the start. */
  init(input: I): S;
  /** Answers a call (`kernel.call`). Throwing crashes the server unless the codec replies. */
  handleCall(message: Call, state: S): CallResult<S>;
  /** Takes a cast (`kernel.cast`): fire and forget; returns the next state (undefined: unchanged). */
  handleCast?(message: Cast, state: S): S | undefined;
  /** Takes any other message (a cast its schema rejects, a monitor's note…); default: dropped. */
  handleInfo?(event: EventObject, state: S): S | undefined;
  /** Runs when the supervisor stops the server (shutdown), with the reason and last state. */
  terminate?(reason: Term, state: S): void;
  /** Reply format (default: values as is, errors let through). */
  replies?: ReplyCodec;
}

/** Options of a gen server's child spec. */
export interface GenServerChildOptions<I> {
  id: string;
  /** Registered name (`kernel.whereis`, `kernel.call(name, …)`). */
  name?: string;
  /** The start input, or a function of the start context. */
  input: I | ((ctx: StartContext) => I);
  restart?: ChildSpec['restart'];
  shutdown?: ChildSpec['shutdown'];
}

/** A gen server: its xstate logic, a start function and a child spec for a supervisor. */
export interface GenServer<I> {
  /** The xstate machine the kernel runs (a root actor, as every worker). */
  readonly logic: AnyStateMachine;
  /** A start function (`{ id, start: server.start(input) }`). */
  start(input: I | ((ctx: StartContext) => I)): StartFunction;
  /** A child spec running the server under a supervisor. */
  childSpec(options: GenServerChildOptions<I>): ChildSpec;
}

const PASS_THROUGH: ReplyCodec = { ok: (v) => v, error: () => undefined };

function handleOf(event: EventObject): ReplyHandle | undefined {
  const handle = (event as { replyTo?: ReplyHandle }).replyTo;
  return handle !== undefined && typeof handle.reply === 'function' ? handle : undefined;
}

function badMessage(name: string, event: EventObject, error: z.ZodError): KernelError {
  const issues = error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
  const text = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  return new KernelError(
    'bad_message',
    `${name}: bad message ${JSON.stringify(event.type)}: ${text}`,
    {
      details: { actor: name, type: event.type, issues },
    },
  );
}

/** Answers `handle` with `error` through the codec, or rejects the call when the codec lets it through. */
function fail(handle: ReplyHandle, codec: ReplyCodec, error: unknown): void {
  const replied = codec.error(error);
  if (replied !== undefined) handle.reply(replied);
  else if (handle.reject !== undefined)
    handle.reject(error instanceof Error ? error : new Error(String(error)));
}

function answer(handle: ReplyHandle, codec: ReplyCodec, reply: unknown): void {
  if (reply instanceof Promise)
    reply.then(
      (value: unknown) => handle.reply(codec.ok(value)),
      (error: unknown) => fail(handle, codec, error),
    );
  else handle.reply(codec.ok(reply));
}

function genServerMachine<S, I, Call, Cast>(spec: GenServerSpec<S, I, Call, Cast>) {
  const codec = spec.replies ?? PASS_THROUGH;
  /** One message: the next state (a handler throwing a non-replyable error crashes the server). */
  const step = (state: S, event: EventObject): S => {
    if (event.type.startsWith('xstate.')) return state;
    const handle = handleOf(event);
    const { replyTo: _replyTo, ...message } = event as EventObject & { replyTo?: unknown };
    if (handle !== undefined) {
      const parsed = spec.messages.call.safeParse(message);
      if (!parsed.success) {
        fail(handle, codec, badMessage(spec.name, event, parsed.error));
        return state;
      }
      try {
        const result = spec.handleCall(parsed.data, state);
        answer(handle, codec, result.reply);
        return result.state ?? state;
      } catch (error) {
        if (codec.error(error) === undefined) throw error;
        fail(handle, codec, error);
        return state;
      }
    }
    const cast = spec.messages.cast?.safeParse(message);
    if (cast?.success === true && spec.handleCast !== undefined)
      return spec.handleCast(cast.data, state) ?? state;
    return spec.handleInfo?.(event, state) ?? state;
  };
  return setup({
    types: { input: {} as I, context: {} as { state: S } },
  }).createMachine({
    id: spec.name,
    context: ({ input }) => ({ state: spec.init(input) }),
    initial: 'serving',
    states: {
      serving: {
        on: {
          [SHUTDOWN_EVENT]: {
            target: 'stopped',
            actions: ({ context, event }) =>
              spec.terminate?.((event as unknown as { reason: Term }).reason, context.state),
          },
          '*': { actions: assign({ state: ({ context, event }) => step(context.state, event) }) },
        },
      },
      stopped: { type: 'final' },
    },
  });
}

/**
 * A `gen_server`-style behaviour: a server is its state plus handlers, run by the kernel as a
 * supervised worker with OTP semantics. `call` waits for the reply (a timeout rejects with
 * `timeout`; a message the `call` schema rejects, with `bad_message` naming the zod issues, and
 * the server carries on); `cast` is fire and forget (a cast the schema rejects goes to
 * `handleInfo`); a handler's throw crashes the server, so its supervisor restarts it from `init`.
 * With `terminate` the server traps shutdown and runs it before stopping.
 *
 * @example
 * ```ts
 * const counter = genServer({
 *   name: 'counter',
 *   messages: { call: z.object({ type: z.literal('get') }), cast: z.object({ type: z.literal('add'), n: z.number() }) },
 *   init: (start: number) => start,
 *   handleCall: (_msg, n) => ({ reply: n }),
 *   handleCast: (msg, n) => n + msg.n,
 * });
 * await kernel.startSupervisor({ strategy: 'one_for_one' }, [counter.childSpec({ id: 'counter', name: 'counter', input: 0 })]);
 * kernel.cast('counter', { type: 'add', n: 2 });
 * await kernel.call('counter', { type: 'get' }); // 2
 * ```
 */
export function genServer<S, I, Call, Cast = never>(
  spec: GenServerSpec<S, I, Call, Cast>,
): GenServer<I> {
  const logic = genServerMachine(spec);
  const start = (input: I | ((ctx: StartContext) => I)): StartFunction =>
    actorWorker(logic as never, {
      input: (typeof input === 'function'
        ? (ctx: StartContext) => (input as (c: StartContext) => I)(ctx)
        : input) as never,
      trapShutdown: spec.terminate !== undefined,
    });
  return {
    logic,
    start,
    childSpec: (options) => ({
      id: options.id,
      start: start(options.input),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.restart === undefined ? {} : { restart: options.restart }),
      ...(options.shutdown === undefined ? {} : { shutdown: options.shutdown }),
    }),
  };
}
