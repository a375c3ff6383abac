import type { ZodType, z } from 'zod';
import type { ZodFieldSpec } from './field.js';

/*
 * Type-level reading of signatures: the string grammar of `parseSignatureString` parsed with
 * template-literal types, and zod specs read with `z.input` / `z.output`, so `forward()` inputs
 * and `Prediction` outputs are typed. Nothing here exists at run time.
 */

/** The fields of an untyped signature (built at run time from a `string` variable, or untyped). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFields = Record<string, any>;

/** Flattens an intersection into one object type (for readable hovers and exact type tests). */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

type Whitespace = ' ' | '\n' | '\t' | '\r';

/** `S` without leading and trailing whitespace. */
type Trim<S extends string> = S extends `${Whitespace}${infer R}`
  ? Trim<R>
  : S extends `${infer R}${Whitespace}`
    ? Trim<R>
    : S;

/** How many times `C` occurs in `S`, as a tuple (its length is the count). */
type Occurrences<
  S extends string,
  C extends string,
  N extends unknown[] = [],
> = S extends `${string}${C}${infer R}` ? Occurrences<R, C, [...N, 0]> : N;

type Even<T extends unknown[]> = T extends []
  ? true
  : T extends [0, 0, ...infer R]
    ? Even<R>
    : false;

/**
 * Whether every `[` and `(` in `S` is closed and no quote is open (so a separator after it is at
 * the top level).
 */
type Balanced<S extends string> = [
  ...Occurrences<S, '['>,
  ...Occurrences<S, '('>,
]['length'] extends [...Occurrences<S, ']'>, ...Occurrences<S, ')'>]['length']
  ? [Even<Occurrences<S, "'">>, Even<Occurrences<S, '"'>>] extends [true, true]
    ? true
    : false
  : false;

/** Splits `S` on the separators that are not nested in brackets or parentheses. */
type SplitTop<
  S extends string,
  Sep extends string,
  Acc extends string = '',
  Out extends string[] = [],
> = S extends `${infer H}${Sep}${infer R}`
  ? Balanced<`${Acc}${H}`> extends true
    ? SplitTop<R, Sep, '', [...Out, `${Acc}${H}`]>
    : SplitTop<R, Sep, `${Acc}${H}${Sep}`, Out>
  : [...Out, `${Acc}${S}`];

/** A custom type's value: `z.output` of a zod schema, `unknown` for a bare `FieldType`. */
type CustomValue<T> = T extends ZodType ? z.output<T> : unknown;

/** Simple type names of both spellings, with `typing.` / `dspy.` / `builtins.` removed. */
interface SimpleTypes {
  str: string;
  string: string;
  int: number;
  integer: number;
  float: number;
  number: number;
  bool: boolean;
  boolean: boolean;
  Any: unknown;
  any: unknown;
  unknown: unknown;
  None: null;
  null: null;
  NoneType: null;
  True: true;
  true: true;
  False: false;
  false: false;
  History: { readonly messages: readonly Record<string, unknown>[] };
  list: unknown[];
  List: unknown[];
  set: unknown[];
  Set: unknown[];
  frozenset: unknown[];
  FrozenSet: unknown[];
  tuple: unknown[];
  Tuple: unknown[];
  dict: Record<string, unknown>;
  Dict: Record<string, unknown>;
  object: Record<string, unknown>;
  /** ML types (src/signatures/ml-types.ts): floats in [0, 1]. */
  probability: number;
  confidence: number;
}

type StripModule<N extends string> = N extends `${'typing' | 'dspy' | 'builtins'}.${infer R}`
  ? R
  : N;

/** A bare name: a built-in, a custom type, a quoted literal, a number literal, or `unknown`. */
type NameType<N extends string, C> = N extends `'${infer L}'` | `"${infer L}"`
  ? L
  : N extends `${infer V extends number}`
    ? V
    : StripModule<N> extends infer B extends string
      ? N extends keyof C
        ? CustomValue<C[N]>
        : B extends keyof SimpleTypes
          ? SimpleTypes[B]
          : unknown
      : unknown;

