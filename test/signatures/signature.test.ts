import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Signature } from '../../src/signatures/index.js';
import {
  FieldTypes,
  SignatureError,
  field,
  inferPrefix,
  pythonTypeName,
  signature,
} from '../../src/signatures/index.js';

const typeNames = (sig: Signature) => sig.fields.map((f) => `${f.name}: ${pythonTypeName(f.type)}`);

describe('string signatures (T1, T2)', () => {
  it('T1: parses names in order, all str, with default instructions and a string form', () => {
    const sig = signature('input1, input2 -> output');
    expect(sig.inputFields.map((f) => f.name)).toEqual(['input1', 'input2']);
    expect(sig.outputFields.map((f) => f.name)).toEqual(['output']);
    expect(sig.fields.every((f) => f.type.kind === 'str' && f.typeUndefined)).toBe(true);
    expect(signature('a, b -> c').instructions).toBe(
      'Given the fields `a`, `b`, produce the fields `c`.',
    );
    expect(signature('input1 -> output1').toString()).toBe('input1 -> output1');
    expect(signature('input1 -> output1').name).toBe('StringSignature');
  });

  it('T1: explicit instructions replace the default', () => {
    expect(signature('input1 -> output1', 'This is a test').instructions).toBe('This is a test');
  });

  it("empty instructions ('') fall back to the default, as in DSPy; blank text cleans to ''", () => {
    const sig = signature('input1 -> output1', '');
    expect(sig.instructions).toBe('Given the fields `input1`, produce the fields `output1`.');
    expect(sig.withInstructions('').instructions).toBe(sig.instructions);
    const blank = signature('input1 -> output1', '   ');
    expect(blank.instructions).toBe('');
    // A derived signature re-reads '' as "none given" and takes its own fields' default.
    expect(blank.delete('input1').instructions).toBe(
      'Given the fields , produce the fields `output1`.',
    );
  });

  it.each([
    ['input1: int, input2: str -> output: float', ['input1: int', 'input2: str', 'output: float']],
    [
      'input_list: list[int], input_dict: dict[str, float] -> output_tuple: tuple[str, int]',
      ['input_list: list[int]', 'input_dict: dict[str, float]', 'output_tuple: tuple[str, int]'],
    ],
    [
      'input1: int, input2: dict[str, int] -> output1: list[str], output2: Union[int, str]',
      ['input1: int', 'input2: dict[str, int]', 'output1: list[str]', 'output2: Union[int, str]'],
    ],
    [
      'input1: str | None, input2: None | int -> output_union: int | str',
      [
        'input1: Union[str, NoneType]',
        'input2: Union[int, NoneType]',
        'output_union: Union[int, str]',
      ],
    ],
    [
      'input: str | (int | float) | None -> output: str',
      ['input: Union[str, int, float, NoneType]', 'output: str'],
    ],
    [
      'input_opt: Optional[str], input_union: Union[int, None] -> output_union: Union[int, str]',
      [
        'input_opt: Union[str, NoneType]',
        'input_union: Union[int, NoneType]',
        'output_union: Union[int, str]',
      ],
    ],
    ['input_any: Any -> output_any: Any', ['input_any: Any', 'output_any: Any']],
    [
      'input_nested: list[Union[str, int]] -> output_nested: Tuple[int, Optional[float], list[str]]',
      [
        'input_nested: list[Union[str, int]]',
        'output_nested: tuple[int, Union[float, NoneType], list[str]]',
      ],
    ],
    [
      'input_complex: dict[str, list[Optional[Tuple[int, str]]]] -> output_complex: Union[list[str], dict[str, Any]]',
      [
        'input_complex: dict[str, list[Union[tuple[int, str], NoneType]]]',
        'output_complex: Union[list[str], dict[str, Any]]',
      ],
    ],
    [
      'h: dspy.History, q: typing.List[int] -> v: Literal["yes", "no"]',
      ['h: History', 'q: list[int]', "v: Literal['yes', 'no']"],
    ],
    [
      "q: string, n: integer, x: number, ok: boolean, tags: string[] -> verdict: 'yes' | 'no'",
      [
        'q: str',
        'n: int',
        'x: float',
        'ok: bool',
        'tags: list[str]',
        "verdict: Literal['yes', 'no']",
      ],
    ],
  ])('T2: %s', (spec, expected) => {
    expect(typeNames(signature(spec))).toEqual(expected);
  });

  it('T2: PEP 604 unions equal their typing spelling', () => {
    const a = signature('input: str | None -> output: int | str');
    const b = signature('input: Optional[str] -> output: Union[int, str]');
    expect(a.equals(b)).toBe(true);
    expect(a.sameShape(b)).toBe(true);
  });
});

