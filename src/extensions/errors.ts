import { DspexError } from '../errors/index.js';

/**
 * Codes of {@link ExtensionError}: `invalid_extension` (an `extensions` export of the wrong shape),
 * `extension_clash` (a name already taken by a built-in or another module), `unknown_extension`
 * (a name nothing registered; the message lists what is).
 */
export type ExtensionErrorCode = 'invalid_extension' | 'extension_clash' | 'unknown_extension';

/**
 * Error of the extension registry: every message names the kind and the name, and an unknown name
 * lists the registered ones (built-ins and extensions).
 *
 * @example
 * ```ts
 * try { registry.resolve('metrics', 'f2') } catch (e) {
 *   if (isDspexError(e, 'unknown_extension')) console.log(e.message); // unknown metric 'f2' (registered: …)
 * }
 * ```
 */
export class ExtensionError extends DspexError<ExtensionErrorCode> {}
