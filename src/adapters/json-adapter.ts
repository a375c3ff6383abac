import type { LM, LMRequest, ResponseFormat } from '../lm/types.js';
import {
  jsonRepairLoads,
  parseValue,
  SignatureError,
  pyJsonDumps,
  type Field,
  type Signature,
  isRecord,
} from '../signatures/index.js';
import {
  applyOutputDefaults,
  hasExactlyOutputs,
  outputOrMissing,
  type AdapterCallArgs,
  type AdapterCallResult,
} from './adapter.js';
import { AdapterParseError } from './errors.js';
import { fieldPlaceholder, pythonFormatHint } from './field-format.js';
import { formatMarkedFields, MarkerAdapter } from './marker-adapter.js';
import { pyStrip } from './python-text.js';
import { hasOpenEndedMapping, outputsModel, structuredOutputFormat } from './structured-output.js';

/** An LM that may say whether it honours strict JSON-schema outputs (see {@link JSONAdapter}). */
interface StructuredOutputCapable {
  readonly supportsStructuredOutputs?: unknown;
}

/**
 * The first balanced `{…}` in the text: what DSPy's `regex.search(r"\{(?:[^{}]|(?R))*\}")`
 * finds (the leftmost `{` whose braces balance; quotes are not special).
 */
function firstBalancedObject(text: string): string | undefined {
  for (let s = text.indexOf('{'); s >= 0; s = text.indexOf('{', s + 1)) {
    let depth = 0;
    for (let i = s; i < text.length; i++) {
      const ch = text[i];
      if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) return text.slice(s, i + 1);
    }
  }
  return undefined;
}

/**
 * DSPy's `JSONAdapter`: inputs keep the `[[ ## name ## ]]` markers, outputs are one JSON object.
 * The response format depends on the LM's optional `supportsStructuredOutputs` flag:
 * `true` → strict `json_schema` built from the output fields (JSON mode instead when an output is
 * an open-ended dict); `false` → `json_object` (JSON mode); absent → no response format (DSPy's
 * behaviour for LMs that do not support `response_format`). If a structured call fails to parse,
 * the call is repeated once in JSON mode; LM errors always propagate. As in DSPy, a value that
 * does not fit its field's type is not wrapped in an {@link AdapterParseError}: the
 * {@link SignatureError} (DSPy: pydantic's ValidationError, or ValueError for a Literal) surfaces.
 *
 * @example
 * ```ts
 * const { outputs } = await new JSONAdapter().call(lm, { signature: sig, demos: [], inputs });
 * ```
 */
export class JSONAdapter extends MarkerAdapter {
  override readonly name: string = 'JSONAdapter';

  /** `useNativeFunctionCalling` defaults to true here, as in DSPy. */
  constructor(options: { useNativeFunctionCalling?: boolean } = {}) {
    super({ useNativeFunctionCalling: options.useNativeFunctionCalling ?? true });
  }

  override async call(lm: LM, args: AdapterCallArgs): Promise<AdapterCallResult> {
    const request: Partial<LMRequest> = { ...(args.request ?? {}) };
    const support = (lm as LM & StructuredOutputCapable).supportsStructuredOutputs;
    if (support !== true && support !== false) return this.callWith(lm, args, request);
    // The schema covers only what the LM writes as text (native tool calls/reasoning excluded).
    const rendered = this.planCall(lm, args, request).signature;
    if (support === false || hasOpenEndedMapping(rendered)) {
      return this.callWith(lm, args, { ...request, responseFormat: { type: 'json_object' } });
    }
    let responseFormat: ResponseFormat;
    try {
      responseFormat = structuredOutputFormat(rendered);
    } catch {
      return this.callWith(lm, args, { ...request, responseFormat: { type: 'json_object' } });
    }
    try {
      return await this.callWith(lm, args, { ...request, responseFormat });
    } catch (e) {
      // Only parse-side failures (the adapter's, or a value that fails its type) retry in JSON
      // mode; provider errors surface unchanged.
      if (!(e instanceof AdapterParseError) && !(e instanceof SignatureError)) throw e;
      return this.callWith(lm, args, { ...request, responseFormat: { type: 'json_object' } });
    }
  }

  protected override formatFieldStructure(sig: Signature): string {
    const inputs = formatMarkedFields(
      sig.inputFields.map((f) => [f, fieldPlaceholder(f)] as [Field, unknown]),
    );
    const outputs = pyJsonDumps(
      Object.fromEntries(sig.outputFields.map((f) => [f.name, fieldPlaceholder(f)])),
      undefined,
      2,
    );
    return pyStrip(
      [
        'All interactions will be structured in the following way, with the appropriate values filled in.',
        'Inputs will have the following structure:',
        inputs,
        'Outputs will be a JSON object with the following fields.',
        outputs,
      ].join('\n\n'),
    );
  }

  override userMessageOutputRequirements(sig: Signature): string {
    const fields = sig.outputFields
      .map((f) => `\`${f.name}\`${pythonFormatHint(f)}`)
      .join(', then ');
    return `Respond with a JSON object in the following order of fields: ${fields}.`;
  }

  protected override formatAssistantMessageContent(
    sig: Signature,
    outputs: Record<string, unknown>,
    missing?: string,
  ): string {
    const record = Object.fromEntries(
      sig.outputFields.map((f) => [f.name, outputOrMissing(outputs, f.name, missing)]),
    );
    return pyJsonDumps(record, outputsModel(sig), 2);
  }

  /**
   * Reads the completion with {@link jsonRepairLoads}; when that is not an object, the first
   * balanced `{…}` in the text is read instead (DSPy's recursive-regex search). Keeps only output
   * fields and converts each with `parseValue`, whose SignatureError propagates unwrapped (DSPy
   * lets pydantic's ValidationError through here); then fills optional defaults and checks the
   * field set.
   */
  protected override parseCompletion(sig: Signature, completion: string): Record<string, unknown> {
    let text = completion;
    let parsed: unknown = jsonRepairLoads(text);
    if (!isRecord(parsed)) {
      const candidate = firstBalancedObject(text);
      if (candidate !== undefined) {
        text = candidate;
        parsed = jsonRepairLoads(text);
      }
    }
    if (!isRecord(parsed)) {
      throw new AdapterParseError({
        adapterName: this.name,
        signature: sig,
        lmResponse: text,
        message: 'LM response cannot be serialized to a JSON object.',
      });
    }
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(parsed)) {
      const f = sig.outputFields.find((o) => o.name === k);
      if (f) fields[k] = parseValue(v, f.type);
    }
    const completed = applyOutputDefaults(sig, fields);
    if (!hasExactlyOutputs(sig, completed)) {
      throw new AdapterParseError({
        adapterName: this.name,
        signature: sig,
        lmResponse: text,
        parsedResult: completed,
      });
    }
    return completed;
  }
}
