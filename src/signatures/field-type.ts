import type { ZodType } from 'zod';

/** A value a `Literal[...]` type may hold (Python's literal constants). */
export type LiteralValue = string | number | boolean | null;

/** One property of a {@link FieldType} of kind `model` (DSPy: a Pydantic model field). */
export interface ModelProperty {
  readonly name: string;
  readonly type: FieldType;
  readonly required: boolean;
  /** Default used when the property is absent (only when `required` is false). */
  readonly default?: unknown;
  readonly description?: string;
}

/** The shapes of {@link FieldType}, one per Python type DSPy understands. */
export type FieldTypeShape =
  | { readonly kind: 'str' }
  | { readonly kind: 'int' }
  | { readonly kind: 'float' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'any' }
  | { readonly kind: 'none' }
  | { readonly kind: 'history' }
  | { readonly kind: 'list'; readonly item?: FieldType }
  | { readonly kind: 'set'; readonly item?: FieldType }
  | { readonly kind: 'tuple'; readonly items?: readonly FieldType[] }
  | { readonly kind: 'dict'; readonly key?: FieldType; readonly value?: FieldType }
  | { readonly kind: 'literal'; readonly values: readonly LiteralValue[] }
  /** A named enum (DSPy: a Python `Enum` class): members as [name, value] pairs. */
  | {
      readonly kind: 'enum';
      readonly name: string;
      readonly members: readonly (readonly [string, string | number])[];
    }
  | { readonly kind: 'union'; readonly members: readonly FieldType[] }
  | {
      readonly kind: 'model';
      readonly name: string;
      readonly properties: readonly ModelProperty[];
    };

/**
 * dspex's representation of a DSPy field annotation (`str`, `int`, `list[str]`, `Literal['a']`,
 * `Optional[int]`, a Pydantic-like model, `History`, …). Types built from zod keep the zod schema in
 * `zod`, so parsed values also pass the schema's refinements.
 *
 * @example
 * ```ts
 * const t = FieldTypes.list(FieldTypes.str); // renders as `list[str]`
 * ```
 */
export type FieldType = FieldTypeShape & {
  readonly zod?: ZodType;
  /**
   * Marks DSPy's built-in custom types that adapters may route to native provider features:
   * `tool` (`dspy.Tool`), `toolCalls` (`dspy.ToolCalls`), `reasoning` (`dspy.Reasoning`) and
   * `image` (`dspy.Image`, rendered as provider image content parts).
   * Their shapes are ordinary ones (a model, a model, `str`), so prompts and JSON schemas render
   * as DSPy renders them.
   */
  readonly native?: NativeTypeName;
};

/** The built-in custom types adapters know (see {@link FieldType}'s `native`). */
export type NativeTypeName = 'tool' | 'toolCalls' | 'reasoning' | 'image';

const STR: FieldType = Object.freeze({ kind: 'str' });
const INT: FieldType = Object.freeze({ kind: 'int' });
const FLOAT: FieldType = Object.freeze({ kind: 'float' });
const BOOL: FieldType = Object.freeze({ kind: 'bool' });
const ANY: FieldType = Object.freeze({ kind: 'any' });
const NONE: FieldType = Object.freeze({ kind: 'none' });
const HISTORY: FieldType = Object.freeze({ kind: 'history' });
const STR_ANY_DICT: FieldType = Object.freeze({ kind: 'dict', key: STR, value: ANY });
/** `dspy.Reasoning`: a string to the adapters (its type name prints as `str`, as in DSPy). */
const REASONING: FieldType = Object.freeze({ kind: 'str', native: 'reasoning' });
/** `dspy.Tool` as a field type: what a tool shows the LM (name, description, argument schemas). */
const TOOL: FieldType = Object.freeze({
  kind: 'model',
  name: 'Tool',
  native: 'tool',
  properties: [
    { name: 'name', type: STR, required: true },
    {
      name: 'desc',
      type: { kind: 'union', members: [STR, NONE] } as FieldType,
      required: false,
      default: null,
    },
    { name: 'args', type: STR_ANY_DICT, required: true },
  ],
});
/** `dspy.ToolCalls`: `{ tool_calls: [{ name, args }] }` (the call ids stay out of the schema). */
const TOOL_CALL: FieldType = Object.freeze({
  kind: 'model',
  name: 'ToolCall',
  properties: [
    { name: 'name', type: STR, required: true },
    { name: 'args', type: STR_ANY_DICT, required: true },
  ],
});
const TOOL_CALLS: FieldType = Object.freeze({
  kind: 'model',
  name: 'ToolCalls',
  native: 'toolCalls',
  properties: [
    { name: 'tool_calls', type: Object.freeze({ kind: 'list', item: TOOL_CALL }), required: true },
  ],
});