describe('signature errors (T3)', () => {
  it.each([
    ['', "Invalid signature format: '', must contain exactly one '->'."],
    ['a -> b -> c', "Invalid signature format: 'a -> b -> c', must contain exactly one '->'."],
    [
      'question answer',
      "Invalid signature format: 'question answer', must contain exactly one '->'.",
    ],
    [
      'value -> value',
      "Input and output fields must have distinct names, but found duplicates: 'value'.",
    ],
    [
      'b, a -> a, b',
      "Input and output fields must have distinct names, but found duplicates: 'a, b'.",
    ],
    ['x: Foo -> y', 'Unknown name: Foo'],
  ])("%j fails with DSPy's message", (spec, message) => {
    let caught: unknown;
    try {
      signature(spec);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SignatureError);
    expect((caught as SignatureError).code).toBe('invalid_signature');
    expect((caught as Error).message).toBe(message);
  });

  it.each([
    '1abc -> b',
    'a b -> c',
    'class -> b',
    'a, a -> b',
    'x: list[ -> y',
    'x: int] -> y',
    'x: -> y',
  ])('%j is rejected as invalid syntax', (spec) => {
    expect(() => signature(spec)).toThrowError(SignatureError);
  });

  it('zod specs reject duplicate names and non-schemas', () => {
    expect(() => signature({ inputs: { v: z.string() }, outputs: { v: z.string() } })).toThrowError(
      /distinct names/,
    );
    expect(() => signature({ inputs: { v: 'str' as never }, outputs: {} })).toThrowError(
      SignatureError,
    );
  });
});

describe('prefixes, descriptions and state (T4)', () => {
  it.each([
    ['someAttributeName42IsCool', 'Some Attribute Name 42 Is Cool'],
    ['version2Update', 'Version 2 Update'],
    ['modelT45Enhanced', 'Model T 45 Enhanced'],
    ['someAttributeName', 'Some Attribute Name'],
    ['some_attribute_name', 'Some Attribute Name'],
    ['URLAddress', 'URL Address'],
    ['isHTTPSecure', 'Is HTTP Secure'],
    ['isHTTPSSecure123', 'Is HTTPS Secure 123'],
    ['question', 'Question'],
  ])('inferPrefix(%s) = %s', (name, prefix) => {
    expect(inferPrefix(name)).toBe(prefix);
  });

  it('default prefix and description; withUpdatedFields returns a new signature', () => {
    const s1 = signature('input1, input2 -> output');
    expect(s1.field('input1')?.prefix).toBe('Input 1:');
    expect(s1.field('input1')?.desc).toBe('${input1}');
    const s2 = s1.withUpdatedFields('input1', { prefix: 'Modified:' });
    expect(s2.field('input1')?.prefix).toBe('Modified:');
    expect(s1.field('input1')?.prefix).toBe('Input 1:');
    expect(s2).not.toBe(s1);
    expect(s2.field('input2')).toEqual(s1.field('input2'));
    expect(s2.instructions).toBe(s1.instructions);
    expect(s1.withUpdatedFields('output', { type: 'list[int]' }).field('output')?.type).toEqual(
      FieldTypes.list(FieldTypes.int),
    );
    expect(() => s1.withUpdatedFields('missing', { desc: 'x' })).toThrowError(SignatureError);
  });

  it("dumps and loads state in DSPy's shape, loading into a copy only", () => {
    const sig = signature({
      instructions: 'I am just an instruction.',
      inputs: { sentence: z.string().describe('I am an innocent input!') },
      outputs: { sentiment: z.string() },
    });
    const state = sig.dumpState();
    expect(state).toEqual({
      instructions: 'I am just an instruction.',
      fields: [
        { prefix: 'Sentence:', description: 'I am an innocent input!' },
        { prefix: 'Sentiment:', description: '${sentiment}' },
      ],
    });
    const other = signature('sentence -> sentiment');
    const loaded = other.loadState(state);
    expect(loaded.dumpState()).toEqual(state);
    expect(other.instructions).toBe('Given the fields `sentence`, produce the fields `sentiment`.');
    expect(other.field('sentence')?.desc).toBe('${sentence}');
    expect(JSON.parse(JSON.stringify(loaded.dumpState()))).toEqual(state);
  });

  it('appendInstructions joins with a blank line and chains', () => {
    const sig = signature('input_text -> output_text', 'Translate to French.');
    expect(sig.appendInstructions('Use a formal register.').instructions).toBe(
      'Translate to French.\n\nUse a formal register.',
    );
    expect(sig.instructions).toBe('Translate to French.');
    const chained = signature('input1 -> output1', 'Base instructions.')
      .appendInstructions('Step one.')
      .appendInstructions('Step two.');
    expect(chained.instructions).toBe('Base instructions.\n\nStep one.\n\nStep two.');
  });

  it('instructions go through inspect.cleandoc', () => {
    expect(
      signature('a -> b', '\n    First line\n    Second line\n        Third line\n  ').instructions,
    ).toBe('First line\nSecond line\n    Third line');
  });
});

