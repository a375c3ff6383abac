import { randomIndex, type RandomSource } from './random.js';
import { VariableError, showValue } from './variable-error.js';

/** Brand of variables, so modules can tell a variable from an ordinary constructor argument. */
export const VARIABLE: unique symbol = Symbol.for('dspex.variable');

/** What a configuration holds for one variable: JSON scalars, so configurations serialise. */
export type ConfigValue = number | string | boolean | null;

/** A value for every variable of a space, by name. */
export type Configuration = Record<string, ConfigValue>;

/** The six kinds of variable. */
export type VariableKind = 'float' | 'integer' | 'choice' | 'module' | 'composite' | 'conditional';

/** Advice to searches; none of it changes what is valid. */
export interface OptimizationHints {
  /** Sampling scale of a numeric variable; `log` draws uniformly in log space (range > 0). */
  scale?: 'linear' | 'log';
  /** How much the variable is expected to move the objectives. */
  impact?: 'low' | 'medium' | 'high';
  /** Objectives the variable is known to move. */
  affects?: readonly ('quality' | 'cost' | 'latency')[];
  /** `false`: searches keep the default and never vary it. Default true. */
  tunable?: boolean;
}

/** Options every variable kind takes. */
export interface CommonVariableOptions {
  /**
   * Name in a space. Unnamed variables declared on modules get a dotted name from where they are
   * declared (`answer.temperature`); a named one is shared by every module that uses it.
   */
  name?: string;
  description?: string;
  /** Names of the variables this one depends on (composites and conditionals read them). */
  dependencies?: readonly string[];
  hints?: OptimizationHints;
  /** Free-form data (prices, context windows, capabilities …) for searches and reports. */
  metadata?: Record<string, unknown>;
  /**
   * Jobs may set it per run (`config.variables` of a `dspex-run` job), within its constraints.
   * Default false: a job can change only what the program declares overridable.
   */
  overridable?: boolean;
}

/** Options of a float or integer variable. */
export interface NumericOptions extends CommonVariableOptions {
  /** Inclusive bounds `[low, high]`. */
  range: readonly [number, number];
  /** Default value (must lie in the range); default: the midpoint (float) or the low end (integer). */
  default?: number;
  /** Values are multiples of `step` from `low` (integers: default 1). */
  step?: number;
  /** Values tried by grid search and enumeration (each must be valid); floats without it are continuous. */
  grid?: readonly number[];
}

/** Options of a choice variable: the configuration holds `V`, the module receives `R`. */
export interface ChoiceOptions<V extends ConfigValue, R> extends CommonVariableOptions {
  /** Default choice (default: the first). */
  default?: V;
  /** Sampling weights, one per choice (default uniform). */
  weights?: readonly number[];
  /** Accept values outside the list (validation only; sampling stays inside). */
  allowCustom?: boolean;
  /** What a module receives for a value (an LM for a model name …); default the value itself. */
  resolve?: ((value: V) => R) | Readonly<Record<string, R>>;
}

/** Options of a composite variable, computed from others and never searched. */
export interface CompositeOptions<T extends ConfigValue> extends CommonVariableOptions {
  dependencies: readonly string[];
  /** Computes the value from the configuration (dependencies already resolved). */
  compute: (configuration: Configuration) => T;
  /** Extra check of the computed value: a message when it is not acceptable. */
  validate?: (value: T) => string | undefined;
}

/** Options of a conditional variable: its definition depends on the values of others. */
export interface ConditionalOptions extends CommonVariableOptions {
  dependencies: readonly string[];
  /**
   * The variable in force for a configuration (float, integer, choice or module); e.g. a
   * temperature range by provider.
   */
  variant: (configuration: Configuration) => Variable;
  /** Default that overrides the variant's own. */
  default?: ConfigValue;
}

/** The kind-specific part of a variable. */
export type VariableSpec =
  | {
      kind: 'float' | 'integer';
      range: readonly [number, number];
      step?: number;
      grid?: readonly number[];
    }
  | {
      kind: 'choice' | 'module';
      values: readonly ConfigValue[];
      weights?: readonly number[];
      allowCustom: boolean;
      resolve?: (value: ConfigValue) => unknown;
    }
  | {
      kind: 'composite';
      compute: (configuration: Configuration) => ConfigValue;
      check?: (value: ConfigValue) => string | undefined;
    }
  | { kind: 'conditional'; variant: (configuration: Configuration) => Variable };