type Elements<Args extends string[], C> = Args extends [
  infer H extends string,
  ...infer R extends string[],
]
  ? [TypeOf<H, C>, ...Elements<R, C>]
  : [];

/**
 * `Name[Args]`: list / set / tuple / dict / Optional / Union / Literal, the ML types
 * (`embedding[768]`, bounded `float[0, 10]`, `int[1, 5]`, `str[1, 280]`), else `unknown`.
 */
type GenericType<N extends string, Args extends string[], C> =
  StripModule<N> extends 'embedding'
    ? number[]
    : StripModule<N> extends 'float' | 'number' | 'int' | 'integer'
      ? number
      : StripModule<N> extends 'str' | 'string'
        ? string
        : ListLikeType<N, Args, C>;

type ListLikeType<N extends string, Args extends string[], C> =
  StripModule<N> extends 'list' | 'List' | 'set' | 'Set' | 'frozenset' | 'FrozenSet'
    ? TypeOf<Args[0] & string, C>[]
    : StripModule<N> extends 'tuple' | 'Tuple'
      ? Elements<Args, C>
      : StripModule<N> extends 'dict' | 'Dict'
        ? Record<string, TypeOf<Args[1] & string, C>>
        : StripModule<N> extends 'Optional'
          ? TypeOf<Args[0] & string, C> | null
          : StripModule<N> extends 'Union' | 'Literal'
            ? Elements<Args, C>[number]
            : unknown;

/** One union member: `(T)`, `T[]`, `Name[Args]` or a bare name. */
type MemberType<S extends string, C> = S extends `(${infer Inner})`
  ? TypeOf<Inner, C>
  : S extends `${infer Item}[]`
    ? TypeOf<Item, C>[]
    : S extends `${infer N}[${infer Args}]`
      ? GenericType<Trim<N>, DropEmptyLast<TrimAll<SplitTop<Args, ','>>>, C>
      : NameType<S, C>;

type TrimAll<T extends string[]> = T extends [infer H extends string, ...infer R extends string[]]
  ? [Trim<H>, ...TrimAll<R>]
  : [];

/** A trailing comma (`tuple[int,]`, `a, b,`) leaves an empty last piece, dropped as Python does. */
type DropEmptyLast<T extends string[]> = T extends [...infer H extends string[], '']
  ? H extends []
    ? T
    : H
  : T;

/**
 * The TypeScript type of a type annotation written in a string signature: `list[str]` →
 * `string[]`, `Optional[int]` / `int | None` → `number | null`, `Literal['a', 'b']` / `'a' | 'b'`
 * → `'a' | 'b'`, `dict[str, int]` → `Record<string, number>`, `tuple[int, str]` →
 * `[number, string]`; names the compiler cannot know are `unknown`.
 */
export type TypeOf<S extends string, C = object> = MemberTypes<SplitTop<Trim<S>, '|'>, C>;

type MemberTypes<Parts extends string[], C> = Parts extends [
  infer H extends string,
  ...infer R extends string[],
]
  ? MemberType<Trim<H>, C> | MemberTypes<R, C>
  : never;

/** One `name` or `name: Type` piece of a signature side, as a `{ name, type }` descriptor. */
type FieldOf<P extends string, C> = P extends `${infer N}:${infer T}`
  ? { name: Trim<N>; type: TypeOf<T, C> }
  : { name: Trim<P>; type: string };

/** The fields of one side, in order, as `{ name, type }` descriptors. */
type FieldsOf<Side extends string, C> = FieldList<DropEmptyLast<TrimAll<SplitTop<Side, ','>>>, C>;

type FieldList<Parts extends string[], C> = Parts extends [
  infer H extends string,
  ...infer R extends string[],
]
  ? H extends ''
    ? FieldList<R, C>
    : [FieldOf<H, C>, ...FieldList<R, C>]
  : [];

