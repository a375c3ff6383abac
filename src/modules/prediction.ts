import type { UsageTotals } from '../context/index.js';
import type { AnyFields, Signature } from '../signatures/index.js';
import { Example, type ExampleLike } from './example.js';
import { ModuleError } from './errors.js';

/** LM usage of one prediction: totals per model name (DSPy's `get_lm_usage()`). */
export type LmUsage = Record<string, UsageTotals>;

/** The completions argument of {@link Prediction.fromCompletions}: records, or lists by field. */
export type CompletionsData<O extends object = AnyFields> =
  readonly (O | Record<string, unknown>)[] | Record<string, readonly unknown[]>;

/**
 * The class behind {@link Prediction} (use `Prediction` itself: the same constructor, with field
 * properties in its type). `O` is the outputs object type the compiler knows.
 */
export class PredictionBase<O extends object = AnyFields> extends Example {
  /** @internal */
  protected _completions: Completions<AnyFields> | null = null;
  /** @internal */
  protected _lmUsage: LmUsage | undefined = undefined;

  constructor(data: ExampleLike = {}) {
    super(data);
  }

  /** A prediction whose fields are the first completion's and whose completions are all of them. */
  static fromCompletions<O extends object = AnyFields>(
    completions: CompletionsData<O>,
    signature?: Signature<object, O>,
  ): Prediction<O> {
    const all = new Completions<O>(completions, signature);
    const first: Record<string, unknown> = {};
    for (const [k, values] of all.items()) first[k] = values[0];
    const pred = new PredictionBase<O>(first);
    pred._completions = all;
    return pred as Prediction<O>;
  }

  /**
   * The fields as a plain, typed record: `pred.outputs.answer`. Unlike property access
   * (`pred.answer`), this always gives the field, also when its name is a member of the class
   * (`labels`, `size`, `toJSON`, `get`, `outputs`, …). A fresh object on every access.
   */
  get outputs(): Readonly<O> {
    return Object.fromEntries(this._store) as O;
  }

  /** All completions; a single-completion view of this prediction when built from plain data. */
  get completions(): Completions<O> {
    return (this._completions ?? new Completions<O>([this.toDict()])) as Completions<O>;
  }

  /** Per-model LM usage of the call that produced this prediction, if it was tracked. */
  get usage(): LmUsage | undefined {
    return this._lmUsage;
  }

  /** DSPy's name for {@link Prediction.usage}. */
  getLmUsage(): LmUsage | undefined {
    return this._lmUsage;
  }

  /** @internal Attached by `Module.call()` when its usage scope closes. */
  setLmUsage(usage: LmUsage | undefined): void {
    this._lmUsage = usage;
  }

  /** The `score` field as a number (throws when there is none), as DSPy's `float(pred)`. */
  toNumber(): number {
    if (!this.has('score')) {
      throw new ModuleError(
        'invalid_argument',
        "Prediction object does not have a 'score' field to convert to float.",
      );
    }
    return Number(this.get('score'));
  }

  [Symbol.toPrimitive](hint: 'number' | 'string' | 'default'): number | string {
    if (hint !== 'string' && this.has('score')) return this.toNumber();
    return this.toString();
  }

  override toString(): string {
    const n = this._completions?.length ?? 1;
    const body = JSON.stringify(Object.fromEntries(this.items()));
    return n > 1 ? `Prediction(${body}) (${n - 1} completions omitted)` : `Prediction(${body})`;
  }

  override copy(patch: Record<string, unknown> = {}): this {
    const copy = super.copy(patch);
    copy._completions = this._completions;
    copy._lmUsage = this._lmUsage;
    return copy;
  }
}

/** Names of the members of a prediction, which shadow fields of the same name in property access. */
type MemberNames = keyof {
  [K in keyof PredictionBase as string extends K ? never : number extends K ? never : K]: 0;
};

/**
 * The output fields of a typed prediction as properties (`pred.answer: string`): every field of
 * `O` except those whose name is a member of the class (read those through `pred.outputs`).
 */
export type PredictionFields<O extends object> = string extends keyof O
  ? unknown
  : { [K in Exclude<keyof O, MemberNames>]: O[K] };

/**
 * The output of a module: an {@link Example} whose fields are the output fields of the first
 * completion, plus all `n` completions in {@link Prediction.completions} and the LM usage of the
 * call that produced it.
 *
 * Typed by the outputs of the module's signature: `pred.answer` has the field's type, and
 * `pred.outputs.<field>` gives every field, also one named like a method (`labels`, `size`,
 * `toJSON`, `get`, …) that property access would shadow. Untyped modules give `Prediction`,
 * whose fields are `any`.
 *
 * A prediction with a numeric `score` field converts to that number (`Number(pred)`, `pred > 0.5`),
 * so metrics may return predictions as in DSPy.
 *
 * @example
 * ```ts
 * const pred = Prediction.fromCompletions([{ answer: 'a' }, { answer: 'b' }]);
 * pred.answer;                 // 'a'
 * pred.outputs.answer;         // 'a', even for a field named `labels` or `size`
 * pred.completions.answer;     // ['a', 'b']
 * pred.completions.at(1)?.answer; // 'b'
 * ```
 */