/** Result of checking one value. */
export type ValueCheck = { ok: true; value: ConfigValue } | { ok: false; message: string };

/**
 * A typed, searchable parameter: kind, default, constraints (range, choices), description,
 * dependencies and optimization hints. `T` is what a module receives once the configuration value
 * is resolved (a number, an LM, a module class …). Build them with the `v` helpers.
 *
 * @example
 * ```ts
 * const t = v.float({ name: 'temperature', range: [0, 1.5], default: 0.7 });
 * t.validate(2).ok;  // false: "Variable 'temperature': value 2 is outside the range [0, 1.5]"
 * ```
 */
export class Variable<T = unknown> {
  readonly [VARIABLE] = true as const;
  /** Phantom: the resolved type. */
  declare readonly resolvedType?: T;
  readonly kind: VariableKind;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly dependencies: readonly string[];
  readonly hints: Readonly<OptimizationHints>;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Whether jobs may set it per run (see {@link CommonVariableOptions.overridable}). */
  readonly overridable: boolean;

  /** @internal Use the `v` helpers. */
  constructor(
    readonly spec: VariableSpec,
    common: CommonVariableOptions,
    private readonly defaultValue: ConfigValue | undefined,
  ) {
    this.kind = spec.kind;
    this.name = common.name;
    this.description = common.description;
    this.dependencies = [...(common.dependencies ?? [])];
    this.hints = { ...common.hints };
    this.metadata = { ...common.metadata };
    this.overridable = common.overridable === true;
    this.checkDefinition();
  }

  /** Name used in messages: its own name, else `(unnamed float)`. */
  get label(): string {
    return this.name ?? `(unnamed ${this.kind})`;
  }

  /** Whether searches may vary it (not composite, not `hints.tunable === false`). */
  get tunable(): boolean {
    return this.kind !== 'composite' && this.hints.tunable !== false;
  }

  /** The same variable under another name (a new object: sharing goes by object identity). */
  withName(name: string): Variable<T> {
    return new Variable<T>(this.spec, { ...this.common(), name }, this.defaultValue);
  }

  /** The default for a configuration (a conditional asks its variant). */
  defaultFor(configuration: Configuration = {}): ConfigValue | undefined {
    if (this.spec.kind === 'conditional' && this.defaultValue === undefined)
      return this.variantFor(configuration).defaultFor(configuration);
    return this.defaultValue;
  }

  /**
   * Checks a value (a conditional against its variant for `configuration`). The message names the
   * variable (`name`, default its own) and the value.
   */
  validate(value: unknown, configuration: Configuration = {}, name = this.label): ValueCheck {
    const fail = (why: string): ValueCheck => ({
      ok: false,
      message: `Variable '${name}': ${why}`,
    });
    const s = this.spec;
    switch (s.kind) {
      case 'float':
      case 'integer': {
        if (typeof value !== 'number' || Number.isNaN(value))
          return fail(`expected a number, got ${showValue(value)}`);
        if (s.kind === 'integer' && !Number.isInteger(value))
          return fail(`expected an integer, got ${showValue(value)}`);
        const [lo, hi] = s.range;
        if (value < lo || value > hi)
          return fail(`value ${showValue(value)} is outside the range [${lo}, ${hi}]`);
        if (s.step !== undefined && !onStep(value, lo, s.step))
          return fail(`value ${showValue(value)} is not on the step ${s.step} from ${lo}`);
        return { ok: true, value };
      }
      case 'choice':
      case 'module': {
        if (s.values.includes(value as ConfigValue))
          return { ok: true, value: value as ConfigValue };
        if (s.allowCustom && isConfigValue(value)) return { ok: true, value };
        return fail(
          `value ${showValue(value)} is not one of ${s.values.map((x) => showValue(x)).join(', ')}`,
        );
      }
      case 'composite': {
        if (!isConfigValue(value)) return fail(`expected a JSON scalar, got ${showValue(value)}`);
        const why = s.check?.(value);
        return why === undefined ? { ok: true, value } : fail(why);
      }
      case 'conditional':
        return this.variantFor(configuration).validate(value, configuration, name);
    }
  }

