import { DspexError } from '../errors/index.js';

/** Stable codes of optimizer failures. */
export type OptimizerErrorCode =
  /** An option or argument is out of range (names the offending value in `details`). */
  | 'invalid_option'
  /** Student and teacher differ in structure or signatures (DSPy asserts the same). */
  | 'program_mismatch'
  /** The student was already compiled by a bootstrap optimizer. */
  | 'already_compiled'
  /** Bootstrapping hit its error budget (`maxErrors`); `cause` is the last error. */
  | 'max_errors_exceeded';

/**
 * Error thrown by optimizers. Branch on `code`, never on the message.
 *
 * @example
 * ```ts
 * try { await opt.compile(prog, { trainset }) } catch (e) {
 *   if (e instanceof OptimizerError && e.code === 'max_errors_exceeded') console.error(e.cause);
 * }
 * ```
 */
export class OptimizerError extends DspexError<OptimizerErrorCode> {}
