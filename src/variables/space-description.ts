import type { VariableSpace } from './space.js';
import { VariableError, showValue } from './variable-error.js';
import type { ConfigValue, Configuration, Variable, VariableKind } from './variable.js';

/**
 * One variable of a space as JSON: what `dspex variables` prints and what the runtime stores as a
 * variable-space record. A conditional shows the range or choices in force at the defaults.
 */
export interface VariableDescription {
  name: string;
  kind: VariableKind;
  description?: string;
  default?: ConfigValue;
  range?: [number, number];
  step?: number;
  grid?: number[];
  choices?: ConfigValue[];
  allowCustom?: boolean;
  dependencies: string[];
  tunable: boolean;
  overridable: boolean;
}

function kindPart(variable: Variable): Partial<VariableDescription> {
  const s = variable.spec;
  if (s.kind === 'float' || s.kind === 'integer')
    return {
      range: [s.range[0], s.range[1]],
      ...(s.step === undefined ? {} : { step: s.step }),
      ...(s.grid === undefined ? {} : { grid: [...s.grid] }),
    };
  if (s.kind === 'choice' || s.kind === 'module')
    return { choices: [...s.values], ...(s.allowCustom ? { allowCustom: true } : {}) };
  return {};
}

/**
 * The variables of `space` in dependency order, as JSON descriptions (defaults filled as a
 * configuration of all defaults has them; composites show their computed default).
 *
 * @example
 * ```ts
 * describeSpace(programSpace(program)).map((d) => `${d.name} ${d.kind} ${d.overridable}`);
 * ```
 */
export function describeSpace(space: VariableSpace): VariableDescription[] {
  const check = space.safeValidateConfiguration({});
  const defaults: Configuration = check.ok ? check.configuration : {};
  return space.dependencyOrder().map((name) => {
    const variable = space.get(name)!;
    let shown: Variable = variable;
    try {
      shown = variable.variantFor(defaults);
    } catch {
      // A conditional whose variant needs values the defaults do not give: show the kind only.
    }
    const value = defaults[name] ?? variable.defaultFor(defaults);
    return {
      name,
      kind: variable.kind,
      ...(variable.description === undefined ? {} : { description: variable.description }),
      ...(value === undefined ? {} : { default: value }),
      ...kindPart(shown),
      dependencies: [...variable.dependencies],
      tunable: variable.tunable,
      overridable: variable.overridable,
    };
  });
}

/**
 * Checks a job's per-run variable overrides against `space`: every name must be a variable the
 * program declares `overridable`, and the configuration they make with `base` (the deployed one)
 * must be valid (ranges, choices, constraints). Returns that configuration; throws a
 * `VariableError` naming the variable and the value otherwise.
 *
 * @example
 * ```ts
 * overrideConfiguration(space, deployed, { 'answer.temperature': 0.2 }); // ok if overridable
 * overrideConfiguration(space, deployed, { model: 'gpt-4o' }); // VariableError: not overridable
 * ```
 */
export function overrideConfiguration(
  space: VariableSpace,
  base: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>>,
): Configuration {
  const overridable = space.names().filter((n) => space.get(n)!.overridable);
  for (const [name, value] of Object.entries(overrides)) {
    const variable = space.get(name);
    const allowed = `overridable: ${overridable.join(', ') || 'none'}`;
    if (variable === undefined)
      throw new VariableError(
        'unknown_variable',
        `Variable '${name}' (value ${showValue(value)}) is not declared by the program (${allowed})`,
        { details: { variable: name, value: showValue(value), overridable } },
      );
    if (!variable.overridable)
      throw new VariableError(
        'not_overridable',
        `Variable '${name}' (value ${showValue(value)}) is not overridable by jobs (${allowed})`,
        { details: { variable: name, value: showValue(value), overridable } },
      );
  }
  // Values of the base that the new space no longer declares are dropped, not fatal.
  const kept = Object.fromEntries(Object.entries(base).filter(([n]) => space.has(n)));
  return space.validateConfiguration({ ...kept, ...overrides });
}
