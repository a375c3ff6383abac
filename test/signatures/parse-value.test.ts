import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  FieldTypes,
  SignatureError,
  jsonRepairLoads,
  parseValue,
  pythonLiteralEval,
  pyFloatRepr,
  pyJsonDumps,
  pyRepr,
  signature,
  validateValue,
  zodToFieldType,
  type FieldType,
} from '../../src/signatures/index.js';

const Profile = zodToFieldType(
  z.object({ name: z.string(), age: z.number().int() }).meta({ title: 'Profile' }),
);
const options = FieldTypes.literal('option1', 'option2');

describe('parseValue (T13, DSPy parse_value table)', () => {
  it.each<[string, unknown, FieldType, unknown]>([
    ['int', '42', FieldTypes.int, 42],
    ['float', '3.14', FieldTypes.float, 3.14],
    ['bool true', 'true', FieldTypes.bool, true],
    ['bool false', 'false', FieldTypes.bool, false],
    ['list[int]', '[1, 2, 3]', FieldTypes.list(FieldTypes.int), [1, 2, 3]],
    ['model', '{"name": "John", "age": 30}', Profile, { name: 'John', age: 30 }],
    ['quoted literal', "'option1'", options, 'option1'],
    ['Literal[...] wrapper', 'Literal[option1]', options, 'option1'],
    ['str[...] wrapper', 'str[option1]', options, 'option1'],
    ['Optional[int]', '5', FieldTypes.optional(FieldTypes.int), 5],
    [
      'Union[int, str, None] keeps text',
      'fallback',
      FieldTypes.union(FieldTypes.int, FieldTypes.str, FieldTypes.none),
      'fallback',
    ],
    ['dict from a Python literal', "{'key': 'value'}", FieldTypes.dict(), { key: 'value' }],
    ['str of a number', 123, FieldTypes.str, '123'],
    ['str of None', null, FieldTypes.str, 'None'],
    ['str of a list', [1, 2, 3], FieldTypes.str, '[1, 2, 3]'],
    [
      'Optional[str] keeps brackets',
      'text with [placeholder]',
      FieldTypes.optional(FieldTypes.str),
      'text with [placeholder]',
    ],
    ['float with underscores', '123_456.789', FieldTypes.float, 123456.789],
    ['int from a float string', '7.0', FieldTypes.int, 7],
    ['bool yes', 'Yes', FieldTypes.bool, true],
    ['trailing comma list', '["a", "b",]', FieldTypes.list(FieldTypes.str), ['a', 'b']],
    ['tuple', '(1, "x")', FieldTypes.tuple(FieldTypes.int, FieldTypes.str), [1, 'x']],
    ['non-string input validated directly', 3, FieldTypes.float, 3],
    ['Any keeps parsed JSON', '{"a": [1]}', FieldTypes.any, { a: [1] }],
  ])('%s', (_name, input, type, expected) => {
    expect(parseValue(input, type)).toEqual(expected);
  });

  it.each<[string, unknown, FieldType]>([
    ['model missing a field', '{"name": "John"}', Profile],
    ['literal not allowed', 'invalid', options],
    ['dict from prose', 'not json or literal', FieldTypes.dict()],
    ['int from prose', 'forty-two', FieldTypes.int],
    ['int from a fraction', '4.5', FieldTypes.int],
    ['list of ints with a word', '[1, "x"]', FieldTypes.list(FieldTypes.int)],
  ])('%s fails with a SignatureError', (_name, input, type) => {
    expect(() => parseValue(input, type)).toThrowError(SignatureError);
  });

  it('enums match by value first, then by member name (find_enum_member)', () => {
    const Label = FieldTypes.enum('Label', { POSITIVE: 'positive', NEGATIVE: 'negative' });
    expect(parseValue('positive', Label)).toBe('positive');
    expect(parseValue('NEGATIVE', Label)).toBe('negative');
    expect(() => parseValue('meh', Label)).toThrowError(
      'meh is not a valid name or value for the enum Label',
    );
  });

  it('literal errors read like Python', () => {
    expect(() => parseValue('invalid', options)).toThrowError(
      "'invalid' is not one of ('option1', 'option2')",
    );
  });

  it("validation errors read like Pydantic's (without its documentation link line)", () => {
    expect(() => validateValue('4.5', FieldTypes.int)).toThrowError(
      "1 validation error for int\n  Input should be a valid integer, unable to parse string as an integer [type=int_parsing, input_value='4.5', input_type=str]",
    );
    expect(() => parseValue('maybe', FieldTypes.literal('a', 'b', 'c'))).toThrowError(
      "'maybe' is not one of ('a', 'b', 'c')",
    );
    expect(() => validateValue('d', FieldTypes.literal('a', 'b', 'c'))).toThrowError(
      "Input should be 'a', 'b' or 'c' [type=literal_error",
    );
  });

  it('validation errors list the path of each issue', () => {
    try {
      validateValue({ name: 1 }, Profile);
      expect.unreachable();
    } catch (e) {
      expect((e as SignatureError).code).toBe('invalid_value');
      expect((e as Error).message).toMatch(
        /^2 validation errors for Profile\nname\n {2}Input should be a valid string/,
      );
      expect((e as Error).message).toContain('age\n  Field required');
    }
  });

  it('signature output types drive parsing', () => {
    const sig = signature('q -> answer: int | None');
    expect(parseValue('5', sig.field('answer')!.type)).toBe(5);
    expect(parseValue('null', sig.field('answer')!.type)).toBeNull();
  });
});

