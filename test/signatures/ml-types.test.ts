import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { ChatAdapter } from '../../src/adapters/index.js';
import { DummyLM } from '../../src/lm/index.js';
import { Predict } from '../../src/modules/index.js';
import { pipeline } from '../../src/pipeline/index.js';
import {
  SignatureError,
  ml,
  signature,
  type InputsOf,
  type OutputsOf,
} from '../../src/signatures/index.js';

const SIG =
  'text: str[1, 200] -> confidence: confidence, p: probability, score: float[0, 10], stars: int[1, 5], vec: embedding[3], title: str[None, 20], n: int[0, None]';

describe('ML types in string signatures', () => {
  it('parse_to_dspy_types_with_pydantic_style_constraints', () => {
    const sig = signature(SIG);
    expect(
      sig.fields.map((f) => [
        f.name,
        sig.toTypedString().includes(f.name),
        f.type.kind,
        f.constraints,
      ]),
    ).toEqual([
      ['text', true, 'str', 'minimum length: 1, maximum length: 200'],
      ['confidence', true, 'float', 'greater than or equal to: 0, less than or equal to: 1'],
      ['p', true, 'float', 'greater than or equal to: 0, less than or equal to: 1'],
      ['score', true, 'float', 'greater than or equal to: 0, less than or equal to: 10'],
      ['stars', true, 'int', 'greater than or equal to: 1, less than or equal to: 5'],
      ['vec', true, 'list', 'minimum length: 3, maximum length: 3'],
      ['title', true, 'str', 'maximum length: 20'],
      ['n', true, 'int', 'greater than or equal to: 0'],
    ]);
  });

  it('render_in_the_chat_prompt_as_dspy_renders_constrained_fields', () => {
    const [system] = new ChatAdapter().format(
      signature('text -> score: float[0, 10], vec: embedding[2]'),
      [],
      {
        text: 'x',
      },
    );
    expect(system?.content).toContain(
      '1. `score` (float): \nConstraints: greater than or equal to: 0, less than or equal to: 10\n' +
        '2. `vec` (list[float]): \nConstraints: minimum length: 2, maximum length: 2\n',
    );
    expect(system?.content).toContain(
      '{score}        # note: the value you produce must be a single float value',
    );
  });

  it('are_enforced_on_parse_as_adapter_parse_errors', () => {
    const sig = signature('text -> p: probability, vec: embedding[3]');
    const answer = (p: string, vec: string) =>
      `[[ ## p ## ]]\n${p}\n\n[[ ## vec ## ]]\n${vec}\n\n[[ ## completed ## ]]`;
    expect(new ChatAdapter().parse(sig, answer('0.25', '[1, 2, 3]'))).toEqual({
      p: 0.25,
      vec: [1, 2, 3],
    });
    for (const [p, vec, field] of [
      ['1.5', '[1, 2, 3]', 'p'],
      ['-0.1', '[1, 2, 3]', 'p'],
      ['0.5', '[1, 2]', 'vec'],
      ['0.5', '[1, 2, 3, 4]', 'vec'],
    ] as const) {
      expect(() => new ChatAdapter().parse(sig, answer(p, vec))).toThrow(
        expect.objectContaining({
          code: 'adapter_parse',
          message: expect.stringContaining(`field ${field}`),
        }),
      );
    }
  });

  it('a_violation_fails_the_call_after_the_json_adapter_retry_so_a_pipeline_stage_falls_back', async () => {
    const small = new DummyLM([{ p: '3' }, { p: '3' }]);
    const large = new DummyLM([{ p: '0.75' }]);
    const stage = pipeline<{ text: string }>().predict(
      'score',
      new Predict('text -> p: probability', { lm: small }),
      { fallback: new Predict('text -> p: probability', { lm: large }) },
    );
    expect((await stage.call({ text: 'x' })).toDict()).toEqual({ text: 'x', p: 0.75 });
    // ChatAdapter's parse failed on the bound, then the JSONAdapter retry did: two calls.
    expect(small.history.length).toBe(2);
  });

  it.each([
    ['embedding[0]', /positive integer/],
    ['embedding[3, 4]', /one dimension/],
    ['float[10, 0]', /lower bound is above/],
    ['float[1]', /two numbers/],
    ["str['a', 2]", /two numbers/],
  ])('rejects_%s_with_a_clear_error', (type, message) => {
    expect(() => signature(`x -> y: ${type}`)).toThrow(SignatureError);
    expect(() => signature(`x -> y: ${type}`)).toThrow(message);
  });

  it('keeps_ts_array_and_python_generic_syntax_unchanged', () => {
    const sig = signature('a: string[], b: list[int] -> c: float');
    expect(sig.fields.map((f) => [f.type.kind, f.constraints])).toEqual([
      ['list', undefined],
      ['list', undefined],
      ['float', undefined],
    ]);
  });
});

describe('ML types in zod signatures', () => {
  it('give_the_same_types_constraints_and_checks_as_the_string_forms', () => {
    const fromZod = signature({
      inputs: { text: ml.str(1, 200) },
      outputs: {
        confidence: ml.confidence(),
        vec: ml.embedding(3),
        score: ml.float(0, 10),
        stars: ml.int(1, 5),
      },
    });
    const fromString = signature(
      'text: str[1, 200] -> confidence: confidence, vec: embedding[3], score: float[0, 10], stars: int[1, 5]',
    );
    expect(fromZod.fields.map((f) => [f.name, f.type.kind, f.constraints])).toEqual(
      fromString.fields.map((f) => [f.name, f.type.kind, f.constraints]),
    );
    expect(ml.probability().safeParse(1.01).success).toBe(false);
    expect(ml.int(1, 5).safeParse(2.5).success).toBe(false);
    expect(() => ml.embedding(-1)).toThrow(SignatureError);
    expectTypeOf(ml.embedding(3)).toEqualTypeOf<z.ZodArray<z.ZodNumber>>();
  });
});

describe('ML types at the type level', () => {
  it('map_to_number_number_array_and_string', () => {
    expectTypeOf<InputsOf<typeof SIG>>().toEqualTypeOf<{ text: string }>();
    expectTypeOf<OutputsOf<typeof SIG>>().toEqualTypeOf<{
      confidence: number;
      p: number;
      score: number;
      stars: number;
      vec: number[];
      title: string;
      n: number;
    }>();
  });
});