/** `dspy.Image`: a model with one `url` (a URL or a `data:` URI), as DSPy's pydantic type. */
const IMAGE: FieldType = Object.freeze({
  kind: 'model',
  name: 'Image',
  native: 'image',
  properties: [{ name: 'url', type: STR, required: true }],
});

/**
 * Constructors of {@link FieldType}s. `union` flattens nested unions and drops duplicates the way
 * `typing.Union` does; `optional(t)` is `Union[t, None]`.
 *
 * @example
 * ```ts
 * FieldTypes.optional(FieldTypes.int) // Union[int, NoneType]
 * FieldTypes.literal('yes', 'no')      // Literal['yes', 'no']
 * ```
 */
export const FieldTypes = Object.freeze({
  str: STR,
  int: INT,
  float: FLOAT,
  bool: BOOL,
  any: ANY,
  none: NONE,
  history: HISTORY,
  /** `dspy.Tool` (use `list(FieldTypes.tool)` for a list of tools). */
  tool: TOOL,
  /** `dspy.ToolCalls`: an output filled from native tool calls when the adapter uses them. */
  toolCalls: TOOL_CALLS,
  /** `dspy.Reasoning`: an output filled from the provider's native reasoning when enabled. */
  reasoning: REASONING,
  /** `dspy.Image`: an input whose value becomes an image content part (`list(FieldTypes.image)`). */
  image: IMAGE,
  list: (item?: FieldType): FieldType => (item ? { kind: 'list', item } : { kind: 'list' }),
  set: (item?: FieldType): FieldType => (item ? { kind: 'set', item } : { kind: 'set' }),
  tuple: (...items: FieldType[]): FieldType =>
    items.length > 0 ? { kind: 'tuple', items } : { kind: 'tuple' },
  dict: (key?: FieldType, value?: FieldType): FieldType =>
    key && value ? { kind: 'dict', key, value } : { kind: 'dict' },
  literal: (...values: LiteralValue[]): FieldType => ({ kind: 'literal', values }),
  enum: (name: string, members: Record<string, string | number>): FieldType => ({
    kind: 'enum',
    name,
    members: Object.entries(members),
  }),
  union: (...members: FieldType[]): FieldType => makeUnion(members),
  optional: (inner: FieldType): FieldType => makeUnion([inner, NONE]),
  model: (name: string, properties: ModelProperty[]): FieldType => ({
    kind: 'model',
    name,
    properties,
  }),
});

/** Structural equality of two field types (ignores attached zod schemas). */
export function sameType(a: FieldType, b: FieldType): boolean {
  return JSON.stringify(typeKey(a)) === JSON.stringify(typeKey(b));
}

function typeKey(t: FieldType): unknown {
  switch (t.kind) {
    case 'list':
    case 'set':
      return [t.kind, t.item ? typeKey(t.item) : null];
    case 'tuple':
      return [t.kind, (t.items ?? []).map(typeKey)];
    case 'dict':
      return [t.kind, t.key ? typeKey(t.key) : null, t.value ? typeKey(t.value) : null];
    case 'literal':
      return [t.kind, t.values];
    case 'enum':
      return [t.kind, t.name, t.members];
    case 'union':
      return [t.kind, t.members.map(typeKey)];
    case 'model':
      return [t.kind, t.name, t.properties.map((p) => [p.name, typeKey(p.type), p.required])];
    default:
      return [t.kind];
  }
}

/** `typing.Union[...]` semantics: flatten, dedupe, collapse a single member. */
function makeUnion(members: readonly FieldType[]): FieldType {
  const flat: FieldType[] = [];
  for (const m of members) {
    for (const part of m.kind === 'union' ? m.members : [m]) {
      if (!flat.some((f) => sameType(f, part))) flat.push(part);
    }
  }
  if (flat.length === 1) return flat[0] as FieldType;
  return { kind: 'union', members: flat };
}

/** True when the type admits `None` (DSPy's `annotation_allows_none`). */
export function allowsNone(t: FieldType): boolean {
  if (t.kind === 'none') return true;
  if (t.kind === 'union') return t.members.some(allowsNone);
  return false;
}