type Descriptor = { name: string; type: unknown };

/**
 * Inputs object of a side, keys in signature order: fields whose type admits `None` may be
 * omitted (the run-time check lets them be missing), the others are required.
 */
type InputsObject<F extends Descriptor[]> = F extends [
  infer H extends Descriptor,
  ...infer R extends Descriptor[],
]
  ? (unknown extends H['type']
      ? { [K in H['name']]: H['type'] }
      : null extends H['type']
        ? { [K in H['name']]?: H['type'] | undefined }
        : { [K in H['name']]: H['type'] }) &
      InputsObject<R>
  : unknown;

type OutputsObject<F extends Descriptor[]> = F extends [
  infer H extends Descriptor,
  ...infer R extends Descriptor[],
]
  ? { [K in H['name']]: H['type'] } & OutputsObject<R>
  : unknown;

/** The two sides of `"inputs -> outputs"`, or `false` when there is not exactly one `->`. */
type Sides<S extends string> = S extends `${infer L}->${infer R}`
  ? R extends `${string}->${string}`
    ? false
    : [L, R]
  : false;

/**
 * The input fields of a string signature as an object type; {@link AnyFields} when the string is
 * not a literal (built at run time) or not a valid signature.
 *
 * @example
 * ```ts
 * type In = InputsOf<'question, context: list[str] -> answer'>;
 * // { question: string; context: string[] }
 * ```
 */
export type InputsOf<S extends string, C = object> = string extends S
  ? AnyFields
  : Sides<S> extends [infer L extends string, string]
    ? Simplify<InputsObject<FieldsOf<L, C>>>
    : AnyFields;

/**
 * The output fields of a string signature as an object type (an `Optional[...]` output is always
 * present, `null` when the LM left it out); {@link AnyFields} when untyped.
 *
 * @example
 * ```ts
 * type Out = OutputsOf<'question -> answer, confidence: float'>;
 * // { answer: string; confidence: number }
 * ```
 */
export type OutputsOf<S extends string, C = object> = string extends S
  ? AnyFields
  : Sides<S> extends [string, infer R extends string]
    ? Simplify<OutputsObject<FieldsOf<R, C>>>
    : AnyFields;

/** The zod schema of a zod spec entry (`z.string()` or `field(z.string(), …)`). */
type SchemaOf<V> = V extends ZodFieldSpec<infer T> ? T : V extends ZodType ? V : never;

/** Input keys whose schema accepts `undefined` or `null` (optional, nullable or defaulted). */
type OptionalKeys<R> = {
  [K in keyof R]: undefined extends z.input<SchemaOf<R[K]>>
    ? K
    : null extends z.input<SchemaOf<R[K]>>
      ? K
      : never;
}[keyof R];

/**
 * The inputs of a zod spec: each schema's `z.input`; a field that is optional, nullable or has a
 * default may be omitted.
 */
export type ZodInputsOf<R> = Simplify<
  { [K in Exclude<keyof R, OptionalKeys<R>>]: z.input<SchemaOf<R[K]>> } & {
    [K in OptionalKeys<R>]?: z.input<SchemaOf<R[K]>>;
  }
>;

/**
 * The outputs of a zod spec: each schema's `z.output`; an optional output the LM left out is
 * `null` (as in DSPy), never `undefined`.
 */
export type ZodOutputsOf<R> = Simplify<{
  [K in keyof R]: undefined extends z.output<SchemaOf<R[K]>>
    ? Exclude<z.output<SchemaOf<R[K]>>, undefined> | null
    : z.output<SchemaOf<R[K]>>;
}>;

/**
 * The value type of a field added with `append` / `prepend` / `insert`: a type annotation string
 * (`'list[str]'`), a zod schema, or `unknown` for a `FieldType` object; `string` when no
 * type is given.
 */
export type FieldValueOf<T> = [T] extends [undefined]
  ? string
  : T extends string
    ? TypeOf<T>
    : T extends ZodType
      ? z.output<T>
      : unknown;
