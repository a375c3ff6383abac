import { parseValue, splitLinesPy, type Field, type Signature } from '../signatures/index.js';
import { BaseAdapter, applyOutputDefaults, hasExactlyOutputs, outputOrMissing } from './adapter.js';
import { AdapterParseError } from './errors.js';
import {
  fieldDescriptions,
  fieldPlaceholder,
  formatFieldValue,
  pythonFormatHint,
} from './field-format.js';
import { pyStrip } from './python-text.js';

const FIELD_HEADER = /^\[\[ ## ([\p{L}\p{N}\p{Mn}\p{Pc}]+) ## \]\]/u;

/** `[[ ## name ## ]]\nvalue` blocks joined by blank lines (DSPy's `format_field_with_value`). */
export function formatMarkedFields(entries: readonly [Field, unknown][]): string {
  return pyStrip(
    entries.map(([f, v]) => `[[ ## ${f.name} ## ]]\n${formatFieldValue(f, v)}`).join('\n\n'),
  );
}

/**
 * The `[[ ## name ## ]]` marker format shared by {@link ChatAdapter} (which adds the JSON
 * fallback) and {@link JSONAdapter} (which keeps the marker format for inputs). Every method
 * reproduces the DSPy 3.3 `ChatAdapter` method of the same name byte for byte.
 */
export class MarkerAdapter extends BaseAdapter {
  readonly name: string = 'ChatAdapter';

  protected formatFieldDescription(sig: Signature): string {
    return (
      `Your input fields are:\n${fieldDescriptions(sig.inputFields)}\n` +
      `Your output fields are:\n${fieldDescriptions(sig.outputFields)}`
    );
  }

  protected formatFieldStructure(sig: Signature): string {
    const placeholders = (fields: readonly Field[]) =>
      formatMarkedFields(fields.map((f) => [f, fieldPlaceholder(f)] as [Field, unknown]));
    return pyStrip(
      [
        'All interactions will be structured in the following way, with the appropriate values filled in.',
        placeholders(sig.inputFields),
        placeholders(sig.outputFields),
        '[[ ## completed ## ]]\n',
      ].join('\n\n'),
    );
  }

  protected formatUserMessageContent(
    sig: Signature,
    inputs: Record<string, unknown>,
    options: { prefix?: string; mainRequest?: boolean } = {},
  ): string {
    const parts = [options.prefix ?? ''];
    for (const f of sig.inputFields) {
      if (inputs[f.name] !== undefined)
        parts.push(`[[ ## ${f.name} ## ]]\n${formatFieldValue(f, inputs[f.name])}`);
    }
    if (options.mainRequest) parts.push(this.userMessageOutputRequirements(sig));
    parts.push('');
    return pyStrip(parts.join('\n\n'));
  }

  /** Output reminders already built, per (frozen) signature: they depend on nothing else. */
  private readonly outputRequirements = new WeakMap<Signature, string>();

  /** The reminder at the end of the main request. */
  userMessageOutputRequirements(sig: Signature): string {
    let reminder = this.outputRequirements.get(sig);
    if (reminder === undefined) {
      const fields = sig.outputFields
        .map((f) => `\`[[ ## ${f.name} ## ]]\`${pythonFormatHint(f)}`)
        .join(', then ');
      reminder =
        `Respond with the corresponding output fields, starting with the field ${fields}, ` +
        'and then ending with the marker for `[[ ## completed ## ]]`.';
      this.outputRequirements.set(sig, reminder);
    }
    return reminder;
  }

  protected formatAssistantMessageContent(
    sig: Signature,
    outputs: Record<string, unknown>,
    missing?: string,
  ): string {
    const body = formatMarkedFields(
      sig.outputFields.map(
        (f) => [f, outputOrMissing(outputs, f.name, missing)] as [Field, unknown],
      ),
    );
    return `${body}\n\n[[ ## completed ## ]]\n`;
  }

  /**
   * Splits the completion into `[[ ## name ## ]]` sections; the first section of each output
   * wins; unknown headers and text before the first header are ignored; values go through
   * `parseValue`; missing optional outputs take their defaults.
   */
  protected parseCompletion(sig: Signature, completion: string): Record<string, unknown> {
    const sections: [string | null, string[]][] = [[null, []]];
    for (const line of splitLinesPy(completion)) {
      const stripped = pyStrip(line);
      const match = FIELD_HEADER.exec(stripped);
      if (match) {
        // DSPy slices the unstripped line at the stripped match's end, which garbles indented
        // headers; slicing the stripped line keeps the text after the header intact.
        const rest = pyStrip(stripped.slice(match[0].length));
        sections.push([match[1] ?? '', rest ? [rest] : []]);
      } else {
        (sections[sections.length - 1] as [string | null, string[]])[1].push(line);
      }
    }
    const fields: Record<string, unknown> = {};
    for (const [name, lines] of sections) {
      if (name === null || name in fields) continue;
      const f = sig.outputFields.find((o) => o.name === name);
      if (!f) continue;
      const value = pyStrip(lines.join('\n'));
      try {
        fields[name] = parseValue(value, f.type);
      } catch (e) {
        throw new AdapterParseError({
          adapterName: this.name,
          signature: sig,
          lmResponse: completion,
          message: `Failed to parse field ${name} with value ${value} from the LM response. Error message: ${(e as Error).message}`,
          cause: e,
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
