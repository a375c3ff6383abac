import type { EventObject } from 'xstate';
import { KernelError } from './errors.js';
import type { Kernel } from './kernel.js';
import type { Pid } from './process.js';
import { formatTerm } from './term.js';
import { ActorProcess } from './worker.js';

/** Default `call` timeout, as gen_server's. */
export const DEFAULT_CALL_TIMEOUT = 5000;

/**
 * The reply handle a called actor finds in `event.replyTo`. The first `reply` wins; a reply after
 * the caller gave up (timeout, callee exit) is dropped.
 */
export interface ReplyHandle {
  reply(value: unknown): void;
  /** Fails the call: the caller's `call` rejects with `error` (absent on hand-made handles). */
  reject?(error: Error): void;
  /** True once the call is answered or abandoned. */
  readonly settled: boolean;
}

/** An event as delivered by `call`: the caller's event plus its reply handle. */
export type CallEvent<TEvent extends EventObject = EventObject> = TEvent & { replyTo: ReplyHandle };

/** Options of `call`. */
export interface CallOptions {
  /** Milliseconds to wait for the reply (default 5000), or `'infinity'`. */
  timeout?: number | 'infinity';
}

/**
 * An xstate action that answers the current call with `fn(args)`; a no-op for events that did not
 * come from `call`.
 *
 * @example
 * ```ts
 * on: { get: { actions: reply(({ context }) => context.count) } }
 * ```
 */
export function reply<TArgs extends { event: unknown }>(fn: (args: TArgs) => unknown) {
  return (args: TArgs): void => {
    const handle = (args.event as { replyTo?: ReplyHandle } | undefined)?.replyTo;
    if (handle !== undefined && typeof handle.reply === 'function') handle.reply(fn(args));
  };
}

/** @internal Resolves a pid or registered name to a live worker process. */
export function resolveWorker(kernel: Kernel, target: Pid | string): ActorProcess | undefined {
  const pid = typeof target === 'string' ? kernel.whereis(target) : target;
  const proc = pid?.proc;
  return proc instanceof ActorProcess && proc.alive ? proc : undefined;
}

/** @internal gen_server:call semantics for an xstate worker. */
export function callWorker(
  kernel: Kernel,
  target: Pid | string,
  event: EventObject,
  options: CallOptions = {},
): Promise<unknown> {
  const proc = resolveWorker(kernel, target);
  if (proc === undefined)
    return Promise.reject(
      new KernelError('noproc', `no process ${String(target)}`, {
        details: { target: String(target) },
      }),
    );
  const timeout = options.timeout ?? DEFAULT_CALL_TIMEOUT;
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: unknown;
    const finish = (): void => {
      settled = true;
      if (timer !== undefined) kernel.clock.clearTimeout(timer);
      proc.demonitor(monitorId);
      proc.inFlightCalls--;
    };
    const handle: ReplyHandle = {
      reply(value) {
        if (settled) return;
        finish();
        resolve(value);
      },
      reject(error) {
        if (settled) return;
        finish();
        reject(error);
      },
      get settled() {
        return settled;
      },
    };
    proc.inFlightCalls++;
    const monitorId = proc.monitor((reason) => {
      if (settled) return;
      finish();
      reject(
        new KernelError('callee_exit', `callee exited: ${formatTerm(reason)}`, {
          details: { reason },
        }),
      );
    });
    if (timeout !== 'infinity')
      timer = kernel.clock.setTimeout(() => {
        if (settled) return;
        finish();
        reject(
          new KernelError('timeout', `call timed out after ${timeout} ms`, {
            retryable: true,
            details: { timeout },
          }),
        );
      }, timeout);
    proc.actor.send({ ...event, replyTo: handle });
  });
}

/** @internal gen_server:cast semantics: fire and forget, even to a dead target. */
export function castWorker(kernel: Kernel, target: Pid | string, event: EventObject): void {
  resolveWorker(kernel, target)?.actor.send(event);
}