  /** Like {@link Variable.validate} but throws a `VariableError('invalid_value')`. */
  parse(value: unknown, configuration: Configuration = {}): ConfigValue {
    const r = this.validate(value, configuration);
    if (!r.ok)
      throw new VariableError('invalid_value', r.message, {
        details: { variable: this.label, value: showValue(value) },
      });
    return r.value;
  }

  /** What a module receives for a configuration value (a choice's `resolve`, else the value). */
  resolve(value: ConfigValue): T {
    const s = this.spec;
    if ((s.kind === 'choice' || s.kind === 'module') && s.resolve !== undefined)
      return s.resolve(value) as T;
    return value as T;
  }

  /** A random valid value (conditionals: of their variant for `configuration`). */
  sample(rng: RandomSource, configuration: Configuration = {}): ConfigValue {
    const s = this.spec;
    switch (s.kind) {
      case 'float':
      case 'integer': {
        const [lo, hi] = s.range;
        // A grid makes the variable discrete: samples come from it, as enumeration does.
        if (s.grid !== undefined) return s.grid[randomIndex(rng, s.grid.length)]!;
        const step = s.step ?? (s.kind === 'integer' ? 1 : undefined);
        const u = rng();
        let x =
          this.hints.scale === 'log' && lo > 0
            ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo)))
            : lo + u * (hi - lo);
        if (step !== undefined) {
          const k = Math.floor((hi - lo) / step + 1e-9);
          x = lo + Math.min(k, Math.round((x - lo) / step)) * step;
        }
        return Math.min(hi, Math.max(lo, x));
      }
      case 'choice':
      case 'module':
        return s.values[weightedIndex(rng, s.values.length, s.weights)]!;
      case 'composite':
        return s.compute(configuration);
      case 'conditional':
        return this.variantFor(configuration).sample(rng, configuration);
    }
  }

  /**
   * The values enumeration and grid search try: choices, a grid, or every step of a stepped range;
   * `undefined` for a continuous variable (or a composite, which is computed).
   */
  discreteValues(configuration: Configuration = {}): readonly ConfigValue[] | undefined {
    const s = this.spec;
    switch (s.kind) {
      case 'choice':
      case 'module':
        return s.values;
      case 'float':
      case 'integer': {
        if (s.grid !== undefined) return s.grid;
        const step = s.step ?? (s.kind === 'integer' ? 1 : undefined);
        if (step === undefined) return undefined;
        const n = Math.floor((s.range[1] - s.range[0]) / step + 1e-9) + 1;
        if (n > 10_000) return undefined;
        return Array.from({ length: n }, (_, i) => roundStep(s.range[0] + i * step));
      }
      case 'composite':
        return undefined;
      case 'conditional':
        return this.variantFor(configuration).discreteValues(configuration);
    }
  }

  /** Whether the variable is continuous (a float without step or grid), for dimensionality. */
  get continuous(): boolean {
    const s = this.spec;
    if (s.kind === 'conditional') return false;
    return s.kind === 'float' && s.grid === undefined && s.step === undefined;
  }

  /** @internal The variant in force (conditionals), checked to be a searchable kind. */
  variantFor(configuration: Configuration): Variable {
    if (this.spec.kind !== 'conditional') return this;
    let variant: unknown;
    try {
      variant = this.spec.variant(configuration);
    } catch (error) {
      throw new VariableError(
        'invalid_variable',
        `Variable '${this.label}': its variant function threw: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, details: { variable: this.label } },
      );
    }
    if (!isVariable(variant) || variant.kind === 'composite' || variant.kind === 'conditional') {
      throw new VariableError(
        'invalid_variable',
        `Variable '${this.label}': its variant must return a float, integer, choice or module variable, got ${showValue(variant)}`,
        { details: { variable: this.label } },
      );
    }
    return variant;
  }

  /** A JSON description (kind, range or choices, default, dependencies, hints, metadata). */
  toJSON(): Record<string, unknown> {
    const s = this.spec;
    const out: Record<string, unknown> = { kind: this.kind };
    if (this.name !== undefined) out['name'] = this.name;
    if (this.description !== undefined) out['description'] = this.description;
    if (s.kind === 'float' || s.kind === 'integer') {
      out['range'] = [...s.range];
      if (s.step !== undefined) out['step'] = s.step;
      if (s.grid !== undefined) out['grid'] = [...s.grid];
    } else if (s.kind === 'choice' || s.kind === 'module') {
      out['values'] = [...s.values];
    }
    if (this.defaultValue !== undefined) out['default'] = this.defaultValue;
    if (this.dependencies.length > 0) out['dependencies'] = [...this.dependencies];
    if (Object.keys(this.hints).length > 0) out['hints'] = { ...this.hints };
    if (this.overridable) out['overridable'] = true;
    return out;
  }

  private common(): CommonVariableOptions {
    const c: CommonVariableOptions = {
      dependencies: this.dependencies,
      hints: this.hints,
      metadata: this.metadata,
    };
    if (this.name !== undefined) c.name = this.name;
    if (this.description !== undefined) c.description = this.description;
    if (this.overridable) c.overridable = true;
    return c;
  }

  /** Definitions are checked up front, so a bad default or range fails where it is written. */
  private checkDefinition(): void {
    const bad = (why: string): never => {
      throw new VariableError('invalid_variable', `Variable '${this.label}': ${why}`, {
        details: { variable: this.label },
      });
    };
    const s = this.spec;
    if (s.kind === 'float' || s.kind === 'integer') {
      const [lo, hi] = s.range;
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi)
        bad(`range [${lo}, ${hi}] must be two finite numbers, low <= high`);
      if (s.kind === 'integer' && (!Number.isInteger(lo) || !Number.isInteger(hi)))
        bad(`range [${lo}, ${hi}] of an integer variable must hold integers`);
      if (s.step !== undefined && !(s.step > 0)) bad(`step ${s.step} must be > 0`);
      if (s.kind === 'integer' && s.step !== undefined && !Number.isInteger(s.step))
        bad(`step ${s.step} of an integer variable must be an integer`);
      if (this.hints.scale === 'log' && lo <= 0) bad(`log scale needs a range above 0`);
      for (const g of s.grid ?? []) {
        const r = this.validate(g);
        if (!r.ok) bad(`grid value ${showValue(g)} is invalid (${r.message})`);
      }
    }
    if (s.kind === 'choice' || s.kind === 'module') {
      if (s.values.length === 0) bad('needs at least one choice');
      if (new Set(s.values).size !== s.values.length) bad('has duplicate choices');
      if (
        s.weights !== undefined &&
        (s.weights.length !== s.values.length || s.weights.some((w) => !(w >= 0)))
      )
        bad(`weights need one non-negative number per choice (${s.values.length})`);
    }
    if ((s.kind === 'composite' || s.kind === 'conditional') && this.dependencies.length === 0)
      bad(`a ${s.kind} variable needs its dependencies`);
    if (this.defaultValue !== undefined && s.kind !== 'conditional' && s.kind !== 'composite') {
      const r = this.validate(this.defaultValue);
      if (!r.ok) bad(`default ${showValue(this.defaultValue)} is invalid: ${r.message}`);
    }
  }
}

/** True when `value` is a {@link Variable} (by brand, so copies from other bundles count). */
export function isVariable(value: unknown): value is Variable {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [VARIABLE]?: unknown })[VARIABLE] === true
  );
}

/** True for the JSON scalars a configuration may hold. */
export function isConfigValue(value: unknown): value is ConfigValue {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function onStep(value: number, lo: number, step: number): boolean {
  const k = (value - lo) / step;
  return Math.abs(k - Math.round(k)) < 1e-9;
}

/** Rounds away float noise from `lo + i * step` (0.1 * 3 → 0.3). */
function roundStep(x: number): number {
  return Number.parseFloat(x.toPrecision(12));
}

function weightedIndex(rng: RandomSource, n: number, weights?: readonly number[]): number {
  if (weights === undefined) return randomIndex(rng, n);
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return randomIndex(rng, n);
  let u = rng() * total;
  for (let i = 0; i < n; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return n - 1;
}
