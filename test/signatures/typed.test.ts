// Type tests: `npm run typecheck` (tsc over test/) checks every expectTypeOf below; at run time
// vitest only sees that the calls do not throw.
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  FieldTypes,
  field,
  signature,
  type AnyFields,
  type InputsOf,
  type OutputsOf,
  type Signature,
  type TypeOf,
} from '../../src/signatures/index.js';

/** The compile-time inputs / outputs type of a signature value (the value returned is a dummy). */
const inputsOf = <I extends object>(_sig: Signature<I, object>): I => ({}) as I;
const outputsOf = <O extends object>(_sig: Signature<object, O>): O => ({}) as O;

describe('string signatures are typed by the compiler', () => {
  it('reads inputs and outputs of the issue example', () => {
    const sig = signature('question, context: list[str] -> answer, confidence: float');
    expectTypeOf(inputsOf(sig)).toEqualTypeOf<{
      question: string;
      context: string[];
    }>();
    expectTypeOf(outputsOf(sig)).toEqualTypeOf<{
      answer: string;
      confidence: number;
    }>();
  });

  it("maps DSPy's Python type names", () => {
    expectTypeOf<TypeOf<'str'>>().toEqualTypeOf<string>();
    expectTypeOf<TypeOf<'int'>>().toEqualTypeOf<number>();
    expectTypeOf<TypeOf<'float'>>().toEqualTypeOf<number>();
    expectTypeOf<TypeOf<'bool'>>().toEqualTypeOf<boolean>();
    expectTypeOf<TypeOf<'list[int]'>>().toEqualTypeOf<number[]>();
    expectTypeOf<TypeOf<'typing.List[str]'>>().toEqualTypeOf<string[]>();
    expectTypeOf<TypeOf<'set[str]'>>().toEqualTypeOf<string[]>();
    expectTypeOf<TypeOf<'list'>>().toEqualTypeOf<unknown[]>();
    expectTypeOf<TypeOf<'tuple[int, str]'>>().toEqualTypeOf<[number, string]>();
    expectTypeOf<TypeOf<'dict[str, int]'>>().toEqualTypeOf<Record<string, number>>();
    expectTypeOf<TypeOf<'dict[str, list[float]]'>>().toEqualTypeOf<Record<string, number[]>>();
    expectTypeOf<TypeOf<'dict'>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<TypeOf<'Optional[int]'>>().toEqualTypeOf<number | null>();
    expectTypeOf<TypeOf<'int | None'>>().toEqualTypeOf<number | null>();
    expectTypeOf<TypeOf<'Union[int, str]'>>().toEqualTypeOf<number | string>();
    expectTypeOf<TypeOf<"Literal['yes', 'no']">>().toEqualTypeOf<'yes' | 'no'>();
    expectTypeOf<TypeOf<'Literal["a, b", \'c\']'>>().toEqualTypeOf<'a, b' | 'c'>();
    expectTypeOf<TypeOf<'Literal[1, 2, True]'>>().toEqualTypeOf<1 | 2 | true>();
    expectTypeOf<TypeOf<'Any'>>().toEqualTypeOf<unknown>();
    expectTypeOf<TypeOf<'dspy.History'>>().toEqualTypeOf<{
      readonly messages: readonly Record<string, unknown>[];
    }>();
  });

  it('maps the TS-style names', () => {
    expectTypeOf<TypeOf<'string'>>().toEqualTypeOf<string>();
    expectTypeOf<TypeOf<'number'>>().toEqualTypeOf<number>();
    expectTypeOf<TypeOf<'integer'>>().toEqualTypeOf<number>();
    expectTypeOf<TypeOf<'boolean'>>().toEqualTypeOf<boolean>();
    expectTypeOf<TypeOf<'string[]'>>().toEqualTypeOf<string[]>();
    expectTypeOf<TypeOf<"'yes' | 'no'">>().toEqualTypeOf<'yes' | 'no'>();
    expectTypeOf<TypeOf<'object'>>().toEqualTypeOf<Record<string, unknown>>();
  });

  it('gives unknown for names the compiler cannot know', () => {
    expectTypeOf<TypeOf<'Image'>>().toEqualTypeOf<unknown>();
    expectTypeOf<OutputsOf<'q -> picture: Image'>>().toEqualTypeOf<{ picture: unknown }>();
  });

  it('makes inputs that admit None optional, and outputs that admit None nullable', () => {
    type In = InputsOf<'q, k: Optional[int], tags: list[str] | None -> a'>;
    expectTypeOf<In>().toEqualTypeOf<{
      q: string;
      k?: number | null | undefined;
      tags?: string[] | null | undefined;
    }>();
    expectTypeOf<OutputsOf<'q -> a: Optional[int]'>>().toEqualTypeOf<{ a: number | null }>();
  });

  it('tolerates whitespace, newlines and trailing commas', () => {
    type Out = OutputsOf<`question ->
      answer : int ,
      notes,`>;
    expectTypeOf<Out>().toEqualTypeOf<{ answer: number; notes: string }>();
    expectTypeOf<InputsOf<'-> answer'>>().toEqualTypeOf<{}>(); // eslint-disable-line @typescript-eslint/no-empty-object-type
  });

  it('reads custom zod types given in options.types', () => {
    const Person = z.object({ name: z.string(), age: z.number() });
    const sig = signature('p: Person -> ok: bool', undefined, { types: { Person } });
    expectTypeOf(inputsOf(sig)).toEqualTypeOf<{ p: z.output<typeof Person> }>();
    expectTypeOf(inputsOf(sig)).toHaveProperty('p').toHaveProperty('age').toEqualTypeOf<number>();
    const opaque = signature('p: Point -> ok: bool', undefined, {
      types: { Point: FieldTypes.tuple(FieldTypes.int, FieldTypes.int) },
    });
    expectTypeOf(inputsOf(opaque)).toEqualTypeOf<{ p: unknown }>();
  });

  it('falls back to untyped for strings built at run time and for invalid strings', () => {
    const spec: string = ['question', 'answer'].join(' -> ');
    expectTypeOf(signature(spec)).toEqualTypeOf<Signature<AnyFields, AnyFields>>();
    expectTypeOf<OutputsOf<'a -> b -> c'>>().toEqualTypeOf<AnyFields>();
  });

  it('keeps the types through withInstructions, loadState and desc patches', () => {
    const sig = signature('question -> answer: int');
    expectTypeOf(sig.withInstructions('x')).toEqualTypeOf(sig);
    expectTypeOf(sig.withUpdatedFields('answer', { desc: 'the answer' })).toEqualTypeOf(sig);
    expectTypeOf(sig.loadState(sig.dumpState())).toEqualTypeOf(sig);
    expectTypeOf(sig.withUpdatedFields('answer', { type: 'str' })).toEqualTypeOf<Signature>();
  });

  it('append, prepend and delete change the field types', () => {
    const sig = signature('question -> answer: int')
      .prepend('reasoning', 'output')
      .append('k', 'input', { type: 'list[int]' })
      .append('score', 'output', { type: z.number().min(0) })
      .delete('answer');
    expectTypeOf(inputsOf(sig)).toEqualTypeOf<{ question: string; k: number[] }>();
    expectTypeOf(outputsOf(sig)).toEqualTypeOf<{ reasoning: string; score: number }>();
  });
});

describe('zod signatures take their types from z.input / z.output', () => {
  it('types inputs and outputs', () => {
    const sig = signature({
      inputs: {
        sentence: z.string(),
        lang: z.enum(['en', 'fr']).default('en'),
        hint: field(z.string().optional(), { desc: 'optional hint' }),
      },
      outputs: {
        sentiment: z.enum(['positive', 'negative']),
        score: field(z.number(), { desc: '0..1' }),
        note: z.string().optional(),
      },
    });
    expectTypeOf(inputsOf(sig)).toEqualTypeOf<{
      sentence: string;
      lang?: 'en' | 'fr' | undefined;
      hint?: string | undefined;
    }>();
    expectTypeOf(outputsOf(sig)).toEqualTypeOf<{
      sentiment: 'positive' | 'negative';
      score: number;
      note: string | null;
    }>();
  });
});