export type Prediction<O extends object = AnyFields> = PredictionBase<O> & PredictionFields<O>;

/** The constructor and statics of {@link Prediction}. */
export interface PredictionConstructor {
  new <O extends object = AnyFields>(data?: ExampleLike): Prediction<O>;
  readonly prototype: PredictionBase;
  /** A prediction whose fields are the first completion's and whose completions are all of them. */
  fromCompletions<O extends object = AnyFields>(
    completions: CompletionsData<O>,
    signature?: Signature<object, O>,
  ): Prediction<O>;
}

/** See the {@link Prediction} type: the same name is the class value and the typed instance. */
export const Prediction: PredictionConstructor = PredictionBase as unknown as PredictionConstructor;

/**
 * The `n` completions of one prediction: `completions.answer` is the list of every completion's
 * `answer`, `completions.at(i)` (or `completions[i]`) the i-th completion as a {@link Prediction};
 * iterating yields the completions in order.
 */
export class Completions<O extends object = AnyFields> implements Iterable<Prediction<O>> {
  /** Field name → list of values, one per completion. */
  [field: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any

  /** The signature the completions were parsed with, when known (majority uses its last output). */
  readonly signature: Signature<object, O> | undefined;
  /** @internal */
  protected readonly _byField: Map<string, unknown[]>;

  constructor(completions: CompletionsData<O>, signature?: Signature<object, O>) {
    this.signature = signature;
    this._byField = new Map();
    if (Array.isArray(completions)) {
      for (const c of completions as readonly Record<string, unknown>[]) {
        const entries = c instanceof Example ? c.items(true) : Object.entries(c);
        for (const [k, v] of entries) {
          const list = this._byField.get(k) ?? [];
          list.push(v);
          this._byField.set(k, list);
        }
      }
    } else {
      for (const [k, v] of Object.entries(completions as Record<string, readonly unknown[]>)) {
        if (!Array.isArray(v)) {
          throw new ModuleError('invalid_argument', 'All values must be lists', {
            details: { field: k },
          });
        }
        this._byField.set(k, [...(v as unknown[])]);
      }
    }
    const lengths = new Set([...this._byField.values()].map((v) => v.length));
    if (lengths.size > 1) {
      throw new ModuleError('invalid_argument', 'All lists must have the same length');
    }
    return new Proxy(this, completionsHandler as ProxyHandler<this>);
  }

  /** Number of completions. */
  get length(): number {
    const first = this._byField.values().next();
    return first.done === true ? 0 : first.value.length;
  }

  /** The i-th completion (negative counts from the end), or undefined when out of range. */
  at(index: number): Prediction<O> | undefined {
    const i = index < 0 ? this.length + index : index;
    if (i < 0 || i >= this.length) return undefined;
    const data: Record<string, unknown> = {};
    for (const [k, v] of this._byField) data[k] = v[i];
    return new Prediction<O>(data);
  }

  /** The values of one field across completions (also for a field named like a member). */
  get<K extends string>(field: K): (K extends keyof O ? O[K] : unknown)[] | undefined {
    return this._byField.get(field) as (K extends keyof O ? O[K] : unknown)[] | undefined;
  }

  /** Whether the field exists. */
  has(field: string): boolean {
    return this._byField.has(field);
  }

  /** Field names. */
  keys(): string[] {
    return [...this._byField.keys()];
  }

  /** `[field, values]` pairs. */
  items(): [string, unknown[]][] {
    return [...this._byField.entries()];
  }

  /** The completions as plain records. */
  toList(): Record<string, unknown>[] {
    return [...this].map((p) => p.toDict());
  }

  toJSON(): Record<string, unknown[]> {
    return Object.fromEntries(this._byField);
  }

  *[Symbol.iterator](): Iterator<Prediction<O>> {
    for (let i = 0; i < this.length; i++) yield this.at(i) as Prediction<O>;
  }
}

const completionsHandler: ProxyHandler<Completions> = {
  get(target, prop, receiver) {
    if (typeof prop === 'symbol' || prop in target) return Reflect.get(target, prop, receiver);
    if (/^-?\d+$/.test(prop)) return target.at(Number(prop));
    return target.get(prop);
  },
  has(target, prop) {
    return prop in target || (typeof prop === 'string' && target.has(prop));
  },
};
