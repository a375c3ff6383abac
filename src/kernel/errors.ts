import { DspexError } from '../errors/index.js';

/**
 * Codes of the kernel's errors:
 * - `noproc`: the target of a call/monitor/API call is dead or unknown (OTP `noproc`)
 * - `timeout`: a `call` got no reply in time (the callee keeps running; a late reply is dropped)
 * - `callee_exit`: the callee died during a `call` (`details.reason` is its exit reason)
 * - `invalid_child_spec` / `invalid_flags`: validation failed before anything started
 *   (`details.reason` is the OTP-style reason term, e.g. `{invalid_shutdown,-1}`)
 * - `bad_message`: a gen server refused a call whose message its schema rejects (`details.issues`)
 */
export type KernelErrorCode =
  'noproc' | 'timeout' | 'callee_exit' | 'invalid_child_spec' | 'invalid_flags' | 'bad_message';

/**
 * An error raised by the kernel API (never by supervision itself, whose failures are data).
 *
 * @example
 * ```ts
 * try { await call(pid, { type: 'get' }) } catch (e) {
 *   if (isDspexError(e, 'callee_exit')) console.log(formatTerm(e.details.reason as Term));
 * }
 * ```
 */
export class KernelError extends DspexError<KernelErrorCode> {}
