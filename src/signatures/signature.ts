import type { ZodType } from 'zod';
import { SignatureError } from './errors.js';
import {
  makeField,
  type Field,
  type FieldKind,
  type FieldOptions,
  type ZodFieldSpec,
} from './field.js';
import { FieldTypes, sameType, type FieldType } from './field-type.js';
import { cleandoc, inferPrefix } from './text.js';
import { parseTypeAnnotation } from './type-parser.js';
import { pythonTypeName } from './type-name.js';
import { zodFieldInfo } from './zod-type.js';
import type { AnyFields, FieldValueOf, InputsOf, OutputsOf } from './typed.js';

/** A signature declared with zod schemas (descriptions via `.describe()`, options via `field()`). */
export interface ZodSignatureSpec {
  instructions?: string;
  inputs: Record<string, ZodType | ZodFieldSpec>;
  outputs: Record<string, ZodType | ZodFieldSpec>;
}

/** DSPy's saved form of a signature (`dump_state`), part of a module's saved state. */
export interface SignatureState {
  instructions: string;
  fields: { prefix: string; description: string }[];
}

/** A patch for {@link Signature.withUpdatedFields}. */
export interface FieldPatch {
  desc?: string;
  prefix?: string;
  type?: FieldType | ZodType | string;
}

/**
 * Field (or tool) names as DSPy writes them into instructions: each in backticks, comma-separated
 * (`` `question`, `context` ``).
 */
export function fieldNameList(items: readonly ({ name: string } | string)[]): string {
  return items.map((i) => `\`${typeof i === 'string' ? i : i.name}\``).join(', ');
}

/** DSPy's default instructions: ``Given the fields `a`, `b`, produce the fields `c`.`` */
function defaultInstructions(inputs: readonly Field[], outputs: readonly Field[]): string {
  return `Given the fields ${fieldNameList(inputs)}, produce the fields ${fieldNameList(outputs)}.`;
}

function isZodType(v: unknown): v is ZodType {
  return typeof v === 'object' && v !== null && '_zod' in v;
}

/** Resolves the `type` of field options or patches into a field type (plus zod extras). */
function resolveType(type: FieldType | ZodType | string | undefined): {
  type: FieldType;
  desc?: string;
  hasDefault?: boolean;
  default?: unknown;
  constraints?: string;
} {
  if (type === undefined) return { type: FieldTypes.str };
  if (typeof type === 'string') return { type: parseTypeAnnotation(type) };
  if (isZodType(type)) {
    const info = zodFieldInfo(type);
    return {
      type: info.type,
      ...(info.description !== undefined ? { desc: info.description } : {}),
      ...(info.hasDefault ? { hasDefault: true, default: info.default } : {}),
      ...(info.constraints !== undefined ? { constraints: info.constraints } : {}),
    };
  }
  return { type };
}

/** Flattens an intersection into one object type. */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The `type` option of `append` / `prepend` / `insert`, kept literal so its value type is known. */
type TypeOption = FieldType | ZodType | string | undefined;

/** `I` (when `K` is `'input'`) with one more field `N` holding `V`. */
type WithField<Fields, N extends string, V> = Simplify<Omit<Fields, N> & { [P in N]: V }>;

/**
 * What a predictor or module is built from: a signature string or a {@link Signature}. Its
 * inputs and outputs types are {@link SpecInputs} and {@link SpecOutputs}.
 */
export type SignatureSpec = string | Signature<object, object>;

/**
 * The inputs object type of a signature string or {@link Signature}; `AnyFields` when untyped.
 *
 * @example
 * ```ts
 * type In = SpecInputs<'question -> answer'>; // { question: string }
 * ```
 */
export type SpecInputs<S> = string extends S
  ? AnyFields
  : S extends Signature<infer I, object>
    ? I
    : S extends string
      ? InputsOf<S>
      : AnyFields;

/**
 * The outputs object type of a signature string or {@link Signature}; `AnyFields` when untyped.
 *
 * @example
 * ```ts
 * type Out = SpecOutputs<'question -> answer: int'>; // { answer: number }
 * ```
 */
export type SpecOutputs<S> = string extends S
  ? AnyFields
  : S extends Signature<object, infer O>
    ? O
    : S extends string
      ? OutputsOf<S>
      : AnyFields;

/**
 * An immutable DSPy signature: ordered, typed input and output fields plus instructions. Every
 * change (`withInstructions`, `append`, `delete`, …) returns a new signature.
 *
 * The type parameters are the inputs and outputs object types the compiler knows (from the
 * signature string or zod spec given to {@link signature}); they exist only at compile time, and
 * default to an untyped record for signatures built at run time.
 *
 * @example
 * ```ts
 * const sig = signature('question, context: list[str] -> answer, confidence: float');
 * sig.outputFields.map((f) => f.name);   // ['answer', 'confidence']
 * sig.instructions;  // 'Given the fields `question`, `context`, produce the fields `answer`, `confidence`.'
 * const cot = sig.prepend('reasoning', 'output', { desc: '${reasoning}' });
 * ```
 */
