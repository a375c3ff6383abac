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
import { ToolCalls } from './tool-calls.js';

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
    const typeNotes = customTypeDescriptions(f.type);
    return `${i + 1}. \`${f.name}\` (${pythonTypeName(f.type)}): ${desc}${typeNotes}${constraints}`;
  });
  return pyStrip(lines.join('\n'));
}

/** Whether a type mentions `ToolCalls` anywhere (DSPy's `extract_custom_type_from_annotation`). */
function mentionsToolCalls(t: FieldType): boolean {
  if (t.native === 'toolCalls') return true;
  switch (t.kind) {
    case 'list':
    case 'set':
      return t.item !== undefined && mentionsToolCalls(t.item);
    case 'tuple':
      return (t.items ?? []).some(mentionsToolCalls);
    case 'dict':
      return t.value !== undefined && mentionsToolCalls(t.value);
    case 'union':
      return t.members.some(mentionsToolCalls);
    default:
      return false;
  }
}

/** The `Type description of …` lines DSPy appends for custom types that describe themselves. */
function customTypeDescriptions(t: FieldType): string {
  return mentionsToolCalls(t)
    ? `\n    Type description of ToolCalls: ${ToolCalls.description()}`
    : '';
}

/** The reminder's per-field hint: ` (must be formatted as a valid Python list[str])` for non-str. */
export function pythonFormatHint(field: Field): string {
  if (field.type.native === 'toolCalls') {
    return ' (must be a JSON object like {"tool_calls": [{"name": "...", "args": {...}}]})';
  }
  // DSPy tests `annotation is not str`: `Reasoning` (named `str`) gets the hint too.
  return field.type.kind === 'str' && field.type.native === undefined
    ? ''
    : ` (must be formatted as a valid Python ${pythonTypeName(field.type)})`;
}