describe('jsonRepairLoads and pythonLiteralEval (what parse_value reads values with)', () => {
  it.each<[string, unknown]>([
    ['{"a": 1}', { a: 1 }],
    // json_repair reads a bare None as the text 'None' (True is read as true).
    ["{'a': True, 'b': None}", { a: true, b: 'None' }],
    ['{a: 1, b: two}', { a: 1, b: 'two' }],
    ['[1, 2', [1, 2]],
    ['{"a": [1, {"b": 2}', { a: [1, { b: 2 }] }],
    ['  42  ', 42],
    ['-1e3', -1000],
    ['"quoted \\"text\\""', 'quoted "text"'],
    ['{"a": 1} trailing words', { a: 1 }],
    ['// comment\n{"a": 1}', { a: 1 }],
  ])('json_repair reads %j', (text, expected) => {
    expect(jsonRepairLoads(text)).toEqual(expected);
  });

  it.each(['Paris', '', '42 apples', 'hello world', '0x1A', "'3,5'"])(
    'json_repair finds no JSON in %j',
    (text) => {
      expect(jsonRepairLoads(text)).toBe('');
    },
  );

  it.each<[string, unknown]>([
    ['0x1A', 26],
    ["'3,5'", '3,5'],
    ['3,5', [3, 5]],
    ["'abc'\n", 'abc'],
  ])('literal_eval reads %j', (text, expected) => {
    expect(pythonLiteralEval(text)).toEqual(expected);
  });
});

describe('Python formatting', () => {
  it.each<[number, string]>([
    [1, '1.0'],
    [0.1, '0.1'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [123456.789, '123456.789'],
    [-2.5, '-2.5'],
    [1.5e-7, '1.5e-07'],
    [-0, '-0.0'],
    [Infinity, 'inf'],
  ])('repr(float %d) = %s', (x, expected) => {
    expect(pyFloatRepr(x)).toBe(expected);
  });

  it('repr of containers and json.dumps separators', () => {
    expect(pyRepr({ a: [1, 'x', null, true] })).toBe("{'a': [1, 'x', None, True]}");
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(pyJsonDumps({ a: [1, 2], b: 'é' })).toBe('{"a": [1, 2], "b": "é"}');
    expect(pyJsonDumps({ a: 1, b: [] }, undefined, 2)).toBe('{\n  "a": 1,\n  "b": []\n}');
    expect(pyJsonDumps([1, 2], FieldTypes.list(FieldTypes.float))).toBe('[1.0, 2.0]');
  });
});
