import type { RandomSource } from './random.js';
import { isVariable, type ConfigValue, type Configuration, type Variable } from './variable.js';
import { VariableError, showValue, type ConfigurationIssue } from './variable-error.js';

/**
 * A cross-variable rule. `check` returns `true`/`undefined` when the configuration is fine,
 * `false` or a message when it is not.
 */
export interface SpaceConstraint {
  name: string;
  check: (configuration: Configuration) => boolean | string | undefined;
}

/** Result of {@link VariableSpace.safeValidateConfiguration}. */
export type ConfigurationCheck =
  { ok: true; configuration: Configuration } | { ok: false; issues: ConfigurationIssue[] };

/** Options of sampling. */
export interface SampleOptions {
  /** Draws before giving up with `VariableError('unsatisfiable')` (default 200). */
  maxAttempts?: number;
}

/** How many variables of each sort a space has. */
export interface Dimensionality {
  /** Integer, choice, module, gridded or stepped float, conditional. */
  discrete: number;
  /** Floats without step or grid. */
  continuous: number;
  /** Composites (not searched). */
  computed: number;
}

/** A canonical string for a configuration (keys sorted), for maps and caches. */
export function configurationKey(configuration: Configuration): string {
  return JSON.stringify(
    Object.keys(configuration)
      .sort()
      .map((k) => [k, configuration[k]]),
  );
}

/**
 * A set of named variables with dependencies and cross-variable constraints: validates
 * configurations (defaults filled, composites computed in dependency order), samples them with a
 * capped number of retries, enumerates discrete spaces and reports dimensionality.
 *
 * Unlike the Elixir original, the dependency order is a real topological sort (Kahn's algorithm,
 * ties in insertion order): dependencies come first, cycles and unknown names are errors that name
 * them, and names outside the space are rejected instead of passed through.
 *
 * @example
 * ```ts
 * const space = new VariableSpace()
 *   .add(v.provider())
 *   .add(v.temperature())
 *   .addConstraint('cool anthropic', (c) => c.provider !== 'anthropic' || Number(c.temperature) <= 1);
 * space.validateConfiguration({ provider: 'openai' }); // { provider: 'openai', temperature: 0.7 }
 * space.sample(seededRandom(1));
 * ```
 */
export class VariableSpace {
  private readonly vars = new Map<string, Variable>();
  private readonly rules: SpaceConstraint[] = [];
  private order: string[] | undefined;

  constructor(readonly name = 'VariableSpace') {}

  /** Adds a variable under `name` (default: its own name). */
  add(variable: Variable, name: string | undefined = variable.name): this {
    if (!isVariable(variable))
      throw new VariableError('invalid_variable', `Not a variable: ${showValue(variable)}`);
    if (name === undefined || name === '')
      throw new VariableError(
        'invalid_variable',
        `A ${variable.kind} variable needs a name to join a space`,
      );
    if (this.vars.has(name))
      throw new VariableError('duplicate_variable', `The space already has a variable '${name}'`, {
        details: { variable: name },
      });
    this.vars.set(name, variable);
    this.order = undefined;
    return this;
  }

  /** Removes a variable; refused while others depend on it (their names are given). */
  remove(name: string): this {
    this.require(name);
    const dependents = this.names().filter((n) => this.vars.get(n)!.dependencies.includes(name));
    if (dependents.length > 0)
      throw new VariableError(
        'invalid_variable',
        `Cannot remove '${name}': ${dependents.map((d) => `'${d}'`).join(', ')} depend on it`,
        { details: { variable: name, dependents } },
      );
    this.vars.delete(name);
    this.order = undefined;
    return this;
  }

  /** Adds a cross-variable constraint. */
  addConstraint(name: string, check: SpaceConstraint['check']): this {
    this.rules.push({ name, check });
    return this;
  }

  /** The variable called `name`, or `undefined`. */
  get(name: string): Variable | undefined {
    return this.vars.get(name);
  }

  /** Whether the space declares `name`. */
  has(name: string): boolean {
    return this.vars.has(name);
  }

  /** Names in insertion order. */
  names(): string[] {
    return [...this.vars.keys()];
  }

  /** `[name, variable]` pairs in insertion order. */
  entries(): [string, Variable][] {
    return [...this.vars.entries()];
  }

  /** The constraints, in the order added. */
  constraints(): readonly SpaceConstraint[] {
    return this.rules;
  }

  /** Names of the variables a search may vary (not composite, tunable). */
  tunableNames(): string[] {
    return this.names().filter((n) => this.vars.get(n)!.tunable);
  }

