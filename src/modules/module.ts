import { nanoid } from 'nanoid';
import { UsageTracker, currentContext, runWithContext, type Callback } from '../context/index.js';
import type { LM, LMRequest } from '../lm/types.js';
import type { AnyFields, Signature } from '../signatures/index.js';
import {
  runBatch,
  type BatchOptions,
  type BatchResult,
  type BatchWithFailures,
  type Callable,
} from './batch.js';
import { ModuleError } from './errors.js';
import { Example, isPlainObject, type ExampleLike } from './example.js';
import { isPredictor, type LoadOptions, type Predictor, type PredictorState } from './parameter.js';
import { Prediction } from './prediction.js';
import { configurationOf, configuredCandidatesOf } from './program-configuration.js';
import { USAGE_SCOPE } from './usage-scope.js';

/** LM request parameters a predictor passes through (DSPy's `config` / LM kwargs). */
export type LMConfig = Omit<LMRequest, 'messages'>;

/** Per-call overrides (DSPy's privileged keyword arguments of `Predict.__call__`). */
export interface CallOptions {
  /** LM for this call only; wins over the predictor's and the context's. */
  lm?: LM;
  /** LM parameters for this call, merged over the predictor's `config`. */
  config?: LMConfig;
  /** Demos for this call instead of the predictor's. */
  demos?: readonly (Example | Record<string, unknown>)[];
  /** Signature for this call instead of the predictor's. */
  signature?: Signature;
}

/**
 * Saved state of a program: one entry per named predictor (`predict`, `cot.predict`, …) in DSPy's
 * shape. `load()` ignores a `metadata` entry, so files saved by DSPy load too.
 */
export type ProgramState = Record<string, PredictorState>;

/**
 * Brand of every {@link Module} (a registered symbol, so it is the same in every copy of dspex):
 * a program built against `dist/` and a runtime loaded from `src/` (or two installed copies of the
 * package) still recognise each other's modules.
 */
export const MODULE_BRAND: unique symbol = Symbol.for('dspex.module');

/** True when `value` is a dspex {@link Module} from any copy of the package (checks the brand). */
export function isModule(value: unknown): value is Module {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [MODULE_BRAND]?: unknown })[MODULE_BRAND] === true
  );
}

/**
 * Base class of every program (DSPy's `dspy.Module`). Subclasses hold predictors and sub-modules
 * as properties and implement {@link Module.forward}; users run them with {@link Module.call},
 * which adds callbacks, the per-prediction usage scope and (in Predict) the trace.
 *
 * Named predictors are discovered from the module's own properties, recursively through
 * sub-modules, arrays and plain objects, with DSPy's names (`predict`, `cot.predict`, `steps[0]`,
 * `byName['x']`). Compiled sub-modules (`compiled = true`) are frozen: their predictors are skipped.
 *
 * `I` and `O` are the inputs and outputs object types the compiler checks `call()` against and
 * gives the returned {@link Prediction}; `Predict`, `ChainOfThought` and `ReAct` take them from
 * their signature, a subclass may declare them (`extends Module<{ question: string }, { answer:
 * string }>`), and both default to untyped records.
 *
 * @example
 * ```ts
 * class RAG extends Module {
 *   retrieve = new Predict('question -> queries: list[str]');
 *   answer = new ChainOfThought('question, context -> answer');
 *   async forward({ question }: Record<string, unknown>) {
 *     const { queries } = await this.retrieve.call({ question });
 *     return this.answer.call({ question, context: await search(queries) });
 *   }
 * }
 * new RAG().namedPredictors().map(([name]) => name); // ['retrieve', 'answer.predict']
 * ```
 */