export class Signature<I extends object = AnyFields, O extends object = AnyFields> {
  /** Compile-time only: the inputs and outputs types (never set at run time). */
  declare readonly '~types'?: { readonly inputs: I; readonly outputs: O };
  readonly instructions: string;
  readonly inputFields: readonly Field[];
  readonly outputFields: readonly Field[];
  readonly fields: readonly Field[];
  /** DSPy's class name (`StringSignature` for string signatures). */
  readonly name: string;

  /** @internal use {@link signature} */
  constructor(instructions: string, fields: readonly Field[], name = 'StringSignature') {
    const names = new Set<string>();
    for (const f of fields) {
      if (names.has(f.name)) {
        throw new SignatureError(`Duplicate field name '${f.name}' in signature.`, {
          details: { name: f.name },
        });
      }
      names.add(f.name);
    }
    this.inputFields = Object.freeze(fields.filter((f) => f.kind === 'input'));
    this.outputFields = Object.freeze(fields.filter((f) => f.kind === 'output'));
    // As in DSPy, exactly '' (not blank text, which cleandoc turns into '') means "no instructions".
    this.instructions =
      instructions === ''
        ? defaultInstructions(this.inputFields, this.outputFields)
        : cleandoc(instructions);
    this.fields = Object.freeze([...this.inputFields, ...this.outputFields]);
    this.name = name;
    Object.freeze(this);
  }

  /** The field with this name, if any. */
  field(name: string): Field | undefined {
    return this.fields.find((f) => f.name === name);
  }

  /** A copy with other instructions. */
  withInstructions(instructions: string): Signature<I, O> {
    return new Signature(instructions, this.fields, this.name);
  }

  /** A copy whose instructions are the current ones, a blank line, then `instructions`. */
  appendInstructions(instructions: string): Signature<I, O> {
    return this.withInstructions(`${this.instructions}\n\n${instructions}`);
  }

  /**
   * A copy with the field's desc, prefix or type replaced. Throws when the field does not exist.
   * A patch without `type` keeps the compile-time field types; one with a `type` drops them.
   */
  withUpdatedFields(name: string, patch: FieldPatch & { type?: undefined }): Signature<I, O>;
  withUpdatedFields(name: string, patch: FieldPatch): Signature;
  withUpdatedFields(name: string, patch: FieldPatch): Signature {
    const current = this.field(name);
    if (!current) {
      throw new SignatureError(`No field named '${name}' in signature '${this.toString()}'.`, {
        details: { name },
      });
    }
    const resolved = patch.type === undefined ? undefined : resolveType(patch.type);
    const updated = makeField({
      name,
      kind: current.kind,
      type: resolved?.type ?? current.type,
      desc: patch.desc ?? current.desc,
      prefix: patch.prefix ?? current.prefix,
      hasDefault: current.hasDefault,
      default: current.default,
      defaultFactory: current.defaultFactory,
      typeUndefined: resolved ? false : current.typeUndefined,
      constraints: current.constraints,
    });
    return new Signature(
      this.instructions,
      this.fields.map((f) => (f.name === name ? updated : f)),
      this.name,
    );
  }

  /** A copy with a new field first among the fields of its kind. */
  prepend<N extends string, K extends FieldKind, T extends TypeOption = undefined>(
    name: N,
    kind: K,
    options: FieldOptions & { readonly type?: T } = {},
  ): Inserted<I, O, N, K, T> {
    return this.insert(0, name, kind, options);
  }

  /** A copy with a new field last among the fields of its kind. */
  append<N extends string, K extends FieldKind, T extends TypeOption = undefined>(
    name: N,
    kind: K,
    options: FieldOptions & { readonly type?: T } = {},
  ): Inserted<I, O, N, K, T> {
    return this.insert(-1, name, kind, options);
  }

