import { DspexError } from '../errors/index.js';

/**
 * Codes of {@link RetrievalError}:
 * - `dimension_mismatch`: a vector's length differs from the store's.
 * - `invalid_argument`: a bad option or argument (`k` not a positive integer, empty id, …).
 */
export type RetrievalErrorCode = 'dimension_mismatch' | 'invalid_argument';

/**
 * Error raised by `src/retrieval` (vector stores, Retrieve, KNN).
 *
 * @example
 * ```ts
 * try { await store.search([1, 2], 3) } catch (e) {
 *   if (isDspexError(e, 'dimension_mismatch')) console.log(e.details); // { expected: 3, got: 2 }
 * }
 * ```
 */
export class RetrievalError extends DspexError<RetrievalErrorCode> {}