  /**
   * Names ordered so every variable comes after its dependencies. Throws
   * `unknown_dependency` or `dependency_cycle` naming the variables involved.
   */
  dependencyOrder(): string[] {
    if (this.order !== undefined) return [...this.order];
    const names = this.names();
    for (const n of names) {
      for (const d of this.vars.get(n)!.dependencies) {
        if (!this.vars.has(d))
          throw new VariableError(
            'unknown_dependency',
            `Variable '${n}' depends on '${d}', which the space does not declare`,
            { details: { variable: n, dependency: d } },
          );
      }
    }
    const pending = new Map(names.map((n) => [n, new Set(this.vars.get(n)!.dependencies)]));
    const out: string[] = [];
    while (pending.size > 0) {
      const ready = [...pending.keys()].filter((n) => pending.get(n)!.size === 0);
      if (ready.length === 0) {
        const cycle = findCycle(pending);
        throw new VariableError(
          'dependency_cycle',
          `Variables depend on each other in a cycle: ${cycle.join(' -> ')}`,
          { details: { cycle } },
        );
      }
      for (const n of ready) {
        out.push(n);
        pending.delete(n);
      }
      for (const deps of pending.values()) for (const n of ready) deps.delete(n);
    }
    this.order = out;
    return [...out];
  }

  /** Checks a (partial) configuration; every issue is reported, none thrown. */
  safeValidateConfiguration(configuration: Record<string, unknown>): ConfigurationCheck {
    const issues: ConfigurationIssue[] = [];
    for (const [k, value] of Object.entries(configuration)) {
      if (!this.vars.has(k))
        issues.push({ variable: k, value, message: `Unknown variable '${k}'` });
    }
    const resolved: Configuration = {};
    for (const name of this.dependencyOrder()) {
      const variable = this.vars.get(name)!;
      const supplied = configuration[name];
      if (variable.kind === 'composite') {
        const spec = variable.spec as { compute: (c: Configuration) => ConfigValue };
        let computed: ConfigValue;
        try {
          computed = spec.compute(resolved);
        } catch (error) {
          issues.push({
            variable: name,
            message: `Variable '${name}': computing it failed: ${error instanceof Error ? error.message : String(error)}`,
          });
          continue;
        }
        const r = variable.validate(computed, resolved, name);
        if (!r.ok) issues.push({ variable: name, value: computed, message: r.message });
        else if (supplied !== undefined && supplied !== computed)
          issues.push({
            variable: name,
            value: supplied,
            message: `Variable '${name}' is computed (${showValue(computed)}); the supplied ${showValue(supplied)} differs`,
          });
        resolved[name] = computed;
        continue;
      }
      let value: unknown = supplied;
      if (value === undefined) {
        try {
          value = variable.defaultFor(resolved);
        } catch (error) {
          issues.push({ variable: name, message: (error as Error).message });
          continue;
        }
      }
      if (value === undefined) {
        issues.push({ variable: name, message: `Variable '${name}' has no value and no default` });
        continue;
      }
      let r;
      try {
        r = variable.validate(value, resolved, name);
      } catch (error) {
        issues.push({ variable: name, value, message: (error as Error).message });
        continue;
      }
      if (!r.ok) issues.push({ variable: name, value, message: r.message });
      else resolved[name] = r.value;
    }
    if (issues.length > 0) return { ok: false, issues };
    const violated = this.violations(resolved);
    if (violated.length > 0) return { ok: false, issues: violated };
    return { ok: true, configuration: resolved };
  }

  /**
   * A complete, valid configuration from a partial one: defaults filled, composites computed in
   * dependency order, constraints checked. Throws `VariableError('invalid_configuration')` whose
   * message and `issues` name every offending variable and value.
   */
  validateConfiguration(configuration: Record<string, unknown>): Configuration {
    const r = this.safeValidateConfiguration(configuration);
    if (r.ok) return r.configuration;
    throw new VariableError(
      'invalid_configuration',
      `Invalid configuration for ${this.name}: ${r.issues.map((i) => i.message).join('; ')}`,
      { details: { issues: r.issues } },
    );
  }

  /** Whether the configuration is valid (see {@link VariableSpace.validateConfiguration}). */
  isValid(configuration: Record<string, unknown>): boolean {
    return this.safeValidateConfiguration(configuration).ok;
  }

