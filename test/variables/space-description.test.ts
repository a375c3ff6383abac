import { describe, expect, it } from 'vitest';
import {
  VariableError,
  VariableSpace,
  describeSpace,
  overrideConfiguration,
  v,
} from '../../src/variables/index.js';

const space = (): VariableSpace =>
  new VariableSpace('qa')
    .add(v.choice(['openai', 'anthropic'], { name: 'provider' }))
    .add(
      v.conditional({
        name: 'temperature',
        dependencies: ['provider'],
        overridable: true,
        variant: (c) =>
          c['provider'] === 'anthropic'
            ? v.float({ range: [0, 1], default: 0.5 })
            : v.float({ range: [0, 2], default: 1 }),
      }),
    )
    .add(v.integer({ name: 'maxTokens', range: [16, 4096], default: 256, overridable: true }))
    .add(
      v.composite({
        name: 'budget',
        dependencies: ['maxTokens'],
        compute: (c) => Number(c['maxTokens']) * 2,
      }),
    );

describe('describeSpace', () => {
  it('lists_every_variable_in_dependency_order_ties_in_insertion_order_with_its_constraints_defaults_and_flags', () => {
    expect(describeSpace(space())).toEqual([
      {
        name: 'provider',
        kind: 'choice',
        default: 'openai',
        choices: ['openai', 'anthropic'],
        dependencies: [],
        tunable: true,
        overridable: false,
      },
      {
        name: 'maxTokens',
        kind: 'integer',
        default: 256,
        range: [16, 4096],
        dependencies: [],
        tunable: true,
        overridable: true,
      },
      {
        name: 'temperature',
        kind: 'conditional',
        default: 1,
        range: [0, 2],
        dependencies: ['provider'],
        tunable: true,
        overridable: true,
      },
      {
        name: 'budget',
        kind: 'composite',
        default: 512,
        dependencies: ['maxTokens'],
        tunable: false,
        overridable: false,
      },
    ]);
  });

  it('is_plain_json', () => {
    const described = describeSpace(space());
    expect(JSON.parse(JSON.stringify(described))).toEqual(described);
  });
});

describe('overrideConfiguration', () => {
  const deployed = { provider: 'anthropic', temperature: 0.2, maxTokens: 128 };

  it('applies_overridable_values_over_the_deployed_ones_and_recomputes_composites', () => {
    expect(overrideConfiguration(space(), deployed, { maxTokens: 1000 })).toEqual({
      provider: 'anthropic',
      temperature: 0.2,
      maxTokens: 1000,
      budget: 2000,
    });
  });

  it('refuses_a_variable_that_is_not_overridable_naming_it_its_value_and_the_allowed_ones', () => {
    let error: unknown;
    try {
      overrideConfiguration(space(), deployed, { provider: 'openai' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VariableError);
    if (!(error instanceof VariableError)) return;
    expect(error.code).toBe('not_overridable');
    expect(error.message).toBe(
      'Variable \'provider\' (value "openai") is not overridable by jobs (overridable: temperature, maxTokens)',
    );
  });

  it('refuses_an_unknown_variable', () => {
    expect(() => overrideConfiguration(space(), deployed, { topP: 0.5 })).toThrow(
      "Variable 'topP' (value 0.5) is not declared by the program",
    );
  });

  it('checks_an_override_against_the_variant_the_deployed_values_select', () => {
    // 1.5 is inside openai's range but not anthropic's, which the deployment uses.
    expect(() => overrideConfiguration(space(), deployed, { temperature: 1.5 })).toThrow(
      "Variable 'temperature': value 1.5 is outside the range [0, 1]",
    );
    expect(
      overrideConfiguration(space(), { ...deployed, provider: 'openai' }, { temperature: 1.5 }),
    ).toMatchObject({ temperature: 1.5 });
  });

  it('drops_deployed_values_of_variables_the_space_no_longer_declares', () => {
    expect(overrideConfiguration(space(), { ...deployed, gone: 1 }, {})).not.toHaveProperty('gone');
  });
});
