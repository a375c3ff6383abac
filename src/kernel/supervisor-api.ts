import type { ChildSpec, ChildType, StartFunction, SupervisorFlags } from './child-spec.js';
import type { Pid } from './process.js';
import { startSupervisorProcess } from './supervisor.js';
import type { Term } from './term.js';
import { tuple } from './term.js';

/**
 * Result of the supervisor API, OTP's tagged results as data:
 * `{ ok: true }` is `ok`; `{ ok: true, pid }` is `{ok, Pid}` (`pid` undefined: `{ok, undefined}`);
 * `{ ok: false, error }` is `{error, Reason}` (`running`, `not_found`, `already_present`,
 * `{already_started, Pid}`, `simple_one_for_one`, `restarting`, a start error…).
 */
export type SupervisorApiResult =
  | { readonly ok: true; readonly pid?: Pid | undefined }
  | { readonly ok: false; readonly error: Term };

/** One entry of `whichChildren()` (OTP `{Id, Child, Type, Modules}`). */
export interface ChildInfo {
  /** Spec id; undefined for simple_one_for_one dynamic children. */
  readonly id: string | undefined;
  /** The running process, `'restarting'` while a retry is pending, or undefined (no process). */
  readonly pid: Pid | 'restarting' | undefined;
  readonly type: ChildType;
}

/** OTP `count_children`: specs, running ones, and specs by type. */
export interface ChildCounts {
  specs: number;
  active: number;
  supervisors: number;
  workers: number;
}

/** The OTP term of an API result (`ok`, `{ok,<pid>}`, `{error,not_found}`…). */
export function apiResultToTerm(r: SupervisorApiResult): Term {
  if (!r.ok) return tuple('error', r.error);
  if (!('pid' in r)) return 'ok';
  return tuple('ok', r.pid ?? 'undefined');
}

/** The OTP term of counts: `[{specs,S},{active,A},{supervisors,U},{workers,W}]`. */
export function countsToTerm(c: ChildCounts): Term {
  return [
    tuple('specs', c.specs),
    tuple('active', c.active),
    tuple('supervisors', c.supervisors),
    tuple('workers', c.workers),
  ];
}

/**
 * A start function for a nested supervisor (use with `type: 'supervisor'`, whose default
 * shutdown is `infinity`). Its init failure is the parent's start error, e.g.
 * `{shutdown,{failed_to_start_child,Id,Reason}}`.
 *
 * @example
 * ```ts
 * { id: 'pool', type: 'supervisor', start: supervisorChild({ strategy: 'one_for_all' }, specs) }
 * ```
 */
export function supervisorChild(
  flags: SupervisorFlags,
  specs: readonly ChildSpec[],
): StartFunction {
  return async (ctx) => {
    const r = await startSupervisorProcess(ctx.kernel, ctx.id, flags, specs);
    return r.ok ? r.sup.pid : { error: r.error };
  };
}
