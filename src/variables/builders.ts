import {
  Variable,
  type ChoiceOptions,
  type CommonVariableOptions,
  type CompositeOptions,
  type ConditionalOptions,
  type ConfigValue,
  type NumericOptions,
} from './variable.js';

function common(o: CommonVariableOptions): CommonVariableOptions {
  const c: CommonVariableOptions = {};
  if (o.name !== undefined) c.name = o.name;
  if (o.description !== undefined) c.description = o.description;
  if (o.dependencies !== undefined) c.dependencies = o.dependencies;
  if (o.hints !== undefined) c.hints = o.hints;
  if (o.metadata !== undefined) c.metadata = o.metadata;
  if (o.overridable !== undefined) c.overridable = o.overridable;
  return c;
}

function numericSpec(kind: 'float' | 'integer', o: NumericOptions) {
  return {
    kind,
    range: [o.range[0], o.range[1]] as const,
    ...(o.step === undefined ? {} : { step: o.step }),
    ...(o.grid === undefined ? {} : { grid: [...o.grid] }),
  };
}

/**
 * A real-valued variable over an inclusive range (continuous unless it has a `step` or `grid`).
 *
 * @example
 * ```ts
 * new Predict(sig, { temperature: v.float({ range: [0, 1.5] }) });
 * ```
 */
export function float(options: NumericOptions): Variable<number> {
  const def = options.default ?? options.grid?.[0] ?? (options.range[0] + options.range[1]) / 2;
  return new Variable<number>(numericSpec('float', options), common(options), def);
}

/**
 * An integer variable over an inclusive range (`step` default 1).
 *
 * @example
 * ```ts
 * v.integer({ name: 'maxTokens', range: [64, 4096], step: 64, default: 512 });
 * ```
 */
export function integer(options: NumericOptions): Variable<number> {
  const def = options.default ?? options.grid?.[0] ?? options.range[0];
  return new Variable<number>(numericSpec('integer', options), common(options), def);
}

/**
 * A choice among JSON scalars; with `resolve`, each choice stands for another object (an LM, an
 * adapter) so configurations stay serialisable while modules receive the real thing.
 *
 * @example
 * ```ts
 * v.choice(['chat', 'json'], { name: 'adapter', resolve: { chat: new ChatAdapter(), json: new JSONAdapter() } });
 * ```
 */
export function choice<V extends ConfigValue, R = V>(
  values: readonly V[],
  options: ChoiceOptions<V, R> = {},
): Variable<R> {
  const { resolve } = options;
  const resolver =
    resolve === undefined
      ? undefined
      : typeof resolve === 'function'
        ? (value: ConfigValue) => resolve(value as V)
        : (value: ConfigValue) => (resolve as Record<string, R>)[String(value)] ?? value;
  return new Variable<R>(
    {
      kind: 'choice',
      values: [...values],
      allowCustom: options.allowCustom ?? false,
      ...(options.weights === undefined ? {} : { weights: [...options.weights] }),
      ...(resolver === undefined ? {} : { resolve: resolver }),
    },
    common(options),
    options.default ?? values[0],
  );
}

/** Options of {@link moduleVariable}. */
export interface ModuleVariableOptions<M> extends CommonVariableOptions {
  /** The implementations by name; the configuration holds the name. */
  modules: Readonly<Record<string, M>>;
  /** Default implementation's name (default: the first). */
  default?: string;
  /** Sampling weights, one per module. */
  weights?: readonly number[];
}

/**
 * A choice among implementations (module classes, adapters …): the configuration holds a name,
 * the program receives the implementation. `v.module` in the `v` namespace.
 *
 * @example
 * ```ts
 * const strategy = v.module({ name: 'qa.strategy', modules: { Predict, ChainOfThought } });
 * ```
 */
export function moduleVariable<M>(options: ModuleVariableOptions<M>): Variable<M> {
  const names = Object.keys(options.modules);
  return new Variable<M>(
    {
      kind: 'module',
      values: names,
      allowCustom: false,
      ...(options.weights === undefined ? {} : { weights: [...options.weights] }),
      resolve: (value) => options.modules[String(value)],
    },
    common(options),
    options.default ?? names[0],
  );
}

/**
 * A variable computed from others (in dependency order); never searched, always recomputed.
 *
 * @example
 * ```ts
 * v.composite({ name: 'budget', dependencies: ['maxTokens', 'n'], compute: (c) => Number(c.maxTokens) * Number(c.n) });
 * ```
 */
export function composite<T extends ConfigValue>(options: CompositeOptions<T>): Variable<T> {
  const check = options.validate;
  return new Variable<T>(
    {
      kind: 'composite',
      compute: options.compute,
      ...(check === undefined ? {} : { check: (value: ConfigValue) => check(value as T) }),
    },
    common(options),
    undefined,
  );
}

/**
 * A variable whose range, choices or default depend on other variables.
 *
 * @example
 * ```ts
 * v.conditional({
 *   name: 'temperature', dependencies: ['provider'],
 *   variant: (c) => v.float({ range: c.provider === 'anthropic' ? [0, 1] : [0, 2], default: 0.7 }),
 * });
 * ```
 */
export function conditional<T = ConfigValue>(options: ConditionalOptions): Variable<T> {
  return new Variable<T>(
    { kind: 'conditional', variant: options.variant },
    common(options),
    options.default,
  );
}
