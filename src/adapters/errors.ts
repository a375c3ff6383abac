import { DspexError } from '../errors/index.js';
import type { Signature } from '../signatures/index.js';

/** Codes of adapter errors. */
export type AdapterErrorCode = 'adapter_parse';

/**
 * An LM completion that an adapter could not turn into the signature's outputs (DSPy's
 * `AdapterParseError`). The message matches DSPy's byte for byte:
 * `Adapter JSONAdapter failed to parse the LM response. \n\nLM Response: … \n\nExpected to find
 * output fields in the LM response: [answer] \n\n` plus the fields actually parsed, when known.
 * ChatAdapter falls back to JSONAdapter on this error (and only on this error).
 *
 * @example
 * ```ts
 * try { new ChatAdapter().parse(sig, text) } catch (e) {
 *   if (e instanceof AdapterParseError) console.log(e.adapterName, e.parsedResult);
 * }
 * ```
 */
export class AdapterParseError extends DspexError<AdapterErrorCode> {
  readonly adapterName: string;
  readonly signature: Signature;
  readonly lmResponse: string;
  readonly parsedResult: Record<string, unknown> | undefined;

  constructor(init: {
    adapterName: string;
    signature: Signature;
    lmResponse: string;
    message?: string;
    parsedResult?: Record<string, unknown>;
    cause?: unknown;
  }) {
    const expected = init.signature.outputFields.map((f) => f.name).join(', ');
    let message = init.message ? `${init.message}\n\n` : '';
    message +=
      `Adapter ${init.adapterName} failed to parse the LM response. \n\n` +
      `LM Response: ${init.lmResponse} \n\n` +
      `Expected to find output fields in the LM response: [${expected}] \n\n`;
    if (init.parsedResult !== undefined) {
      message += `Actual output fields parsed from the LM response: [${Object.keys(init.parsedResult).join(', ')}] \n\n`;
    }
    super('adapter_parse', message, {
      ...(init.cause !== undefined ? { cause: init.cause } : {}),
      details: {
        adapterName: init.adapterName,
        signature: init.signature.toString(),
        lmResponse: init.lmResponse,
        ...(init.parsedResult !== undefined
          ? { parsedFields: Object.keys(init.parsedResult) }
          : {}),
      },
    });
    this.adapterName = init.adapterName;
    this.signature = init.signature;
    this.lmResponse = init.lmResponse;
    this.parsedResult = init.parsedResult;
  }
}
