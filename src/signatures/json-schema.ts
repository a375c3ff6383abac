import type { FieldType } from './field-type.js';
import { toJsonable } from './python-format.js';

/** A JSON Schema object (structurally the same as the LM layer's `JsonSchema`). */
export type JsonSchema = { [key: string]: unknown };

/** Models without a user-given name are inlined rather than put in `$defs` (names could clash). */
export const ANONYMOUS_MODEL_NAME = 'dict';

/** Python's `str.title()` on a field name, then `_` → space: Pydantic's default property title. */
export function pydanticTitle(name: string): string {
  let out = '';
  let prevLetter = false;
  for (const ch of name) {
    const letter = ch.toLowerCase() !== ch.toUpperCase();
    out += letter ? (prevLetter ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    prevLetter = letter;
  }
  return out.replaceAll('_', ' ');
}

function literalSchema(values: readonly (string | number | boolean | null)[]): JsonSchema {
  const kinds = new Set(
    values.map((v) =>
      v === null
        ? 'null'
        : typeof v === 'string'
          ? 'string'
          : typeof v === 'boolean'
            ? 'boolean'
            : Number.isInteger(v)
              ? 'integer'
              : 'number',
    ),
  );
  const base: JsonSchema = values.length === 1 ? { const: values[0] } : { enum: [...values] };
  if (kinds.size === 1) base['type'] = [...kinds][0];
  return base;
}

/**
 * `maxItems` / `minItems` of a list whose zod schema bounds its length (e.g. `embedding[768]`), as
 * Pydantic writes them for `Annotated[list[float], Field(min_length=…, max_length=…)]`.
 */
function lengthBounds(t: FieldType): { maxItems?: number; minItems?: number } {
  const checks =
    (t.zod as unknown as { _zod?: { def?: { checks?: { _zod: { def: LengthCheck } }[] } } })?._zod
      ?.def?.checks ?? [];
  const out: { maxItems?: number; minItems?: number } = {};
  for (const c of checks) {
    const d = c._zod.def;
    if (d.check === 'max_length' && typeof d.maximum === 'number') out.maxItems = d.maximum;
    if (d.check === 'min_length' && typeof d.minimum === 'number') out.minItems = d.minimum;
  }
  return out;
}

interface LengthCheck {
  check?: string;
  minimum?: unknown;
  maximum?: unknown;
}

function build(t: FieldType, defs: Map<string, JsonSchema>, top: boolean): JsonSchema {
  switch (t.kind) {
    case 'str':
      return { type: 'string' };
    case 'int':
      return { type: 'integer' };
    case 'float':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'none':
      return { type: 'null' };
    case 'any':
      return {};
    case 'list':
      return {
        items: t.item ? build(t.item, defs, false) : {},
        ...lengthBounds(t),
        type: 'array',
      };
    case 'set':
      return { items: t.item ? build(t.item, defs, false) : {}, type: 'array', uniqueItems: true };
    case 'tuple':
      if (!t.items) return { items: {}, type: 'array' };
      return {
        maxItems: t.items.length,
        minItems: t.items.length,
        prefixItems: t.items.map((i) => build(i, defs, false)),
        type: 'array',
      };
    case 'dict':
      return {
        additionalProperties:
          t.value && t.value.kind !== 'any' ? build(t.value, defs, false) : true,
        type: 'object',
      };
    case 'literal':
      return literalSchema(t.values);
    case 'enum': {
      // Pydantic puts an Enum class in $defs (inline at the top level), titled by its name.
      const body: JsonSchema = { ...literalSchema(t.members.map(([, v]) => v)), title: t.name };
      if (t.members.length === 1) {
        body['enum'] = [body['const']];
        delete body['const'];
      }
      if (top) return body;
      defs.set(t.name, body);
      return { $ref: `#/$defs/${t.name}` };
    }
    case 'union':
      return { anyOf: t.members.map((m) => build(m, defs, false)) };
    case 'history':
      return build(
        {
          kind: 'model',
          name: 'History',
          properties: [
            {
              name: 'messages',
              type: {
                kind: 'list',
                item: { kind: 'dict', key: { kind: 'str' }, value: { kind: 'any' } },
              },
              required: true,
            },
          ],
        },
        defs,
        top,
      );
    case 'model': {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const p of t.properties) {
        const schema: JsonSchema = { ...build(p.type, defs, false) };
        if (!('$ref' in schema)) schema['title'] = pydanticTitle(p.name);
        if (p.description !== undefined) schema['description'] = p.description;
        if (p.required) required.push(p.name);
        else if ('default' in p) schema['default'] = toJsonable(p.default);
        properties[p.name] = schema;
      }
      const body: JsonSchema = { properties, title: t.name, type: 'object' };
      if (required.length > 0) body['required'] = required;
      if (top || t.name === ANONYMOUS_MODEL_NAME) return body;
      defs.set(t.name, body);
      return { $ref: `#/$defs/${t.name}` };
    }
  }
}

/** Pydantic sorts schema keys alphabetically, except property names and literal payloads. */
function sortKeys(schema: unknown, parentKey?: string): unknown {
  if (Array.isArray(schema)) {
    return parentKey === 'enum' ? schema : schema.map((s) => sortKeys(s));
  }
  if (schema === null || typeof schema !== 'object') return schema;
  if (parentKey === 'default' || parentKey === 'const') return schema;
  const entries = Object.entries(schema as Record<string, unknown>);
  const ordered =
    parentKey === 'properties' || parentKey === '$defs'
      ? entries
      : entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    ordered.map(([k, v]) => [
      k,
      sortKeys(v, parentKey === 'properties' || parentKey === '$defs' ? undefined : k),
    ]),
  );
}

/**
 * The JSON Schema Pydantic's `TypeAdapter(annotation).json_schema()` would produce for a field
 * type: named nested models go to `$defs`, properties get titles, keys are sorted.
 *
 * @example
 * ```ts
 * fieldTypeJsonSchema(FieldTypes.list(FieldTypes.str)) // { items: { type: 'string' }, type: 'array' }
 * ```
 */
export function fieldTypeJsonSchema(t: FieldType): JsonSchema {
  const defs = new Map<string, JsonSchema>();
  const root = build(t, defs, true);
  const withDefs: JsonSchema = defs.size > 0 ? { $defs: Object.fromEntries(defs), ...root } : root;
  return sortKeys(withDefs) as JsonSchema;
}

/**
 * Reorders every mapping so `type` comes first and the rest alphabetically, recursively
 * (DSPy's `move_type_to_front`, used for the `# note: … JSON schema` lines).
 */
export function moveTypeToFront(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(moveTypeToFront);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => {
    if (a === 'type' && b !== 'type') return -1;
    if (b === 'type' && a !== 'type') return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return Object.fromEntries(entries.map(([k, v]) => [k, moveTypeToFront(v)]));
}
