import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom, v, VariableError } from '../../src/variables/index.js';

describe('variable validation names the variable and the value', () => {
  const t = v.float({ name: 'temperature', range: [0, 2] });
  it('float_in_range_accepted_integer_accepted', () => {
    expect(t.validate(0.8)).toEqual({ ok: true, value: 0.8 });
    expect(t.validate(2)).toEqual({ ok: true, value: 2 });
  });
  it('float_out_of_range_rejected', () => {
    expect(t.validate(3)).toEqual({
      ok: false,
      message: "Variable 'temperature': value 3 is outside the range [0, 2]",
    });
  });
  it('float_non_number_rejected', () => {
    expect(t.validate('x')).toEqual({
      ok: false,
      message: 'Variable \'temperature\': expected a number, got "x"',
    });
  });
  it('integer_fraction_and_out_of_range_rejected', () => {
    const m = v.integer({ name: 'maxTokens', range: [1, 4096] });
    expect(m.validate(1.5)).toMatchObject({
      ok: false,
      message: expect.stringContaining('expected an integer, got 1.5'),
    });
    expect(m.validate(5000)).toMatchObject({
      ok: false,
      message: expect.stringContaining('5000 is outside the range [1, 4096]'),
    });
  });
  it('choice_outside_choices_rejected_unless_custom_allowed', () => {
    const p = v.choice(['openai', 'anthropic'], { name: 'provider' });
    expect(p.defaultFor()).toBe('openai');
    expect(p.validate('groq')).toMatchObject({
      ok: false,
      message: `Variable 'provider': value "groq" is not one of "openai", "anthropic"`,
    });
    expect(v.choice(['a'], { allowCustom: true }).validate('zzz').ok).toBe(true);
  });
  it('module_variable_holds_names_and_resolves_to_implementations', () => {
    class Foo {}
    class Bar {}
    const m = v.module({ name: 'impl', modules: { Foo, Bar } });
    expect(m.validate('Baz').ok).toBe(false);
    expect(m.resolve('Bar')).toBe(Bar);
  });
  it('stepped_values_off_the_step_rejected', () => {
    expect(v.integer({ range: [0, 100], step: 10 }).validate(15).ok).toBe(false);
  });
});

describe('variable definitions are checked where they are written', () => {
  it.each([
    ['inverted_range', () => v.float({ name: 'a', range: [2, 1] })],
    ['default_outside_range', () => v.float({ name: 'a', range: [1, 2], default: 0.5 })],
    ['no_choices', () => v.choice([], { name: 'c' })],
    ['duplicate_choices', () => v.choice(['x', 'x'])],
    [
      'composite_without_dependencies',
      () => v.composite({ name: 'c', dependencies: [], compute: () => 1 }),
    ],
    ['grid_value_outside_range', () => v.float({ range: [0, 1], grid: [0, 2] })],
  ])('%s', (_name, make) => {
    expect(make).toThrow(VariableError);
  });
  it('error_names_the_variable', () => {
    expect(() => v.float({ name: 'a', range: [1, 2], default: 0.5 })).toThrow(/Variable 'a'/);
  });
});

describe('conditional variables', () => {
  const temperature = v.conditional({
    name: 'temperature',
    dependencies: ['provider'],
    variant: (c) =>
      v.float({ range: c['provider'] === 'anthropic' ? [0, 1] : [0, 2], default: 0.7 }),
  });
  it('range_depends_on_the_other_variable', () => {
    expect(temperature.validate(1.5, { provider: 'openai' }).ok).toBe(true);
    expect(temperature.validate(1.5, { provider: 'anthropic' })).toMatchObject({
      ok: false,
      message: "Variable 'temperature': value 1.5 is outside the range [0, 1]",
    });
  });
  it('samples_stay_in_the_variant_range', () => {
    const rng = seededRandom(3);
    for (let i = 0; i < 200; i++)
      expect(temperature.sample(rng, { provider: 'anthropic' })).toBeLessThanOrEqual(1);
  });
});

describe('sampling', () => {
  it('samples_of_numeric_variables_are_always_valid', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        fc.integer(),
        fc.boolean(),
        (lo, width, seed, integer) => {
          const low = integer ? Math.round(lo) : lo;
          const high = integer ? low + Math.round(width) : lo + width;
          const variable = integer
            ? v.integer({ range: [low, high] })
            : v.float({ range: [low, high] });
          const rng = seededRandom(seed);
          for (let i = 0; i < 20; i++)
            expect(variable.validate(variable.sample(rng)).ok).toBe(true);
        },
      ),
    );
  });
  it('a_seed_fixes_the_draws', () => {
    const t = v.temperature();
    const a = seededRandom(9);
    const b = seededRandom(9);
    expect([t.sample(a), t.sample(a)]).toEqual([t.sample(b), t.sample(b)]);
  });
});

describe('ml variables', () => {
  it('model_carries_price_context_window_and_capabilities', () => {
    const model = v.model();
    const models = model.metadata['models'] as Record<
      string,
      { price: unknown; contextWindow: number }
    >;
    expect(models['gpt-4o-mini']).toMatchObject({
      price: { input: 0.15, output: 0.6 },
      contextWindow: 128_000,
    });
  });
  it('model_resolves_to_the_lm_built_for_the_name_once', () => {
    const built: string[] = [];
    const model = v.model({ lm: (name) => (built.push(name), { name }) });
    expect(model.resolve('gpt-4o')).toBe(model.resolve('gpt-4o'));
    expect(built).toEqual(['gpt-4o']);
  });
  it('model_depending_on_provider_offers_only_that_providers_models', () => {
    const model = v.model({ dependsOnProvider: 'provider' });
    expect(model.validate('gpt-4o', { provider: 'anthropic' }).ok).toBe(false);
    expect(model.validate('claude-sonnet-4', { provider: 'anthropic' }).ok).toBe(true);
    expect(model.defaultFor({ provider: 'anthropic' })).toBe('claude-3-5-haiku');
  });
  it('instructions_hold_an_index_and_resolve_to_the_text', () => {
    const instr = v.instructions({ candidates: ['A.', 'B.'] });
    expect(instr.discreteValues()).toEqual([0, 1]);
    expect(instr.resolve(1)).toBe('B.');
  });
  it('num_demos_resolves_to_a_prefix_of_the_pool', () => {
    expect(v.numDemos({ pool: ['a', 'b', 'c'], counts: [0, 2] }).resolve(2)).toEqual(['a', 'b']);
  });
});
