import {
  fieldTypeJsonSchema,
  moveTypeToFront,
  pyJsonDumps,
  pyStr,
  pythonTypeName,
  toJsonable,
  type Field,
  type FieldType,
} from '../signatures/index.js';
import { pyStrip } from './python-text.js';

/** DSPy's `_format_blob`: one list item, guillemet-quoted, multi-line items as an indented block. */
function formatBlob(blob: string): string {
  if (!blob.includes('\n') && !blob.includes('«') && !blob.includes('»')) return `«${blob}»`;
  return `«««\n    ${blob.replaceAll('\n', '\n    ')}\n»»»`;
}

/** DSPy's `_format_input_list_field_value`: `N/A`, `«x»`, or `[1] «a»\n[2] «b»`. */
function formatListForStr(items: readonly unknown[]): string {
  if (items.length === 0) return 'N/A';
  if (items.length === 1) return formatBlob(pyStr(items[0]));
  return items.map((item, i) => `[${i + 1}] ${formatBlob(pyStr(item))}`).join('\n');
}

/**
 * DSPy's `format_field_value`: a list given to a `str` field becomes a numbered list; dicts and
 * lists become compact JSON (`ensure_ascii=False`); scalars their Python `str()` (strings
 * unquoted, `True`, `None`, floats as `1.0` when the field is a float).
 */
export function formatFieldValue(field: Pick<Field, 'type'>, value: unknown): string {
  if (Array.isArray(value) && field.type.kind === 'str') return formatListForStr(value);
  const jsonable = toJsonable(value);
  if (jsonable !== null && typeof jsonable === 'object') return pyJsonDumps(jsonable, field.type);
  return pyStr(jsonable, field.type);
}

/** The type note of an output field (DSPy's `translate_field_type` without the placeholder). */
export function outputTypeNote(field: Pick<Field, 'type' | 'kind'>): string {
  const t: FieldType = field.type;
  if (field.kind === 'input' || t.kind === 'str') return '';
  if (t.kind === 'bool') return 'must be True or False';
  if (t.kind === 'int' || t.kind === 'float') return `must be a single ${t.kind} value`;
  if (t.kind === 'enum') return `must be one of: ${t.members.map(([, v]) => pyStr(v)).join('; ')}`;
  if (t.kind === 'literal') {
    return `must exactly match (no extra characters) one of: ${t.values.map((v) => pyStr(v)).join('; ')}`;
  }
  const schema = moveTypeToFront(fieldTypeJsonSchema(t));
  return `must adhere to the JSON schema: ${pyJsonDumps(schema)}`;
}

/** `{name}` plus, for typed outputs, 8 spaces and `# note: the value you produce …`. */
export function fieldPlaceholder(field: Pick<Field, 'name' | 'type' | 'kind'>): string {
  const note = outputTypeNote(field);
  return `{${field.name}}${note ? `${' '.repeat(8)}# note: the value you produce ${note}` : ''}`;
}

/**
 * DSPy's `get_field_description_string`: ``N. `name` (type): desc`` per field (empty desc when it
 * is the `${name}` placeholder), an optional `Constraints:` line, joined and stripped — which
 * leaves `": "` at the end of every line but the last.
 */
export function fieldDescriptions(fields: readonly Field[]): string {
  const lines = fields.map((f, i) => {
    const desc = f.desc === `\${${f.name}}` ? '' : f.desc;
    const constraints = f.constraints ? `\nConstraints: ${f.constraints}` : '';
    return `${i + 1}. \`${f.name}\` (${pythonTypeName(f.type)}): ${desc}${constraints}`;
  });
  return pyStrip(lines.join('\n'));
}

/** The reminder's per-field hint: ` (must be formatted as a valid Python list[str])` for non-str. */
export function pythonFormatHint(field: Field): string {
  return field.type.kind === 'str'
    ? ''
    : ` (must be formatted as a valid Python ${pythonTypeName(field.type)})`;
}
