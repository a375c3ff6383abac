import { DspexError } from '../errors/index.js';

/** Codes of signature errors: a malformed spec, or a value that does not fit a field's type. */
export type SignatureErrorCode = 'invalid_signature' | 'invalid_value';

/**
 * A signature spec that cannot be turned into a {@link Signature} (code `invalid_signature`), or a
 * value rejected by a field type (code `invalid_value`). Messages follow DSPy's where DSPy has one,
 * e.g. `Invalid signature format: 'a b', must contain exactly one '->'.`
 *
 * @example
 * ```ts
 * try { signature('value -> value') } catch (e) {
 *   if (e instanceof SignatureError && e.code === 'invalid_signature') console.error(e.message);
 * }
 * ```
 */
export class SignatureError extends DspexError<SignatureErrorCode> {
  constructor(
    message: string,
    options: { code?: SignatureErrorCode; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    const { code = 'invalid_signature', ...rest } = options;
    super(code, message, rest);
  }
}
