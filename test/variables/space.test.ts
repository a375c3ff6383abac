import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  seededRandom,
  v,
  VariableError,
  VariableSpace,
  type Configuration,
} from '../../src/variables/index.js';

function basic(): VariableSpace {
  return new VariableSpace()
    .add(v.float({ name: 'temperature', range: [0, 2] }))
    .add(v.integer({ name: 'maxTokens', range: [1, 4096] }));
}

describe('validateConfiguration', () => {
  it('fills_defaults', () => {
    expect(basic().validateConfiguration({})).toEqual({ temperature: 1, maxTokens: 1 });
  });
  it('rejects_unknown_names_by_name', () => {
    expect(() => basic().validateConfiguration({ extra: 1 })).toThrow("Unknown variable 'extra'");
  });
  it('names_every_bad_variable_and_value', () => {
    try {
      basic().validateConfiguration({ temperature: 3, maxTokens: 0.5 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VariableError);
      expect((e as VariableError).issues.map((i) => [i.variable, i.value])).toEqual([
        ['temperature', 3],
        ['maxTokens', 0.5],
      ]);
    }
  });
  it('computes_composites_in_dependency_order_even_when_added_first', () => {
    const space = new VariableSpace()
      .add(
        v.composite({
          name: 'total',
          dependencies: ['double'],
          compute: (c) => Number(c['double']) + 1,
        }),
      )
      .add(v.composite({ name: 'double', dependencies: ['t'], compute: (c) => Number(c['t']) * 2 }))
      .add(v.float({ name: 't', range: [0, 1], default: 0.5 }));
    expect(space.validateConfiguration({})).toEqual({ t: 0.5, double: 1, total: 2 });
    expect(() => space.validateConfiguration({ double: 7 })).toThrow(
      /computed \(1\); the supplied 7 differs/,
    );
  });
  it('reports_constraint_messages', () => {
    const space = basic()
      .addConstraint('short', (c) => Number(c['maxTokens']) <= 100)
      .addConstraint('cool', (c) => (Number(c['temperature']) > 1.5 ? 'too hot' : true));
    expect(() => space.validateConfiguration({ maxTokens: 200, temperature: 1.8 })).toThrow(
      "Constraint 'short' is violated; Constraint 'cool': too hot",
    );
  });
});

describe('dependencyOrder', () => {
  it('rejects_unknown_dependencies_by_name', () => {
    const space = new VariableSpace().add(
      v.composite({ name: 'a', dependencies: ['zzz'], compute: () => 1 }),
    );
    expect(() => space.dependencyOrder()).toThrow("Variable 'a' depends on 'zzz'");
  });
  it('rejects_cycles_naming_them', () => {
    const space = new VariableSpace()
      .add(v.composite({ name: 'a', dependencies: ['b'], compute: () => 1 }))
      .add(v.composite({ name: 'b', dependencies: ['a'], compute: () => 1 }));
    expect(() => space.dependencyOrder()).toThrow('a -> b -> a');
  });
  it('orders_the_standard_chain_provider_model_maxtokens', () => {
    const space = new VariableSpace()
      .add(v.integer({ name: 'maxTokens', range: [1, 10], dependencies: ['model'] }))
      .add(v.model({ dependsOnProvider: 'provider' }))
      .add(v.provider())
      .add(v.temperature());
    expect(space.dependencyOrder()).toEqual(['provider', 'temperature', 'model', 'maxTokens']);
  });
  it('every_variable_comes_after_its_dependencies_and_once', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 12 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 30 }),
              fc.array(fc.nat(n - 1), { minLength: n, maxLength: n }),
            ),
          ),
        ([n, edges, perm]) => {
          // Edges only from higher to lower index: a DAG; insertion order shuffled by `perm`.
          const deps = Array.from({ length: n }, () => new Set<string>());
          for (const [a, b] of edges) if (a > b) deps[a]!.add(`v${b}`);
          const space = new VariableSpace();
          const order = [...Array(n).keys()].sort((a, b) => perm[a]! - perm[b]! || a - b);
          for (const i of order) {
            const d = [...deps[i]!];
            space.add(
              d.length === 0
                ? v.float({ name: `v${i}`, range: [0, 1] })
                : v.composite({ name: `v${i}`, dependencies: d, compute: () => 0 }),
            );
          }
          const sorted = space.dependencyOrder();
          expect(new Set(sorted).size).toBe(n);
          expect(sorted).toHaveLength(n);
          for (let i = 0; i < n; i++)
            for (const d of deps[i]!)
              expect(sorted.indexOf(d)).toBeLessThan(sorted.indexOf(`v${i}`));
        },
      ),
    );
  });
  it('any_cycle_is_rejected', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), (n) => {
        const space = new VariableSpace();
        for (let i = 0; i < n; i++)
          space.add(
            v.composite({ name: `v${i}`, dependencies: [`v${(i + 1) % n}`], compute: () => 0 }),
          );
        expect(() => space.dependencyOrder()).toThrow(VariableError);
      }),
    );
  });
});

