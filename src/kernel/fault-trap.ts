import { scopeSlot } from '../scope/index.js';

/**
 * Routing of asynchronous faults (an exception thrown from a timer or an event handler, a promise
 * rejected with nobody listening) to the unit of work they came from, as an Erlang process's crash
 * stays in that process. Node reports such faults process-wide (`uncaughtException`,
 * `unhandledRejection`) and, by default, dies on them; but the async context of the code that
 * faulted travels with them, so a fault raised anywhere below {@link runTrapped} is handed to that
 * scope, which fails its own work and nothing else.
 */
class FaultScope {
  settled = false;

  constructor(
    private readonly resolveWith: (value: never) => void,
    private readonly rejectWith: (error: unknown) => void,
  ) {}

  /** An asynchronous fault of the scope's work: the scope fails with it (an Error). */
  fail(error: unknown): void {
    this.settled = true;
    this.rejectWith(error instanceof Error ? error : new Error(String(error)));
  }

  /** The work's own outcome (methods, not per-scope closures: this runs once per job). */
  succeed(value: unknown): void {
    this.settled = true;
    this.resolveWith(value as never);
  }

  reject(error: unknown): void {
    this.settled = true;
    this.rejectWith(error);
  }
}

// A slot of the process's one async-context store (src/scope), shared with the invocation context.
const scopes = scopeSlot<FaultScope>();

/** Where a fault that belongs to no running scope goes (a node's logger). */
export type UnattributedFault = (error: unknown, origin: 'exception' | 'rejection') => void;

let installed: { count: number; sinks: Set<UnattributedFault>; remove: () => void } | undefined;

function route(error: unknown, origin: 'exception' | 'rejection'): void {
  const scope = scopes.get();
  if (scope !== undefined && !scope.settled) {
    scope.fail(error);
    return;
  }
  for (const sink of installed?.sinks ?? []) sink(error, origin);
}

/**
 * Installs the process-wide handlers that route faults to their scope (reference counted: every
 * caller gets its own uninstall function; the handlers go when the last one is called). Faults
 * outside any live scope are given to `unattributed`; the process keeps running.
 *
 * @example
 * ```ts
 * const uninstall = installFaultTrap((err) => logger.error({ err }, 'fault outside any job'));
 * await runTrapped(() => program.call(inputs)); // rejects with a timer's throw from inside it
 * uninstall();
 * ```
 */
export function installFaultTrap(unattributed: UnattributedFault): () => void {
  if (installed === undefined) {
    const onException = (error: unknown): void => route(error, 'exception');
    const onRejection = (reason: unknown): void => route(reason, 'rejection');
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
    installed = {
      count: 0,
      sinks: new Set(),
      remove: () => {
        process.off('uncaughtException', onException);
        process.off('unhandledRejection', onRejection);
      },
    };
  }
  const trap = installed;
  trap.count++;
  const sink: UnattributedFault = (e, o) => unattributed(e, o);
  trap.sinks.add(sink);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    trap.sinks.delete(sink);
    if (--trap.count === 0) {
      trap.remove();
      if (installed === trap) installed = undefined;
    }
  };
}

/**
 * Runs `fn` in a fault scope: resolves or rejects with `fn`'s outcome, or rejects with the first
 * asynchronous fault raised by code started inside it (when {@link installFaultTrap} is active),
 * whichever comes first. Faults raised after it settled are unattributed.
 */
export function runTrapped<T>(fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const scope = new FaultScope(resolve, reject);
    scopes.run(scope, fn).then(
      (value) => scope.succeed(value),
      (error: unknown) => scope.reject(error),
    );
  });
}
