import { z, type ZodType } from 'zod';
import { SignatureError } from './errors.js';
import type { FieldType } from './field-type.js';
import { zodToFieldType } from './zod-type.js';

/*
 * ML schema types (the seeds' `probability`, `confidence_score`, `embedding`, bounded numbers):
 * each is a plain DSPy type (`float`, `int`, `str`, `list[float]`) carrying a zod schema with the
 * bounds, so it renders as DSPy renders a Pydantic-constrained field (the type, plus
 * `Constraints: greater than or equal to: 0, …` under the description) and a value outside the
 * bounds fails the parse like any other type error (the ChatAdapter → JSONAdapter fallback, then
 * the caller's retries).
 */

/**
 * Zod forms of the ML types, for zod signatures (`outputs: { score: ml.probability() }`). Each
 * returns a fresh schema; chain `.describe()` as usual.
 *
 * @example
 * ```ts
 * signature({
 *   inputs: { text: z.string() },
 *   outputs: { label: z.enum(['spam', 'ham']), confidence: ml.confidence(), vector: ml.embedding(3) },
 * });
 * ```
 */
export const ml = Object.freeze({
  /** A probability: a float in [0, 1]. */
  probability: (): z.ZodNumber => z.number().min(0).max(1),
  /** A confidence score: a float in [0, 1]. */
  confidence: (): z.ZodNumber => z.number().min(0).max(1),
  /** An embedding: a list of exactly `dimension` floats. */
  embedding: (dimension: number): z.ZodArray<z.ZodNumber> => {
    checkDimension(dimension);
    return z.array(z.number()).min(dimension).max(dimension);
  },
  /** A float in [min, max] (either bound may be `null`: open). */
  float: (min: number | null, max: number | null): z.ZodNumber => bound(z.number(), min, max),
  /** An integer in [min, max] (either bound may be `null`: open). */
  int: (min: number | null, max: number | null): z.ZodNumber => bound(z.number().int(), min, max),
  /** A string whose length is in [min, max] (either bound may be `null`: open). */
  str: (min: number | null, max: number | null): z.ZodString => {
    let s = z.string();
    if (min !== null) s = s.min(min);
    if (max !== null) s = s.max(max);
    return s;
  },
});

function bound(n: z.ZodNumber, min: number | null, max: number | null): z.ZodNumber {
  let out = n;
  if (min !== null) out = out.min(min);
  if (max !== null) out = out.max(max);
  return out;
}

function checkDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1)
    throw new SignatureError(`embedding dimension must be a positive integer, got ${dimension}`, {
      details: { dimension },
    });
}

/** The field type of a zod schema, keeping the schema so parsed values are checked against it. */
function withZod(schema: ZodType): FieldType {
  return { ...zodToFieldType(schema), zod: schema };
}

/** ML type names usable bare in a string signature: `confidence: probability`. */
export const ML_NAMES: Readonly<Record<string, () => FieldType>> = Object.freeze({
  probability: () => withZod(ml.probability()),
  confidence: () => withZod(ml.confidence()),
});

const NUMBER_NAMES: Record<string, 'float' | 'int' | 'str'> = {
  float: 'float',
  number: 'float',
  int: 'int',
  integer: 'int',
  str: 'str',
  string: 'str',
};

/**
 * The ML type `name[args]` of a string signature, or undefined when `name` is none of them:
 * `embedding[768]`, and bounded `float[0, 10]`, `int[1, 5]`, `str[1, 280]` (string length),
 * with `None` for an open bound (`float[0, None]`). Bad arguments throw `SignatureError`.
 */
export function mlGeneric(name: string, args: readonly unknown[]): FieldType | undefined {
  if (name === 'embedding') {
    const [dimension] = args;
    if (args.length !== 1 || typeof dimension !== 'number')
      throw new SignatureError(
        `embedding[...] takes one dimension, e.g. embedding[768]; got ${args.length} argument(s)`,
      );
    return withZod(ml.embedding(dimension));
  }
  const base = NUMBER_NAMES[name];
  if (base === undefined) return undefined;
  const [min, max] = args;
  const isBound = (v: unknown): v is number | null => v === null || typeof v === 'number';
  if (args.length !== 2 || !isBound(min) || !isBound(max))
    throw new SignatureError(
      `${name}[min, max] takes two numbers (None for an open bound), e.g. ${name}[0, 10]`,
    );
  if (min !== null && max !== null && min > max)
    throw new SignatureError(`${name}[${min}, ${max}]: the lower bound is above the upper one`, {
      details: { min, max },
    });
  return withZod(ml[base](min, max));
}