  /**
   * A random valid configuration: variables drawn in dependency order (conditionals from their
   * variant, composites computed, untunable ones at their default), redrawn until every constraint
   * holds. After `maxAttempts` draws it throws `unsatisfiable`, naming the constraints that failed
   * and how often.
   */
  sample(rng: RandomSource, options: SampleOptions = {}): Configuration {
    const maxAttempts = options.maxAttempts ?? 200;
    const failures = new Map<string, number>();
    const order = this.dependencyOrder();
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const c: Configuration = {};
      for (const name of order) {
        const variable = this.vars.get(name)!;
        c[name] = variable.tunable
          ? variable.sample(rng, c)
          : (variable.defaultFor(c) ?? variable.sample(rng, c));
      }
      const check = this.safeValidateConfiguration(c);
      if (check.ok) return check.configuration;
      for (const i of check.issues) failures.set(i.variable, (failures.get(i.variable) ?? 0) + 1);
    }
    const summary = [...failures].map(([k, n]) => `${k} (${n}x)`).join(', ');
    throw new VariableError(
      'unsatisfiable',
      `No configuration of ${this.name} satisfied its constraints in ${maxAttempts} draws; failing: ${summary}`,
      { details: { maxAttempts, failures: Object.fromEntries(failures) } },
    );
  }

  /** `count` sampled configurations (duplicates possible in small spaces). */
  sampleMany(count: number, rng: RandomSource, options: SampleOptions = {}): Configuration[] {
    return Array.from({ length: count }, () => this.sample(rng, options));
  }

  /**
   * Every valid configuration of a discrete space, in dependency order with earlier variables
   * varying slowest. Throws `not_enumerable` for a continuous variable, and `invalid_option` when
   * more than `limit` (default 100 000) combinations would be generated.
   */
  enumerate(limit = 100_000): Configuration[] {
    const order = this.dependencyOrder();
    const out: Configuration[] = [];
    let generated = 0;
    const walk = (i: number, c: Configuration): void => {
      if (i === order.length) {
        if (++generated > limit)
          throw new VariableError(
            'invalid_option',
            `${this.name} has more than ${limit} configurations to enumerate`,
            { details: { limit } },
          );
        const check = this.safeValidateConfiguration(c);
        if (check.ok) out.push(check.configuration);
        return;
      }
      const name = order[i]!;
      const variable = this.vars.get(name)!;
      if (variable.kind === 'composite') return walk(i + 1, c);
      if (!variable.tunable) return walk(i + 1, { ...c, [name]: variable.defaultFor(c) ?? null });
      const values = variable.discreteValues(c);
      if (values === undefined)
        throw new VariableError(
          'not_enumerable',
          `Variable '${name}' is continuous; give it a grid or a step to enumerate the space`,
          { details: { variable: name } },
        );
      for (const value of values) walk(i + 1, { ...c, [name]: value });
    };
    walk(0, {});
    return out;
  }

  /** Counts of discrete, continuous and computed variables. */
  dimensionality(): Dimensionality {
    const d: Dimensionality = { discrete: 0, continuous: 0, computed: 0 };
    for (const variable of this.vars.values()) {
      if (variable.kind === 'composite') d.computed++;
      else if (variable.continuous) d.continuous++;
      else d.discrete++;
    }
    return d;
  }

  /** A JSON description: variables (with their dependency order) and constraint names. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      variables: Object.fromEntries(this.entries().map(([n, v]) => [n, v.toJSON()])),
      order: this.dependencyOrder(),
      constraints: this.rules.map((r) => r.name),
      dimensionality: this.dimensionality(),
    };
  }

  private violations(c: Configuration): ConfigurationIssue[] {
    const out: ConfigurationIssue[] = [];
    for (const rule of this.rules) {
      let verdict: boolean | string | undefined;
      try {
        verdict = rule.check(c);
      } catch (error) {
        verdict = `threw ${error instanceof Error ? error.message : String(error)}`;
      }
      if (verdict === true || verdict === undefined) continue;
      out.push({
        variable: `constraint:${rule.name}`,
        message:
          verdict === false
            ? `Constraint '${rule.name}' is violated`
            : `Constraint '${rule.name}': ${verdict}`,
      });
    }
    return out;
  }

  private require(name: string): Variable {
    const variable = this.vars.get(name);
    if (variable === undefined)
      throw new VariableError('unknown_variable', `The space has no variable '${name}'`, {
        details: { variable: name },
      });
    return variable;
  }
}

/** One cycle among the variables left by Kahn's algorithm (all have unmet dependencies). */
function findCycle(pending: Map<string, Set<string>>): string[] {
  const start = pending.keys().next().value as string;
  const path: string[] = [];
  const index = new Map<string, number>();
  let node = start;
  while (!index.has(node)) {
    index.set(node, path.length);
    path.push(node);
    node = [...pending.get(node)!].find((d) => pending.has(d))!;
  }
  return [...path.slice(index.get(node)), node];
}
