import type { Adapter, AdapterCallArgs } from '../adapters/index.js';
import type { LM } from '../lm/types.js';
import type { FieldOptions, Signature } from '../signatures/index.js';

/** Input fields to add to one adapter call: name, field options and value. */
export type InjectedInputs = readonly (readonly [string, FieldOptions, unknown])[];

/**
 * Wraps an adapter so that calls made with some signatures get extra input fields appended to the
 * signature and inputs before reaching `inner` (DSPy's `WrapperAdapter` trick, used by Refine's
 * hints and by output-check retries). `inject` returns the fields for a signature, or nothing.
 */
export function injectingAdapter(
  inner: Adapter,
  inject: (signature: Signature) => InjectedInputs | undefined,
): Adapter {
  return {
    name: inner.name,
    format: (sig, demos, inputs) => inner.format(sig, demos, inputs),
    parse: (sig, text) => inner.parse(sig, text),
    call: (lm: LM, args: AdapterCallArgs) => {
      const extra = inject(args.signature);
      if (extra === undefined || extra.length === 0) return inner.call(lm, args);
      let signature = args.signature;
      const inputs = { ...args.inputs };
      for (const [name, options, value] of extra) {
        signature = signature.append(name, 'input', options);
        inputs[name] = value;
      }
      return inner.call(lm, { ...args, signature, inputs });
    },
  };
}
