import { isVariable, type Variable } from '../variables/index.js';
import { isPlainObject } from './example.js';

/** Where a module keeps the constructor arguments that held variables. */
export const VARIABLE_BINDING: unique symbol = Symbol.for('dspex.variableBinding');

/**
 * A module constructor parameter may be given a {@link Variable} instead of a value: the options
 * type of a module, with every option also accepting a variable of its type.
 */
export type Declarable<T> = { [K in keyof T]: T[K] | Variable<Exclude<T[K], undefined>> };

/** `Declarable<T>` after the variables are resolved to values. */
export type Resolved<T> = { [K in keyof T]: Exclude<T[K], Variable<unknown>> };

/** A constructor a bound module is rebuilt with. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModuleConstructor = new (...args: any[]) => object;

/**
 * How a module was built when some of its constructor arguments were variables: rebuilding it
 * with the variables replaced by configured values is how a configuration is applied.
 */
export interface VariableBinding {
  ctor: ModuleConstructor;
  /** The constructor arguments as given (variables included). */
  args: readonly unknown[];
  /** Names of the positional arguments (plain-object arguments contribute their keys instead). */
  params: readonly string[];
}

/** A variable found in a binding, with its path relative to the module (`temperature`, `strategy`). */
export interface VariableSlot {
  path: string;
  variable: Variable;
}

/**
 * Records the variables among a module's constructor arguments (top-level arguments and the keys
 * of plain-object arguments, recursively) and returns the arguments with each variable replaced
 * by its resolved default, so an unconfigured program runs with the defaults. A call that finds
 * no variable records nothing, so a subclass that binds first (and passes values to `super`)
 * keeps its own binding.
 *
 * @example
 * ```ts
 * class Retrieve extends Module {
 *   constructor(k: number | Variable<number>) {
 *     super();
 *     [this.k] = bindVariables(this, Retrieve, [k], ['k']) as [number];
 *   }
 * }
 * ```
 */
export function bindVariables(
  module: object,
  ctor: ModuleConstructor,
  args: readonly unknown[],
  params: readonly string[],
): unknown[] {
  const slots = variableSlots({ ctor, args, params });
  if (slots.length === 0) return [...args];
  Object.defineProperty(module, VARIABLE_BINDING, {
    value: { ctor, args: [...args], params: [...params] } satisfies VariableBinding,
    enumerable: false,
    writable: true,
    configurable: true,
  });
  return substituteArgs(args, defaultValueOf);
}

/**
 * {@link bindVariables} for the common `(signature, options)` constructor shape: returns the
 * options with variables resolved to their defaults.
 */
export function bindOptions<O extends object>(
  module: object,
  ctor: ModuleConstructor,
  first: unknown,
  options: O,
): Resolved<O> {
  return bindVariables(module, ctor, [first, options], ['signature', 'options'])[1] as Resolved<O>;
}

/** The binding of a module, if any of its constructor arguments was a variable. */
export function bindingOf(module: object): VariableBinding | undefined {
  return (module as { [VARIABLE_BINDING]?: VariableBinding })[VARIABLE_BINDING];
}

/** Every variable of a binding with its path. */
export function variableSlots(binding: VariableBinding): VariableSlot[] {
  const out: VariableSlot[] = [];
  const visit = (value: unknown, path: string): void => {
    if (isVariable(value)) out.push({ path, variable: value });
    else if (isPlainObject(value))
      for (const [k, item] of Object.entries(value)) visit(item, path === '' ? k : `${path}.${k}`);
  };
  binding.args.forEach((arg, i) =>
    visit(arg, isPlainObject(arg) ? '' : (binding.params[i] ?? String(i))),
  );
  return out;
}

/**
 * Copies constructor arguments with every variable (where {@link variableSlots} finds them)
 * replaced by `valueOf(variable)`; an `undefined` value drops the key.
 */
export function substituteArgs(
  args: readonly unknown[],
  valueOf: (variable: Variable) => unknown,
): unknown[] {
  return args.map((arg) => substitute(arg, valueOf));
}

function substitute(value: unknown, valueOf: (variable: Variable) => unknown): unknown {
  if (isVariable(value)) return valueOf(value);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(value)) {
      const resolved = substitute(item, valueOf);
      if (resolved !== undefined) out[k] = resolved;
    }
    return out;
  }
  return value;
}

/**
 * A variable's default as a module receives it; `undefined` when the default depends on other
 * variables it cannot see here (a conditional), so the module keeps its own default until a
 * configuration is applied.
 */
function defaultValueOf(variable: Variable): unknown {
  try {
    const d = variable.defaultFor({});
    return d === undefined ? undefined : variable.resolve(d);
  } catch {
    return undefined;
  }
}
