import { DspexError } from '../errors/index.js';

/**
 * Codes of {@link SynthesizerError}: `invalid_options` (no seeds, a seed lacking a field, a bad
 * `n` or `batchSize`).
 */
export type SynthesizerErrorCode = 'invalid_options';

/**
 * Error raised by the {@link Synthesizer} before any LM call.
 *
 * @example
 * ```ts
 * try { new Synthesizer({ signature: 'q -> a', seeds: [] }) } catch (e) {
 *   if (isDspexError(e, 'invalid_options')) console.log(e.message);
 * }
 * ```
 */
export class SynthesizerError extends DspexError<SynthesizerErrorCode> {}
