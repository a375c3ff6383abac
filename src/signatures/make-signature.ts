import type { ZodType } from 'zod';
import { SignatureError } from './errors.js';
import {
  isZodFieldSpec,
  makeField,
  type Field,
  type FieldKind,
  type ZodFieldSpec,
} from './field.js';
import { Signature, type ZodSignatureSpec } from './signature.js';
import type { InputsOf, OutputsOf, ZodInputsOf, ZodOutputsOf } from './typed.js';
import { parseSignatureString } from './signature-parser.js';
import { inferPrefix } from './text.js';
import type { CustomTypes } from './type-parser.js';
import { zodFieldInfo } from './zod-type.js';

/** Options of {@link signature}. */
export interface SignatureOptions<C extends CustomTypes = CustomTypes> {
  /**
   * Type names a string signature may use besides the built-ins (DSPy's `custom_types`), as field
   * types or zod schemas: `signature('p: Person -> ok: bool', undefined, { types: { Person } })`.
   * A zod schema's `z.output` becomes the field's compile-time type.
   */
  types?: C;
}

function isZodType(v: unknown): v is ZodType {
  return typeof v === 'object' && v !== null && '_zod' in v;
}

function fieldsFromZod(record: Record<string, ZodType | ZodFieldSpec>, kind: FieldKind): Field[] {
  return Object.entries(record).map(([name, value]) => {
    const spec = isZodFieldSpec(value) ? value : undefined;
    const schema = spec ? spec.schema : (value as ZodType);
    if (!isZodType(schema)) {
      throw new SignatureError(`Field '${name}' must be a zod schema or field(schema, …).`, {
        details: { name },
      });
    }
    const info = zodFieldInfo(schema);
    return makeField({
      name,
      kind,
      type: info.type,
      desc: spec?.desc ?? info.description,
      prefix: spec?.prefix ?? `${inferPrefix(name)}:`,
      hasDefault: info.hasDefault,
      default: info.default,
      constraints: spec?.constraints ?? info.constraints,
    });
  });
}

/**
 * Builds a {@link Signature} from a string (`"question, context: list[str] -> answer: int"`,
 * DSPy's Python type names or TS ones) or from zod schemas. Without instructions the signature
 * gets DSPy's default: ``Given the fields `question`, produce the fields `answer`.``
 * Throws {@link SignatureError} (`invalid_signature`) with DSPy's messages on bad specs.
 *
 * The result is typed: from a string literal the compiler reads the fields and their types
 * (`list[str]` → `string[]`, `Optional[int]` → `number | null`, `Literal['a', 'b']` → `'a' | 'b'`,
 * unknown names → `unknown`); from zod schemas it takes `z.input` / `z.output`. A signature built
 * from a `string` variable is untyped (any field name, values `any`).
 *
 * @example
 * ```ts
 * const qa = signature('question -> answer: int, score: float', 'Answer precisely.');
 * const typed = signature({
 *   instructions: 'Classify the sentiment.',
 *   inputs: { sentence: z.string().describe('the text to classify') },
 *   outputs: { sentiment: z.enum(['positive', 'negative']) },
 * });
 * ```
 */
export function signature<S extends string, C extends CustomTypes = Record<never, never>>(
  spec: S,
  instructions?: string,
  options?: SignatureOptions<C>,
): Signature<InputsOf<S, C>, OutputsOf<S, C>>;
export function signature<Z extends ZodSignatureSpec>(
  spec: Z,
  instructions?: string,
  options?: SignatureOptions,
): Signature<ZodInputsOf<Z['inputs']>, ZodOutputsOf<Z['outputs']>>;
export function signature<I extends object, O extends object>(
  spec: Signature<I, O>,
  instructions?: string,
  options?: SignatureOptions,
): Signature<I, O>;
export function signature(
  spec: string | ZodSignatureSpec | Signature<object, object>,
  instructions?: string,
  options?: SignatureOptions,
): Signature;
export function signature(
  spec: string | ZodSignatureSpec | Signature<object, object>,
  instructions?: string,
  options: SignatureOptions = {},
): Signature<object, object> {
  if (spec instanceof Signature) {
    return instructions === undefined ? spec : spec.withInstructions(instructions);
  }
  let fields: Field[];
  if (typeof spec === 'string') {
    const parsed = parseSignatureString(spec, options.types);
    const build = (kind: FieldKind) => (p: (typeof parsed.inputs)[number]) =>
      makeField({
        name: p.name,
        kind,
        type: p.type,
        prefix: `${inferPrefix(p.name)}:`,
        typeUndefined: p.typeUndefined,
      });
    fields = [...parsed.inputs.map(build('input')), ...parsed.outputs.map(build('output'))];
  } else {
    if (typeof spec !== 'object' || spec === null || !spec.inputs || !spec.outputs) {
      throw new SignatureError(
        'A signature spec must be a string or { inputs, outputs } of zod schemas.',
      );
    }
    const inputs = fieldsFromZod(spec.inputs, 'input');
    const outputs = fieldsFromZod(spec.outputs, 'output');
    const outputNames = new Set(outputs.map((f) => f.name));
    const dup = inputs
      .map((f) => f.name)
      .filter((n) => outputNames.has(n))
      .sort();
    if (dup.length > 0) {
      throw new SignatureError(
        `Input and output fields must have distinct names, but found duplicates: '${dup.join(', ')}'.`,
        { details: { duplicates: dup } },
      );
    }
    fields = [...inputs, ...outputs];
    instructions ??= spec.instructions;
  }
  // '' is how the Signature constructor spells "no instructions": it fills DSPy's default.
  return new Signature(instructions ?? '', fields);
}
