import { z, type ZodType } from 'zod';
import { FieldTypes, type FieldType, type LiteralValue, type ModelProperty } from './field-type.js';
import { ANONYMOUS_MODEL_NAME } from './json-schema.js';
import { pyNumber } from './python-format.js';

/** The part of zod v4's internal definition this module reads. */
interface ZodDef {
  type: string;
  innerType?: ZodType;
  element?: ZodType;
  valueType?: ZodType;
  keyType?: ZodType;
  items?: ZodType[];
  options?: ZodType[];
  shape?: Record<string, ZodType>;
  entries?: Record<string, string | number>;
  values?: LiteralValue[];
  in?: ZodType;
  out?: ZodType;
  defaultValue?: unknown;
  getter?: () => ZodType;
}

function defOf(schema: ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

/**
 * zod stand-ins for DSPy's built-in custom types, for zod signatures:
 * `{ question: z.string(), tools: z.array(zodTypes.tool) }` →
 * `question: str, tools: list[Tool]`; outputs `zodTypes.toolCalls` and `zodTypes.reasoning`;
 * inputs `zodTypes.image` (`Image`, or `z.array(zodTypes.image)` for `list[Image]`).
 *
 * @example
 * ```ts
 * const sig = signature({
 *   inputs: { question: z.string(), tools: z.array(zodTypes.tool) },
 *   outputs: { answer: z.string(), tool_calls: zodTypes.toolCalls },
 * });
 * ```
 */
export const zodTypes = Object.freeze({
  /** `dspy.Tool`: any object with a string `name`. */
  tool: z.custom<{ name: string }>(
    (v) =>
      typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string',
  ),
  /** `dspy.ToolCalls`. */
  toolCalls: z.custom<unknown>((v) => typeof v === 'object' && v !== null),
  /** `dspy.Reasoning` (a string). */
  reasoning: z.string(),
  /** `dspy.Image`: an `Image`, an image URL or `data:` URI, or `{ url }`. */
  image: z.custom<unknown>(
    (v) =>
      typeof v === 'string' ||
      (typeof v === 'object' && v !== null && typeof (v as { url?: unknown }).url === 'string'),
  ),
});

const NATIVE_SCHEMAS = new WeakMap<ZodType, FieldType>([
  [zodTypes.tool, FieldTypes.tool],
  [zodTypes.toolCalls, FieldTypes.toolCalls],
  [zodTypes.reasoning, FieldTypes.reasoning],
  [zodTypes.image, FieldTypes.image],
]);

/** What a zod schema says about a field besides its type. */
export interface ZodFieldInfo {
  readonly type: FieldType;
  /** `.optional()`, `.default()` or `.nullable()` at the top. */
  readonly optional: boolean;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  readonly description?: string;
  /** DSPy-style constraint text (`greater than or equal to: 0, maximum length: 10`), if any. */
  readonly constraints?: string;
}

interface ZodCheckDef {
  check?: string;
  value?: unknown;
  inclusive?: boolean;
  minimum?: unknown;
  maximum?: unknown;
}

/** A number or bound as Python's `str()` would print the value a user passed. */
function boundText(v: unknown): string {
  return typeof v === 'number' ? pyNumber(v) : String(v);
}

/**
 * The human-readable constraints DSPy derives from Pydantic field arguments (`ge`, `lt`,
 * `min_length`, …), read from the zod schema's checks in declaration order.
 */
export function constraintsOf(schema: ZodType): string | undefined {
  const checks =
    (defOf(schema) as ZodDef & { checks?: { _zod: { def: ZodCheckDef } }[] }).checks ?? [];
  const parts: string[] = [];
  for (const c of checks) {
    const d = c._zod.def;
    if (d.check === 'greater_than') {
      parts.push(
        `${d.inclusive ? 'greater than or equal to' : 'greater than'}: ${boundText(d.value)}`,
      );
    } else if (d.check === 'less_than') {
      parts.push(`${d.inclusive ? 'less than or equal to' : 'less than'}: ${boundText(d.value)}`);
    } else if (d.check === 'min_length') {
      parts.push(`minimum length: ${boundText(d.minimum)}`);
    } else if (d.check === 'max_length') {
      parts.push(`maximum length: ${boundText(d.maximum)}`);
    } else if (d.check === 'multiple_of') {
      parts.push(`a multiple of the given number: ${boundText(d.value)}`);
    }
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** The `.meta({ title })` (or `id`) of a schema: the class name Pydantic would show. */
function namedTitle(schema: ZodType): string | undefined {
  const meta = z.globalRegistry.get(schema) as { title?: unknown; id?: unknown } | undefined;
  const name = meta?.title ?? meta?.id;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/** The name a zod object shows as, or the anonymous placeholder. */
function modelName(schema: ZodType): string {
  return namedTitle(schema) ?? ANONYMOUS_MODEL_NAME;
}

function descriptionOf(schema: ZodType): string | undefined {
  const d = (schema as unknown as { description?: unknown }).description;
  return typeof d === 'string' ? d : undefined;
}

/** Unwraps top-level optional/default/nullable/readonly wrappers, recording what they imply. */
export function zodFieldInfo(schema: ZodType): ZodFieldInfo {
  let current = schema;
  let optional = false;
  let nullable = false;
  let hasDefault = false;
  let defaultValue: unknown;
  let description = descriptionOf(schema);
  for (;;) {
    const def = defOf(current);
    if (def.type === 'optional' && def.innerType) {
      optional = true;
    } else if (def.type === 'nullable' && def.innerType) {
      nullable = true;
    } else if ((def.type === 'default' || def.type === 'prefault') && def.innerType) {
      if (!hasDefault) defaultValue = def.defaultValue;
      hasDefault = true;
    } else if (def.type === 'readonly' && def.innerType) {
      // readonly changes nothing a prompt or parser can see
    } else break;
    current = def.innerType;
    description ??= descriptionOf(current);
  }
  const constraints = constraintsOf(current);
  // The zod schema sits on the unwrapped type: `None` is handled by the Optional union around it.
  let type: FieldType = { ...zodToFieldType(current), zod: current };
  if (optional || nullable) type = FieldTypes.optional(type);
  const info: ZodFieldInfo = {
    type,
    optional: optional || nullable || hasDefault,
    hasDefault,
    ...(hasDefault ? { default: defaultValue } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(constraints !== undefined ? { constraints } : {}),
  };
  return info;
}

/**
 * Maps a zod schema to the Python type DSPy would see: `z.string()` → `str`, `z.number().int()` →
 * `int`, `z.number()` → `float`, `z.array(T)` → `list[T]`, `z.record(K, V)` → `dict[K, V]`,
 * `z.enum`/`z.literal` → `Literal[...]`, `z.object` → a model named by `.meta({ title })`.
 * Unknown schema kinds map to `Any` (the zod schema still validates values).
 */
export function zodToFieldType(schema: ZodType): FieldType {
  const native = NATIVE_SCHEMAS.get(schema);
  if (native !== undefined) return native;
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return FieldTypes.str;
    case 'number':
      return (schema as unknown as { isInt?: boolean }).isInt ? FieldTypes.int : FieldTypes.float;
    case 'int':
    case 'bigint':
      return FieldTypes.int;
    case 'boolean':
      return FieldTypes.bool;
    case 'null':
    case 'undefined':
    case 'void':
      return FieldTypes.none;
    case 'array':
      return FieldTypes.list(def.element ? zodToFieldType(def.element) : undefined);
    case 'set':
      return FieldTypes.set(def.valueType ? zodToFieldType(def.valueType) : undefined);
    case 'tuple':
      return FieldTypes.tuple(...(def.items ?? []).map(zodToFieldType));
    case 'record':
    case 'map':
      return FieldTypes.dict(
        def.keyType ? zodToFieldType(def.keyType) : FieldTypes.str,
        def.valueType ? zodToFieldType(def.valueType) : FieldTypes.any,
      );
    case 'enum': {
      // A named zod enum, or one built from a TS enum (names differ from values), is an Enum
      // class in DSPy terms; a plain list of strings is a Literal.
      const entries = def.entries ?? {};
      const title = namedTitle(schema);
      const isEnumObject = Object.entries(entries).some(([k, v]) => k !== String(v));
      if (title !== undefined || isEnumObject) return FieldTypes.enum(title ?? 'Enum', entries);
      return FieldTypes.literal(...Object.values(entries));
    }
    case 'literal':
      return FieldTypes.literal(...(def.values ?? []));
    case 'union':
      return FieldTypes.union(...(def.options ?? []).map(zodToFieldType));
    case 'optional':
    case 'nullable':
      return FieldTypes.optional(zodToFieldType(def.innerType as ZodType));
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return zodToFieldType(def.innerType as ZodType);
    case 'pipe':
      return zodToFieldType((def.in ?? def.out) as ZodType);
    case 'lazy':
      return def.getter ? zodToFieldType(def.getter()) : FieldTypes.any;
    case 'object': {
      const properties: ModelProperty[] = Object.entries(def.shape ?? {}).map(([name, prop]) => {
        const info = zodFieldInfo(prop);
        return {
          name,
          type: stripZod(info.type),
          required: !info.optional,
          ...(info.hasDefault ? { default: info.default } : {}),
          ...(info.description !== undefined ? { description: info.description } : {}),
        };
      });
      return FieldTypes.model(modelName(schema), properties);
    }
    default:
      return FieldTypes.any;
  }
}

/** Nested types drop their zod schemas: the enclosing object's schema validates them. */
function stripZod(t: FieldType): FieldType {
  if (t.kind === 'union') {
    return { kind: 'union', members: t.members.map(stripZod) };
  }
  if (!t.zod) return t;
  const { zod: _zod, ...plain } = t;
  return plain as FieldType;
}
