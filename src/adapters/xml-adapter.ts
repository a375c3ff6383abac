import {
  isValidationError,
  parseValue,
  pyRepr,
  pyStr,
  pythonTypeName,
  toJsonable,
  validateValue,
  type Field,
  type FieldType,
  type Signature,
} from '../signatures/index.js';
import { applyOutputDefaults, hasExactlyOutputs, outputOrMissing } from './adapter.js';
import { ChatAdapter } from './chat-adapter.js';
import { AdapterParseError } from './errors.js';
import { fieldPlaceholder, formatFieldValue } from './field-format.js';
import { pyStrip } from './python-text.js';
import { parseXml, type XmlElement } from './xml-reader.js';
import {
  elementsToValue,
  escapeText,
  groupChildren,
  usesNestedXml,
  valueToXml,
  xmlSchema,
} from './xml-values.js';

/**
 * DSPy's XML value conversion: `parse_value` first; when that fails validation (not a Literal or
 * enum mismatch), the value is validated as it stands, so the raw text can still fill a `str`
 * member of a union.
 */
function parseOrRawText(value: unknown, type: FieldType): unknown {
  try {
    return parseValue(value, type);
  } catch (e) {
    if (!isValidationError(e)) throw e;
    return validateValue(value, type);
  }
}

/** How Python prints the field in XMLAdapter's message (pydantic's `FieldInfo` repr). */
function fieldInfoRepr(f: Field): string {
  const required = f.hasDefault || f.defaultFactory ? 'False' : 'True';
  const def = f.hasDefault ? ` default=${pyRepr(f.default)}` : '';
  const extra = [
    `'__dspy_field_type': 'output'`,
    `'prefix': ${pyRepr(f.prefix)}`,
    `'desc': ${pyRepr(f.desc)}`,
    ...(f.constraints ? [`'constraints': ${pyRepr(f.constraints)}`] : []),
  ];
  return `annotation=${pythonTypeName(f.type)} required=${required}${def} json_schema_extra={${extra.join(', ')}}`;
}

/**
 * DSPy's `XMLAdapter`: every field framed as `<name>\n…\n</name>`, lists/dicts/models of outputs
 * as nested XML, and a strict XML parse of the completion. Like DSPy's it inherits ChatAdapter's
 * fallback to JSONAdapter on parse failures.
 *
 * @example
 * ```ts
 * new XMLAdapter().parse(signature('q -> answer'), '<answer>Paris</answer>'); // { answer: 'Paris' }
 * ```
 */
export class XMLAdapter extends ChatAdapter {
  override readonly name: string = 'XMLAdapter';

  /** `<name>\nvalue\n</name>` blocks (nested XML for structured outputs), joined by blank lines. */
  protected formatFieldWithValue(entries: readonly [Field, unknown][]): string {
    const out = entries.map(([f, value]) => {
      const serialized = toJsonable(value);
      const isOutput = f.kind === 'output';
      if (
        isOutput &&
        usesNestedXml(f.type) &&
        serialized !== null &&
        typeof serialized === 'object'
      ) {
        return valueToXml(serialized, f.name, f.type);
      }
      let formatted = formatFieldValue(f, value);
      if (isOutput && f.type.kind === 'str') formatted = escapeText(formatted);
      return `<${f.name}>\n${formatted}\n</${f.name}>`;
    });
    return pyStrip(out.join('\n\n'));
  }

  protected override formatFieldStructure(sig: Signature): string {
    const format = (f: Field) =>
      f.kind === 'output' && usesNestedXml(f.type)
        ? xmlSchema(f.name, f.type)
        : this.formatFieldWithValue([[f, fieldPlaceholder(f)]]);
    return [
      'All interactions will be structured in the following way, with the appropriate values filled in.',
      sig.inputFields.map(format).join('\n\n'),
      sig.outputFields.map(format).join('\n\n'),
    ].join('\n\n');
  }

  protected override formatUserMessageContent(
    sig: Signature,
    inputs: Record<string, unknown>,
    options: { prefix?: string; mainRequest?: boolean } = {},
  ): string {
    const entries = sig.inputFields
      .filter((f) => inputs[f.name] !== undefined)
      .map((f) => [f, inputs[f.name]] as [Field, unknown]);
    const parts = [options.prefix ?? '', this.formatFieldWithValue(entries)];
    if (options.mainRequest) parts.push(this.userMessageOutputRequirements(sig));
    parts.push('');
    return pyStrip(parts.join('\n\n'));
  }

  override userMessageOutputRequirements(sig: Signature): string {
    const fields = sig.outputFields.map((f) => `\`<${f.name}>\``).join(', then ');
    const schemas = sig.outputFields
      .filter((f) => usesNestedXml(f.type))
      .map((f) => xmlSchema(f.name, f.type));
    return (
      `Respond with the corresponding output fields wrapped in XML tags ${fields}.` +
      (schemas.length > 0 ? ` Use this nested XML structure: ${schemas.join(' ')}` : '')
    );
  }

  protected override formatAssistantMessageContent(
    sig: Signature,
    outputs: Record<string, unknown>,
    missing?: string,
  ): string {
    return this.formatFieldWithValue(
      sig.outputFields.map(
        (f) => [f, outputOrMissing(outputs, f.name, missing)] as [Field, unknown],
      ),
    );
  }

  protected override parseCompletion(sig: Signature, completion: string): Record<string, unknown> {
    let root: XmlElement;
    try {
      // XML parsers read \r\n and a lone \r as \n (XML 1.0 §2.11), as ElementTree does.
      root = parseXml(`<dspy_root>${completion.replace(/\r\n?/g, '\n')}</dspy_root>`);
    } catch (e) {
      throw new AdapterParseError({
        adapterName: this.name,
        signature: sig,
        lmResponse: completion,
        message: `Failed to parse XML: ${(e as Error).message}`,
        cause: e,
      });
    }
    const elements = groupChildren(root);
    const fields: Record<string, unknown> = {};
    for (const f of sig.outputFields) {
      const found = elements.get(f.name);
      if (!found) continue;
      const candidates = [f.type, ...(f.type.kind === 'union' ? f.type.members : [])];
      let value: unknown = null;
      let error: unknown;
      let ok = false;
      for (const candidate of candidates) {
        try {
          value = elementsToValue(found, candidate);
          fields[f.name] = parseOrRawText(value, f.type);
          ok = true;
          break;
        } catch (e) {
          error = e;
        }
      }
      if (!ok) {
        throw new AdapterParseError({
          adapterName: this.name,
          signature: sig,
          lmResponse: completion,
          message: `Failed to parse field ${fieldInfoRepr(f)} with value ${pyStr(value)}: ${(error as Error).message}`,
          cause: error,
        });
      }
    }
    const completed = applyOutputDefaults(sig, fields);
    if (!hasExactlyOutputs(sig, completed)) {
      throw new AdapterParseError({
        adapterName: this.name,
        signature: sig,
        lmResponse: completion,
        parsedResult: completed,
      });
    }
    return completed;
  }
}