describe('signature algebra (immutable)', () => {
  const base = signature('input1 -> output1: int');

  it('prepend/append/insert place fields within their kind and keep instructions', () => {
    expect(base.prepend('new_input_start', 'input').inputFields.map((f) => f.name)).toEqual([
      'new_input_start',
      'input1',
    ]);
    expect(base.append('new_input_end', 'input').inputFields.map((f) => f.name)).toEqual([
      'input1',
      'new_input_end',
    ]);
    expect(base.prepend('first', 'output').outputFields.map((f) => f.name)).toEqual([
      'first',
      'output1',
    ]);
    expect(base.append('last', 'output').outputFields.map((f) => f.name)).toEqual([
      'output1',
      'last',
    ]);
    expect(base.insert(-2, 'x', 'output').outputFields.map((f) => f.name)).toEqual([
      'x',
      'output1',
    ]);
    expect(base.append('last', 'output').instructions).toBe(base.instructions);
    expect(base.fields.map((f) => f.name)).toEqual(['input1', 'output1']);
  });

  it("insert rejects out-of-range indices with DSPy's message and duplicate names", () => {
    expect(() => base.insert(5, 'x', 'input')).toThrowError(
      'Invalid index to insert: 5, index must be in the range of [0, 1] for input fields, but received: 5.',
    );
    expect(() => base.insert(-3, 'x', 'input')).toThrowError(SignatureError);
    expect(() => base.append('input1', 'output')).toThrowError(SignatureError);
  });

  it('delete removes a field; deleting a missing name changes nothing', () => {
    expect(base.delete('input1').toString()).toBe(' -> output1');
    expect(base.delete('nope').equals(base)).toBe(true);
  });

  it('equals compares instructions and per-field desc/prefix like DSPy', () => {
    expect(signature('input1 -> output1').equals(signature('input1 -> output1'))).toBe(true);
    expect(signature('input1 -> output1').equals(signature('input2 -> output2'))).toBe(false);
    expect(base.equals(base.withInstructions('other'))).toBe(false);
    expect(base.equals(base.withUpdatedFields('input1', { desc: 'd' }))).toBe(false);
    expect(base.equals('input1 -> output1')).toBe(false);
  });

  it('signatures and their fields are frozen', () => {
    expect(Object.isFrozen(base)).toBe(true);
    expect(Object.isFrozen(base.fields)).toBe(true);
    expect(Object.isFrozen(base.fields[0])).toBe(true);
  });

  it('append accepts a type string, a FieldType or a zod schema', () => {
    const sig = base
      .append('a', 'output', { type: 'list[str]' })
      .append('b', 'output', { type: FieldTypes.bool, desc: 'flag' })
      .append('c', 'output', { type: z.number().describe('a number') });
    expect(typeNames(sig).slice(2)).toEqual(['a: list[str]', 'b: bool', 'c: float']);
    expect(sig.field('b')?.desc).toBe('flag');
    expect(sig.field('c')?.desc).toBe('a number');
  });

  it('toTypedString round-trips through the parser', () => {
    const sig = signature('q: list[str], k -> answer: Union[int, NoneType], v: Literal["a", 1]');
    expect(sig.toTypedString()).toBe(
      "q: list[str], k -> answer: Union[int, NoneType], v: Literal['a', 1]",
    );
    expect(signature(sig.toTypedString()).sameShape(sig)).toBe(true);
  });
});

