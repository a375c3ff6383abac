import type { FieldType } from './field-type.js';
import { FieldTypes } from './field-type.js';
import { SignatureError } from './errors.js';
import { parseTypeAnnotation, type CustomTypes } from './type-parser.js';

/** One field as written in a string signature. */
export interface ParsedField {
  readonly name: string;
  readonly type: FieldType;
  /** No annotation was written (DSPy's `IS_TYPE_UNDEFINED`; the type defaults to `str`). */
  readonly typeUndefined: boolean;
}

const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except ' +
    'finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'
  ).split(' '),
);

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** Splits on commas that are not nested in brackets, parentheses or quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Parses one side of a signature as Python would parse a parameter list (`def f(<side>)`):
 * identifiers in order, optional `: Type`, a trailing comma allowed, duplicates rejected.
 */
export function parseFieldList(side: string, customTypes: CustomTypes = {}): ParsedField[] {
  const pieces = splitTopLevel(side);
  if (pieces.length > 1 && (pieces[pieces.length - 1] ?? '').trim() === '') pieces.pop();
  if (pieces.length === 1 && (pieces[0] ?? '').trim() === '') return [];
  const fields: ParsedField[] = [];
  for (const piece of pieces) {
    const colon = piece.indexOf(':');
    const name = (colon < 0 ? piece : piece.slice(0, colon)).trim();
    if (!IDENTIFIER.test(name) || PYTHON_KEYWORDS.has(name)) {
      throw new SignatureError(
        `Invalid field name ${JSON.stringify(name)} in signature part '${side}': field names must be identifiers.`,
        { details: { name, part: side } },
      );
    }
    if (fields.some((f) => f.name === name)) {
      throw new SignatureError(`Duplicate field name '${name}' in signature part '${side}'.`, {
        details: { name, part: side },
      });
    }
    if (colon < 0) {
      fields.push({ name, type: FieldTypes.str, typeUndefined: true });
    } else {
      const annotation = piece.slice(colon + 1).trim();
      if (annotation === '') {
        throw new SignatureError(`Missing type annotation for field '${name}' in '${side}'.`);
      }
      fields.push({
        name,
        type: parseTypeAnnotation(annotation, customTypes),
        typeUndefined: false,
      });
    }
  }
  return fields;
}

/**
 * Parses `"in1, in2: int -> out: list[str]"` into ordered input and output fields, with DSPy's
 * errors: exactly one `->`, and no name on both sides.
 *
 * @example
 * ```ts
 * parseSignatureString('question -> answer: int').outputs[0]?.type // { kind: 'int' }
 * ```
 */
export function parseSignatureString(
  spec: string,
  customTypes: CustomTypes = {},
): {
  inputs: ParsedField[];
  outputs: ParsedField[];
} {
  if (spec.split('->').length !== 2) {
    throw new SignatureError(
      `Invalid signature format: '${spec}', must contain exactly one '->'.`,
      {
        details: { signature: spec },
      },
    );
  }
  const [left = '', right = ''] = spec.split('->');
  const inputs = parseFieldList(left, customTypes);
  const outputs = parseFieldList(right, customTypes);
  const outputNames = new Set(outputs.map((f) => f.name));
  const duplicates = [
    ...new Set(inputs.map((f) => f.name).filter((n) => outputNames.has(n))),
  ].sort();
  if (duplicates.length > 0) {
    throw new SignatureError(
      `Input and output fields must have distinct names, but found duplicates: '${duplicates.join(', ')}'.`,
      { details: { duplicates } },
    );
  }
  return { inputs, outputs };
}
