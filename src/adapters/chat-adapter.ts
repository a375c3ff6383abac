import type { LM } from '../lm/types.js';
import type { AdapterCallArgs, AdapterCallResult } from './adapter.js';
import { AdapterParseError } from './errors.js';
import { JSONAdapter } from './json-adapter.js';
import { MarkerAdapter } from './marker-adapter.js';

/** Options of {@link ChatAdapter}. */
export interface ChatAdapterOptions {
  /** Re-run the call with a {@link JSONAdapter} when parsing fails (default true, as in DSPy). */
  useJsonAdapterFallback?: boolean;
  /** Pass request `tools`/`toolChoice` to the LM (default false, as in DSPy: they are dropped). */
  useNativeFunctionCalling?: boolean;
}

/**
 * DSPy's default adapter, byte for byte: fields framed by `[[ ## name ## ]]` markers, a
 * `[[ ## completed ## ]]` terminator, type notes for non-string outputs, and an output reminder
 * in the last user message. When a completion cannot be parsed it re-runs the call with a
 * {@link JSONAdapter} (only on {@link AdapterParseError}; LM errors propagate).
 *
 * @example
 * ```ts
 * const adapter = new ChatAdapter();
 * const messages = adapter.format(signature('question -> answer'), [], { question: 'Why?' });
 * adapter.parse(signature('question -> answer'), '[[ ## answer ## ]]\nBecause.'); // { answer: 'Because.' }
 * ```
 */
export class ChatAdapter extends MarkerAdapter {
  override readonly name: string = 'ChatAdapter';
  readonly useJsonAdapterFallback: boolean;

  constructor(options: ChatAdapterOptions = {}) {
    super(
      options.useNativeFunctionCalling === undefined
        ? {}
        : { useNativeFunctionCalling: options.useNativeFunctionCalling },
    );
    this.useJsonAdapterFallback = options.useJsonAdapterFallback ?? true;
  }

  override call(lm: LM, args: AdapterCallArgs): Promise<AdapterCallResult> {
    // A rejection handler rather than `async`/`await`: one derived promise per prediction instead
    // of an async frame's promise and its await (which cost more with async hooks on).
    let attempt: Promise<AdapterCallResult>;
    try {
      attempt = super.call(lm, args);
    } catch (e) {
      // A subclass's synchronous throw is handled as the rejection `async` made of it.
      attempt = Promise.reject(e);
    }
    return attempt.then(undefined, (e: unknown) => {
      if (!(e instanceof AdapterParseError) || !this.useJsonAdapterFallback) {
        throw e;
      }
      // Same native-function-calling flag, as DSPy's `_make_json_adapter_fallback`.
      return new JSONAdapter({ useNativeFunctionCalling: this.useNativeFunctionCalling }).call(
        lm,
        args,
      );
    });
  }
}
