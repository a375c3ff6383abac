import { DspexError } from '../errors/dspex-error.js';

/**
 * Codes of store failures (a closed union: callers branch on these, never on message text).
 *
 * - `not_found`: no record with that key.
 * - `conflict`: a record with that key (or job id) already exists.
 * - `invalid_transition`: the requested status change (or an update of a record in a final status)
 *   is not allowed by the record's lifecycle; `details` names `from` and `to`.
 * - `stale_revision`: an optimistic-concurrency check failed (the record changed since it was read);
 *   retryable: read again and retry.
 * - `invalid_input`: a create/update/query argument failed validation; `details.issues` lists them.
 * - `corrupt_record`: a stored value no longer matches its schema (written by something else).
 * - `unavailable`: the backend (Redis) could not be reached; retryable.
 */
export type StoreErrorCode =
  | 'not_found'
  | 'conflict'
  | 'invalid_transition'
  | 'stale_revision'
  | 'invalid_input'
  | 'corrupt_record'
  | 'unavailable';

/**
 * The one error class of `src/store`.
 *
 * @example
 * ```ts
 * try {
 *   await store.executions.update(id, { status: 'running' });
 * } catch (e) {
 *   if (isDspexError(e, 'invalid_transition')) log.warn(e.details); // { record, id, from, to }
 * }
 * ```
 */
export class StoreError extends DspexError<StoreErrorCode> {}