  /**
   * A copy with a new field at `index` among the fields of its kind; negative indices count from
   * the end (`-1` appends), as in DSPy.
   */
  insert<N extends string, K extends FieldKind, T extends TypeOption = undefined>(
    index: number,
    name: N,
    kind: K,
    options: FieldOptions & { readonly type?: T } = {},
  ): Inserted<I, O, N, K, T> {
    const list = [...(kind === 'input' ? this.inputFields : this.outputFields)];
    const at = index < 0 ? index + list.length + 1 : index;
    if (!Number.isInteger(at) || at < 0 || at > list.length) {
      throw new SignatureError(
        `Invalid index to insert: ${at}, index must be in the range of [${list.length - 1}, ${list.length}] for ${kind} fields, but received: ${at}.`,
        { details: { index } },
      );
    }
    if (this.field(name)) {
      throw new SignatureError(
        `Field '${name}' already exists in signature '${this.toString()}'.`,
        { details: { name } },
      );
    }
    const resolved = resolveType(options.type);
    const hasDefault =
      'default' in options ? options.default !== undefined : (resolved.hasDefault ?? false);
    const f = makeField({
      name,
      kind,
      type: resolved.type,
      desc: options.desc ?? resolved.desc,
      prefix: options.prefix ?? `${inferPrefix(name)}:`,
      hasDefault,
      default: 'default' in options ? options.default : resolved.default,
      defaultFactory: options.defaultFactory,
      typeUndefined: options.type === undefined,
      constraints: options.constraints ?? resolved.constraints,
    });
    list.splice(at, 0, f);
    const inputs = kind === 'input' ? list : this.inputFields;
    const outputs = kind === 'output' ? list : this.outputFields;
    return new Signature(this.instructions, [...inputs, ...outputs], this.name) as Inserted<
      I,
      O,
      N,
      K,
      T
    >;
  }

  /** A copy without the named field; deleting a missing name changes nothing (as in DSPy). */
  delete<N extends string>(name: N): Signature<Simplify<Omit<I, N>>, Simplify<Omit<O, N>>> {
    return new Signature(
      this.instructions,
      this.fields.filter((f) => f.name !== name),
      this.name,
    );
  }

  /**
   * DSPy's `equals`: same instructions, same field names, and per field the same kind, desc,
   * prefix and constraints. Like DSPy it does not compare types or field order.
   */
  equals(other: unknown): boolean {
    if (!(other instanceof Signature)) return false;
    if (this.instructions !== other.instructions) return false;
    if (this.fields.length !== other.fields.length) return false;
    return this.fields.every((f) => {
      const o = other.field(f.name);
      return (
        o !== undefined &&
        o.kind === f.kind &&
        o.desc === f.desc &&
        o.prefix === f.prefix &&
        o.typeUndefined === f.typeUndefined &&
        o.constraints === f.constraints
      );
    });
  }

  /** Whether both signatures have the same fields in the same order with the same types. */
  sameShape(other: Signature<object, object>): boolean {
    return (
      this.fields.length === other.fields.length &&
      this.fields.every((f, i) => {
        const o = other.fields[i];
        return (
          o !== undefined && o.name === f.name && o.kind === f.kind && sameType(o.type, f.type)
        );
      })
    );
  }

  /** `"question, context -> answer"` (field names only, like DSPy's `Signature.signature`). */
  toString(): string {
    const names = (fs: readonly Field[]) => fs.map((f) => f.name).join(', ');
    return `${names(this.inputFields)} -> ${names(this.outputFields)}`;
  }

  /** `"question: str, k: int -> answer: list[str]"`: the string form with Python type names. */
  toTypedString(): string {
    const typed = (fs: readonly Field[]) =>
      fs.map((f) => (f.typeUndefined ? f.name : `${f.name}: ${pythonTypeName(f.type)}`)).join(', ');
    return `${typed(this.inputFields)} -> ${typed(this.outputFields)}`;
  }

  /** DSPy's `dump_state`: instructions and, per field in order, prefix and description. */
  dumpState(): SignatureState {
    return {
      instructions: this.instructions,
      fields: this.fields.map((f) => ({ prefix: f.prefix, description: f.desc })),
    };
  }

  /** DSPy's `load_state`: a copy with the saved instructions and per-field prefix/description. */
  loadState(state: SignatureState): Signature<I, O> {
    const saved = state.fields ?? [];
    const fields = this.fields.map((f, i) => {
      const s = saved[i];
      if (!s) return f;
      return makeField({
        name: f.name,
        kind: f.kind,
        type: f.type,
        desc: s.description,
        prefix: s.prefix,
        hasDefault: f.hasDefault,
        default: f.default,
        defaultFactory: f.defaultFactory,
        typeUndefined: f.typeUndefined,
        constraints: f.constraints,
      });
    });
    return new Signature(state.instructions, fields, this.name);
  }

  /** A JSON view (for logs, registries and messages between actors). */
  toJSON(): { signature: string; state: SignatureState } {
    return { signature: this.toTypedString(), state: this.dumpState() };
  }
}

/**
 * The signature `insert` / `append` / `prepend` return: `I` or `O` (by `K`) with field `N` of the
 * value type its `type` option gives (`string` without one).
 */
export type Inserted<
  I extends object,
  O extends object,
  N extends string,
  K extends FieldKind,
  T,
> = K extends 'input'
  ? Signature<WithField<I, N, FieldValueOf<T>>, O>
  : Signature<I, WithField<O, N, FieldValueOf<T>>>;