describe('zod signatures', () => {
  it('maps zod types to DSPy types, descriptions, prefixes and optionality', () => {
    const sig = signature({
      instructions: 'Classify.',
      inputs: {
        text: z.string().describe('the text'),
        hint: field(z.string().optional(), { desc: 'a hint', prefix: 'Hint text:' }),
      },
      outputs: {
        label: z.enum(['positive', 'negative']),
        score: z.number(),
        count: z.number().int(),
        tags: z.array(z.string()).default([]),
        meta: z.record(z.string(), z.number()),
        maybe: z.string().nullable(),
      },
    });
    expect(typeNames(sig)).toEqual([
      'text: str',
      'hint: Union[str, NoneType]',
      "label: Literal['positive', 'negative']",
      'score: float',
      'count: int',
      'tags: list[str]',
      'meta: dict[str, float]',
      'maybe: Union[str, NoneType]',
    ]);
    expect(sig.instructions).toBe('Classify.');
    expect(sig.field('text')?.desc).toBe('the text');
    expect(sig.field('hint')).toMatchObject({
      desc: 'a hint',
      prefix: 'Hint text:',
      optional: true,
    });
    expect(sig.field('tags')).toMatchObject({ optional: true, hasDefault: true, default: [] });
    expect(sig.field('maybe')?.optional).toBe(true);
    expect(sig.field('score')?.optional).toBe(false);
  });

  it('zod checks become DSPy constraint text (test_signature_field_with_constraints)', () => {
    const sig = signature({
      inputs: { inputs: z.string() },
      outputs: { outputs1: z.string().min(5).max(10), outputs2: z.number().int().gte(5).lte(10) },
    });
    expect(sig.field('outputs1')?.constraints).toBe('minimum length: 5, maximum length: 10');
    expect(sig.field('outputs2')?.constraints).toBe(
      'greater than or equal to: 5, less than or equal to: 10',
    );
    expect(sig.field('inputs')?.constraints).toBeUndefined();
  });

  it('default instructions when none given; the second argument overrides', () => {
    const spec = { inputs: { q: z.string() }, outputs: { a: z.string() } };
    expect(signature(spec).instructions).toBe('Given the fields `q`, produce the fields `a`.');
    expect(signature(spec, 'Do it.').instructions).toBe('Do it.');
  });

  it('string signatures can name custom types (DSPy custom_types)', () => {
    const Person = z.object({ name: z.string() });
    const sig = signature('people: list[Person], mode: Mode -> ok: bool', undefined, {
      types: { Person, Mode: FieldTypes.literal('fast', 'slow') },
    });
    expect(typeNames(sig)).toEqual([
      'people: list[Person]',
      "mode: Literal['fast', 'slow']",
      'ok: bool',
    ]);
    expect(() => signature('p: Person -> ok')).toThrowError('Unknown name: Person');
  });

  it('accepts an existing signature', () => {
    const sig = signature('a -> b');
    expect(signature(sig)).toBe(sig);
    expect(signature(sig, 'New.').instructions).toBe('New.');
  });
});
