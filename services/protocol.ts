import type { EventObject } from 'xstate';
import type { z } from 'zod';
import {
  KernelError,
  type Kernel,
  type Pid,
  type ReplyCodec,
  type ReplyHandle,
} from '../src/kernel/index.js';
import { ActorError, type ActorErrorCode } from './actor-error.js';

/**
 * The reply every runtime actor gives to a call: a tagged result, so failures cross the actor
 * boundary as data (STYLE habit 4) and a bad message never crashes the callee.
 */
export type ActorReply<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly error: {
        readonly code: ActorErrorCode | string;
        readonly message: string;
        readonly retryable: boolean;
        readonly details?: Record<string, unknown>;
      };
    };

/** The reply handle of an event delivered by `kernel.call` (absent for casts). */
export function replyHandleOf(event: unknown): ReplyHandle | undefined {
  const handle = (event as { replyTo?: ReplyHandle } | undefined)?.replyTo;
  return handle !== undefined && typeof handle.reply === 'function' ? handle : undefined;
}

/** Answers a call with a success (no-op for casts). */
export function replyOk(event: unknown, value: unknown): void {
  replyHandleOf(event)?.reply({ ok: true, value } satisfies ActorReply);
}

/** A failure as an {@link ActorReply}. */
function failureReply(error: ActorError): ActorReply<never> {
  return {
    ok: false,
    error: {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      details: { ...error.details },
    },
  };
}

/** Answers a call with a failure (no-op for casts). */
export function replyError(event: unknown, error: ActorError): void {
  replyHandleOf(event)?.reply(failureReply(error));
}

/**
 * The reply format of a runtime gen server ({@link genServer}'s codec): values as
 * `{ ok: true, value }`, an {@link ActorError} (or the kernel's `bad_message`) as
 * `{ ok: false, error }`, so {@link callActor} unwraps them. `asActorError` maps other errors to
 * an answer; what it leaves undefined crashes the server (a bug, for its supervisor to restart).
 */
export function actorReplies(
  asActorError: (error: unknown) => ActorError | undefined = () => undefined,
): ReplyCodec {
  return {
    ok: (value) => ({ ok: true, value }) satisfies ActorReply,
    error: (error) => {
      const actorError =
        error instanceof ActorError
          ? error
          : error instanceof KernelError && error.code === 'bad_message'
            ? new ActorError('bad_message', error.message, { details: error.details })
            : asActorError(error);
      return actorError === undefined ? undefined : failureReply(actorError);
    },
  };
}

/** Internal xstate events that are not messages of the actor's protocol. */
function isSystemEvent(type: string): boolean {
  return type.startsWith('xstate.') || type === 'kernel.shutdown';
}

/**
 * Validates `event` with `schema` (the actor's message union). A bad message gets a
 * `bad_message` reply naming the zod issues and yields `undefined`, so the actor carries on.
 */
export function parseMessage<S extends z.ZodType>(
  schema: S,
  event: EventObject,
  actor: string,
): z.infer<S> | undefined {
  if (isSystemEvent(event.type)) return undefined;
  const { replyTo: _replyTo, ...message } = event as EventObject & { replyTo?: unknown };
  const parsed = schema.safeParse(message);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
  replyError(
    event,
    new ActorError(
      'bad_message',
      `${actor}: bad message ${JSON.stringify(event.type)}: ${issues
        .map((i) => `${i.path || '(root)'}: ${i.message}`)
        .join('; ')}`,
      { details: { actor, type: event.type, issues } },
    ),
  );
  return undefined;
}

/**
 * Calls an actor and unwraps its {@link ActorReply}: resolves with the value, rejects with an
 * {@link ActorError} carrying the callee's code. Kernel failures (`noproc`, `timeout`,
 * `callee_exit`) reject with the kernel's error.
 *
 * @example
 * ```ts
 * const config = await callActor<ProgramConfig>(kernel, 'variable-registry', { type: 'get', program: 'qa' });
 * ```
 */
export async function callActor<T>(
  kernel: Kernel,
  target: Pid | string,
  message: EventObject & Record<string, unknown>,
  timeout: number | 'infinity' = 5000,
): Promise<T> {
  const reply = (await kernel.call(target, message, { timeout })) as ActorReply<T>;
  if (reply.ok) return reply.value;
  throw new ActorError(reply.error.code as ActorErrorCode, reply.error.message, {
    retryable: reply.error.retryable,
    details: reply.error.details ?? {},
  });
}
