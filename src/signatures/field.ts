import type { ZodType } from 'zod';
import { allowsNone, type FieldType } from './field-type.js';
import { constraintsOf } from './zod-type.js';

/** Whether a field is given to the LM or produced by it. */
export type FieldKind = 'input' | 'output';

/**
 * One signature field (DSPy's `InputField` / `OutputField` with its annotation). Immutable.
 * `desc` is `${name}` when no description was given (DSPy's convention, which adapters read as
 * "no description"); `prefix` defaults to {@link inferPrefix}`(name) + ':'`.
 */
export interface Field {
  readonly name: string;
  readonly kind: FieldKind;
  readonly type: FieldType;
  readonly desc: string;
  readonly prefix: string;
  /**
   * A missing output is filled instead of failing the parse: true when the field has a default
   * or its type admits `None` (DSPy's `apply_output_field_defaults`).
   */
  readonly optional: boolean;
  /** Whether {@link Field.default} (or a factory) is set. Without one, optional outputs get `null`. */
  readonly hasDefault: boolean;
  readonly default?: unknown;
  readonly defaultFactory?: () => unknown;
  /** No type was written in a string signature (DSPy's `IS_TYPE_UNDEFINED`; the type is `str`). */
  readonly typeUndefined: boolean;
  /** Human-readable constraints shown under the field description (`Constraints: …`). */
  readonly constraints?: string;
}

/** Options for a field added with `append` / `prepend` / `insert`. */
export interface FieldOptions {
  /** A field type, a zod schema, or a type annotation string such as `'list[str]'` (default `str`). */
  readonly type?: FieldType | ZodType | string;
  readonly desc?: string;
  readonly prefix?: string;
  readonly default?: unknown;
  readonly defaultFactory?: () => unknown;
  readonly constraints?: string;
}

/** The value a missing optional output takes: its default (a fresh copy), its factory's value, or null. */
export function fieldDefault(f: Field): unknown {
  if (f.defaultFactory) return f.defaultFactory();
  if (f.hasDefault) {
    try {
      return structuredClone(f.default);
    } catch {
      return f.default;
    }
  }
  return null;
}

/** Builds a {@link Field}, filling DSPy's defaults for desc, prefix and optionality. */
export function makeField(init: {
  name: string;
  kind: FieldKind;
  type: FieldType;
  prefix: string;
  desc?: string | undefined;
  default?: unknown;
  hasDefault?: boolean;
  defaultFactory?: (() => unknown) | undefined;
  typeUndefined?: boolean;
  constraints?: string | undefined;
}): Field {
  const hasDefault = init.hasDefault ?? ('default' in init && init.default !== undefined);
  const constraints =
    init.constraints ?? (init.type.zod === undefined ? undefined : constraintsOf(init.type.zod));
  const field: Field = {
    name: init.name,
    kind: init.kind,
    type: init.type,
    desc: init.desc ?? `\${${init.name}}`,
    prefix: init.prefix,
    optional: hasDefault || init.defaultFactory !== undefined || allowsNone(init.type),
    hasDefault,
    ...(hasDefault ? { default: init.default } : {}),
    ...(init.defaultFactory ? { defaultFactory: init.defaultFactory } : {}),
    typeUndefined: init.typeUndefined ?? false,
    // A type with bounds (an ML type such as `probability` or `float[0, 10]`, a custom zod type)
    // shows them as DSPy shows a constrained Pydantic field.
    ...(constraints ? { constraints } : {}),
  };
  return Object.freeze(field);
}

const ZOD_FIELD = Symbol.for('dspex.zodField');

/** A zod schema with DSPy field options, as returned by {@link field}. */
export interface ZodFieldSpec<T extends ZodType = ZodType> {
  readonly [ZOD_FIELD]: true;
  readonly schema: T;
  readonly desc?: string;
  readonly prefix?: string;
  readonly constraints?: string;
}

/**
 * Attaches a description, prefix or constraints text to a zod field of a zod signature spec.
 *
 * @example
 * ```ts
 * signature({
 *   inputs: { question: field(z.string(), { desc: 'a trivia question', prefix: 'Q:' }) },
 *   outputs: { answer: z.string() },
 * });
 * ```
 */
export function field<T extends ZodType>(
  schema: T,
  options: { desc?: string; prefix?: string; constraints?: string } = {},
): ZodFieldSpec<T> {
  return Object.freeze({ [ZOD_FIELD]: true as const, schema, ...options });
}

/** True for values made by {@link field}. */
export function isZodFieldSpec(v: unknown): v is ZodFieldSpec {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[ZOD_FIELD] === true;
}
