import { StoreError } from './store-error.js';

/**
 * A record's status state machine, declared as data: the statuses a record may be created in and,
 * per status, the statuses it may move to. A status with no outgoing edge is final: a record in a
 * final status is immutable.
 *
 * @example
 * ```ts
 * const lc = defineLifecycle('job', ['new'], { new: ['done'], done: [] });
 * canTransition(lc, 'new', 'done'); // true
 * ```
 */
export interface Lifecycle<S extends string> {
  /** Record kind, used in error details (`program`, `execution`, …). */
  readonly record: string;
  /** Statuses a record may be created in; the first is the default. */
  readonly initial: readonly [S, ...S[]];
  /** Legal moves out of each status. */
  readonly transitions: Readonly<Record<S, readonly S[]>>;
}

/** Declares a {@link Lifecycle} (frozen, so a table can never be altered at run time). */
export function defineLifecycle<S extends string>(
  record: string,
  initial: readonly [S, ...S[]],
  transitions: Record<S, readonly S[]>,
): Lifecycle<S> {
  return Object.freeze({ record, initial, transitions: Object.freeze({ ...transitions }) });
}

/** True when `status` has no outgoing transition. */
export function isFinalStatus<S extends string>(lc: Lifecycle<S>, status: S): boolean {
  return lc.transitions[status].length === 0;
}

/**
 * True when a record in `from` may be written with status `to`. Staying in a non-final status is
 * allowed (an update that changes other fields may repeat the current status); nothing leaves or
 * rewrites a final status.
 */
export function canTransition<S extends string>(lc: Lifecycle<S>, from: S, to: S): boolean {
  if (from === to) return !isFinalStatus(lc, from);
  return lc.transitions[from].includes(to);
}

/** Throws `StoreError('invalid_transition')` naming `from → to` unless {@link canTransition}. */
export function assertTransition<S extends string>(
  lc: Lifecycle<S>,
  id: string,
  from: S,
  to: S,
  reason?: string,
): void {
  if (canTransition(lc, from, to)) return;
  throw invalidTransition(lc, id, from, to, reason);
}

/** The `invalid_transition` error for a `from → to` move of record `id` (also used for guards). */
export function invalidTransition<S extends string>(
  lc: Lifecycle<S>,
  id: string,
  from: S,
  to: S,
  reason?: string,
): StoreError {
  const why =
    reason ??
    (isFinalStatus(lc, from)
      ? `${from} is final`
      : `allowed from ${from}: ${lc.transitions[from].join(', ')}`);
  return new StoreError(
    'invalid_transition',
    `${lc.record} ${JSON.stringify(id)}: illegal transition ${from} → ${to} (${why})`,
    {
      details: { record: lc.record, id, from, to, ...(reason === undefined ? {} : { reason }) },
    },
  );
}

/** Throws `invalid_input` unless `status` is one `lc` allows at creation. */
export function assertInitialStatus<S extends string>(
  lc: Lifecycle<S>,
  id: string,
  status: S,
): void {
  if (lc.initial.includes(status)) return;
  throw new StoreError(
    'invalid_input',
    `${lc.record} ${JSON.stringify(id)}: cannot be created as ${status} (allowed: ${lc.initial.join(', ')})`,
    {
      details: { record: lc.record, id, status, allowed: [...lc.initial] },
    },
  );
}