export abstract class Module<I extends object = AnyFields, O extends object = AnyFields> {
  /**
   * `value instanceof Module` checks the {@link MODULE_BRAND}, so it holds for modules of another
   * copy of dspex too; `instanceof` a subclass keeps its usual prototype-chain meaning.
   */
  static {
    Object.defineProperty(Module.prototype, MODULE_BRAND, { value: true });
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    if (this === Module) return isModule(value);
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /** Callbacks of this instance, called in addition to the context's. */
  callbacks: Callback[] = [];
  /** Set by optimizers on compiled programs; a compiled sub-module's predictors stay frozen. */
  compiled = false;

  /** The program logic. Call {@link Module.call} rather than this, so callbacks and usage apply. */
  abstract forward(inputs: I, options?: CallOptions): Promise<Prediction<O>>;

  /**
   * Runs the module (DSPy's `__call__`): emits `onModuleStart`/`onModuleEnd` and, for the
   * outermost call, opens the usage scope whose per-model totals become `prediction.usage`.
   * An {@link Example} with input keys contributes only its `inputs()`.
   */
  call(inputs: I | Example, options?: CallOptions): Promise<Prediction<O>>;
  call(inputs: I | Example = {} as I, options?: CallOptions): Promise<Prediction<O>> {
    // Not `async`: without observers inside a usage scope (a node's job) the promise is
    // `forward`'s own, one async frame less per call; a synchronous throw still becomes a rejection
    // and `Promise.resolve` (free on a native promise) covers a plain-JS `forward` returning a value.
    try {
      const args = (
        inputs instanceof Example
          ? Object.fromEntries((inputs.inputKeys === null ? inputs : inputs.inputs()).items())
          : { ...inputs }
      ) as I;
      const ctx = currentContext();
      // No observers (the common case): no id to mint and no callback list to build.
      if (ctx.callbacks.length === 0 && this.callbacks.length === 0) {
        return ctx.values[USAGE_SCOPE] !== undefined
          ? Promise.resolve(this.forward(args, options))
          : this.forwardInUsageScope(args, options);
      }
      return this.observedCall(ctx.callbacks, args, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** {@link Module.call} with `onModuleStart`/`onModuleEnd` around it. */
  private async observedCall(
    contextCallbacks: readonly Callback[],
    args: I,
    options: CallOptions | undefined,
  ): Promise<Prediction<O>> {
    const callId = nanoid();
    const callbacks = [...contextCallbacks, ...this.callbacks];
    notify(callbacks, 'onModuleStart', callId, this, args);
    try {
      const pred = await this.forwardWithUsage(args, options);
      notify(callbacks, 'onModuleEnd', callId, pred, null);
      return pred;
    } catch (error) {
      notify(callbacks, 'onModuleEnd', callId, null, error);
      throw error;
    }
  }

  private forwardWithUsage(args: I, options: CallOptions | undefined): Promise<Prediction<O>> {
    return currentContext().values[USAGE_SCOPE] !== undefined
      ? Promise.resolve(this.forward(args, options))
      : this.forwardInUsageScope(args, options);
  }

  /** The outermost call: opens the usage scope whose totals become `prediction.usage`. */
  private async forwardInUsageScope(
    args: I,
    options: CallOptions | undefined,
  ): Promise<Prediction<O>> {
    const tracker = new UsageTracker();
    const pred = await runWithContext(
      { usageTrackers: [tracker], values: { [USAGE_SCOPE]: tracker } },
      () => this.forward(args, options),
    );
    if (pred instanceof Prediction) pred.setLmUsage(tracker.perModel());
    return pred;
  }

  /**
   * All optimizable parameters with their names, DSPy's `named_parameters()` (a predictor lists
   * itself as `self`).
   */
  namedParameters(): [string, Predictor][] {
    return this.collectParameters(new Set());
  }

  /** `namedParameters` with the modules already on the walk, so reference cycles terminate. */
  private collectParameters(visiting: Set<Module>): [string, Predictor][] {
    visiting.add(this);
    const seen = new Set<Predictor>();
    const out: [string, Predictor][] = [];
    const add = (name: string, value: unknown): void => {
      if (isPredictor(value)) {
        if (!seen.has(value)) {
          seen.add(value);
          out.push([name, value]);
        }
      } else if (value instanceof Module && !value.compiled && !visiting.has(value)) {
        for (const [sub, p] of value.collectParameters(visiting)) add(`${name}.${sub}`, p);
      }
    };
    if (isPredictor(this)) add('self', this);
    for (const [name, value] of Object.entries(this)) {
      if (isPredictor(value) || value instanceof Module) add(name, value);
      else if (Array.isArray(value)) value.forEach((item, i) => add(`${name}[${i}]`, item));
      else if (value instanceof Map)
        for (const [k, item] of value) add(`${name}['${String(k)}']`, item);
      else if (isPlainObject(value))
        for (const [k, item] of Object.entries(value)) add(`${name}['${k}']`, item);
    }
    return out;
  }

  /** The named predictors (`[name, predictor]`), in discovery order. */
  namedPredictors(): [string, Predictor][] {
    return this.namedParameters();
  }

  /** The predictors, in the order of {@link Module.namedPredictors}. */
  predictors(): Predictor[] {
    return this.namedPredictors().map(([, p]) => p);
  }

  /**
   * Every sub-module reachable from this one (breadth first, including `self`), with its path
   * (`self.cot`, `self.steps[0]`); a module reachable by several paths is listed once.
   */
  namedSubModules(options: { skipCompiled?: boolean } = {}): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<unknown>([this]);
    const queue: [string, unknown][] = [['self', this]];
    const push = (name: string, item: unknown): void => {
      if (item !== null && typeof item === 'object' && !seen.has(item)) {
        seen.add(item);
        queue.push([name, item]);
      }
    };
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [name, item] = next;
      if (item instanceof Module) {
        out.push([name, item]);
        if (options.skipCompiled === true && item.compiled) continue;
        for (const [k, v] of Object.entries(item)) push(`${name}.${k}`, v);
      } else if (Array.isArray(item)) {
        item.forEach((v, i) => push(`${name}[${i}]`, v));
      } else if (item instanceof Map) {
        for (const [k, v] of item) push(`${name}[${String(k)}]`, v);
      } else if (isPlainObject(item)) {
        for (const [k, v] of Object.entries(item)) push(`${name}[${k}]`, v);
      }
    }
    return out;
  }

  /**
   * A deep copy: sub-modules, predictors, demos, arrays and plain objects are copied; LMs,
   * signatures (immutable), adapters, tools and functions are shared. Objects reachable twice
   * stay shared in the copy. Subclasses holding `#private` state must override this.
   */
  deepCopy(memo: Map<unknown, unknown> = new Map()): this {
    const existing = memo.get(this);
    if (existing !== undefined) return existing as this;
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    memo.set(this, copy);
    for (const key of Reflect.ownKeys(this)) {
      const desc = Object.getOwnPropertyDescriptor(this, key) as PropertyDescriptor;
      if ('value' in desc) desc.value = copyValue(desc.value, memo);
      Object.defineProperty(copy, key, desc);
    }
    return copy;
  }

  /** A deep copy whose predictors are reset (no demos, no LM). */
  resetCopy(): this {
    const copy = this.deepCopy();
    for (const p of copy.predictors()) p.reset();
    return copy;
  }

  /** The state of every named predictor (DSPy's `dump_state`), JSON-serialisable. */
  save(): ProgramState {
    const state: ProgramState = {};
    for (const [name, p] of this.namedPredictors()) state[name] = p.dumpState();
    // A configured program (applyConfiguration) saves its configuration beside, as DSPy's metadata.
    const configuration = configurationOf(this);
    const candidates = configuredCandidatesOf(this);
    if (configuration !== undefined)
      Object.assign(state, {
        metadata: { configuration, ...(candidates === undefined ? {} : { candidates }) },
      });
    return state;
  }

  /**
   * Loads a state saved by {@link Module.save} (or DSPy) into this program's predictors. The state
   * is first applied to a copy, so a bad state throws before this program is touched.
   */
  load(state: Record<string, unknown>, options: LoadOptions = {}): this {
    const apply = (program: Module): void => {
      for (const [name, p] of program.namedPredictors()) {
        const entry = state[name];
        if (!isPlainObject(entry) || !isPlainObject(entry['signature'])) {
          throw new ModuleError(
            'invalid_state',
            `The saved state has no valid entry for predictor '${name}'.`,
            { details: { predictor: name, available: Object.keys(state) } },
          );
        }
        p.loadState(entry as PredictorState, options);
      }
    };
    apply(this.deepCopy());
    apply(this);
    return this;
  }

  /** Sets the LM of every predictor (DSPy's `set_lm`). */
  setLm(lm: LM | undefined): this {
    for (const p of this.predictors()) p.lm = lm;
    return this;
  }

  /** The LM shared by all predictors; throws when they use different ones (DSPy's `get_lm`). */
  getLm(): LM | undefined {
    const lms = new Set(this.predictors().map((p) => p.lm));
    if (lms.size === 1) return lms.values().next().value;
    throw new ModuleError(
      'invalid_argument',
      "Multiple LMs are being used in the module. There's no unique LM to return.",
    );
  }

  /** Runs this module over many examples concurrently (DSPy's `module.batch`); see `batch()`. */
  batch(
    examples: readonly ExampleLike[],
    options?: BatchOptions & { returnFailures?: false },
  ): Promise<BatchResult<O>>;
  batch(
    examples: readonly ExampleLike[],
    options: BatchOptions & { returnFailures: true },
  ): Promise<BatchWithFailures<O>>;
  batch(
    examples: readonly ExampleLike[],
    options: BatchOptions = {},
  ): Promise<BatchResult<O> | BatchWithFailures<O>> {
    return runBatch<O>(this as Callable<O>, examples, options);
  }
}

function notify(
  callbacks: readonly Callback[],
  method: 'onModuleStart' | 'onModuleEnd',
  callId: string,
  a: unknown,
  b: unknown,
): void {
  for (const cb of callbacks) {
    try {
      if (method === 'onModuleStart') cb.onModuleStart?.(callId, a, b as Record<string, unknown>);
      else cb.onModuleEnd?.(callId, a, b);
    } catch {
      // Callbacks observe; a failing one never breaks the run (as DSPy and emitCallback).
    }
  }
}

function copyValue(value: unknown, memo: Map<unknown, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (memo.has(value)) return memo.get(value);
  if (value instanceof Module) return value.deepCopy(memo);
  if (value instanceof Example) {
    const copy = value.copy();
    memo.set(value, copy);
    for (const [k, v] of value.items(true)) copy.set(k, copyValue(v, memo));
    return copy;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    memo.set(value, copy);
    for (const v of value) copy.push(copyValue(v, memo));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    memo.set(value, copy);
    for (const [k, v] of value) copy.set(k, copyValue(v, memo));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    memo.set(value, copy);
    for (const v of value) copy.add(copyValue(v, memo));
    return copy;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = Object.create(Object.getPrototypeOf(value) as object);
    memo.set(value, copy);
    for (const [k, v] of Object.entries(value)) copy[k] = copyValue(v, memo);
    return copy;
  }
  // LMs, signatures, adapters, tools and other class instances are shared, not copied.
  return value;
}