describe('sampling', () => {
  it('never_violates_a_constraint', () => {
    // Caps down to 0.3 (15 % of the temperature range): a cap near 0 makes rejection sampling
    // give up after its 200 draws by chance, which is the unsatisfiable-space error, not a bug.
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.3, max: 1.9, noNaN: true }), (seed, cap) => {
        const space = new VariableSpace()
          .add(v.provider())
          .add(v.model({ dependsOnProvider: 'provider' }))
          .add(v.temperature())
          .add(v.topP())
          .addConstraint('cap', (c) => Number(c['temperature']) <= cap)
          .addConstraint(
            'hot-low',
            (c) => !(Number(c['temperature']) > 1.5 && Number(c['topP']) < 0.3),
          );
        const rng = seededRandom(seed);
        for (const c of space.sampleMany(10, rng))
          expect(space.safeValidateConfiguration(c).ok).toBe(true);
      }),
      { seed: 20261203 },
    );
  });
  it('unsatisfiable_space_fails_after_the_cap_naming_the_constraint', () => {
    const space = basic().addConstraint('never', () => false);
    expect(() => space.sample(seededRandom(1), { maxAttempts: 5 })).toThrow(
      /in 5 draws; failing: constraint:never \(5x\)/,
    );
  });
  it('untunable_variables_keep_their_default', () => {
    const space = new VariableSpace().add(
      v.float({ name: 'x', range: [0, 1], default: 0.25, hints: { tunable: false } }),
    );
    expect(space.sampleMany(5, seededRandom(2)).map((c) => c['x'])).toEqual([
      0.25, 0.25, 0.25, 0.25, 0.25,
    ]);
  });
});

describe('enumeration and dimensionality', () => {
  it('enumerates_valid_configurations_of_a_discrete_space', () => {
    const space = new VariableSpace()
      .add(v.choice(['a', 'b'], { name: 'x' }))
      .add(v.integer({ name: 'y', range: [1, 3] }))
      .addConstraint('not b3', (c) => !(c['x'] === 'b' && c['y'] === 3));
    const all: Configuration[] = space.enumerate();
    expect(all).toHaveLength(5);
    expect(all).toContainEqual({ x: 'b', y: 2 });
  });
  it('conditional_choices_are_enumerated_per_dependency_value', () => {
    const space = new VariableSpace()
      .add(v.provider())
      .add(v.model({ dependsOnProvider: 'provider' }));
    const all = space.enumerate();
    expect(all.every((c) => space.isValid(c))).toBe(true);
    expect(all).toHaveLength(7);
  });
  it('continuous_variable_is_not_enumerable', () => {
    expect(() => basic().enumerate()).toThrow("Variable 'temperature' is continuous");
  });
  it('counts_discrete_continuous_and_computed', () => {
    const space = basic()
      .add(v.provider())
      .add(v.composite({ name: 'c', dependencies: ['maxTokens'], compute: () => 1 }));
    expect(space.dimensionality()).toEqual({ discrete: 2, continuous: 1, computed: 1 });
  });
  it('remove_is_refused_while_others_depend', () => {
    const space = basic().add(
      v.composite({ name: 'c', dependencies: ['maxTokens'], compute: () => 1 }),
    );
    expect(() => space.remove('maxTokens')).toThrow("'c'");
    expect(space.remove('c').remove('maxTokens').names()).toEqual(['temperature']);
  });
});
