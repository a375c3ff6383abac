import { ModuleError } from './errors.js';

/** Keys starting with this prefix are internal bookkeeping, hidden from `keys()` and `size` (DSPy). */
const HIDDEN_PREFIX = 'dspy_';

/** Options of {@link Example}'s constructor. */
export interface ExampleOptions {
  /** Which fields are inputs (what {@link Example.withInputs} sets). Default: not set. */
  inputKeys?: Iterable<string>;
}

/** Data accepted where an example is expected: an {@link Example} or a plain record. */
export type ExampleLike = Example | Record<string, unknown>;

/**
 * A dict-like record of named fields, DSPy's `dspy.Example`: one row of a train/dev set, one
 * demo, or (as {@link Prediction}) one program output. Fields read as properties (`ex.question`)
 * or with {@link Example.get}; a field whose name collides with a method (`keys`, `copy`, …) is
 * only reachable through `get`. `withInputs()` marks which fields are inputs; `inputs()` and
 * `labels()` split the record accordingly.
 *
 * @example
 * ```ts
 * const ex = new Example({ question: 'Why?', answer: 'Because.' }).withInputs('question');
 * ex.question;               // 'Why?'
 * ex.inputs().keys();        // ['question']
 * ex.labels().toDict();      // { answer: 'Because.' }
 * ```
 */
export class Example {
  /** Field access by name; see the class comment. */
  [field: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any

  /** @internal The fields, in insertion order. */
  protected _store: Map<string, unknown>;
  /** @internal Input field names, or null until `withInputs()`. */
  protected _inputKeys: ReadonlySet<string> | null;

  constructor(data: ExampleLike = {}, options: ExampleOptions = {}) {
    this._store = new Map(data instanceof Example ? data._store : Object.entries(data));
    this._inputKeys = options.inputKeys === undefined ? null : new Set(options.inputKeys);
    // Property access to fields (`ex.question`) is a Proxy in front of the instance: own members
    // and methods win, then fields. Methods run with `this` = the proxy, so plain (non-#) members.
    return new Proxy(this, exampleHandler);
  }

  /** A copy whose input fields are `keys` (the rest are labels). */
  withInputs(...keys: string[]): this {
    const copy = this.copy();
    copy._inputKeys = new Set(keys);
    return copy;
  }

  /** Names of the input fields, or `null` when {@link Example.withInputs} was never called. */
  get inputKeys(): readonly string[] | null {
    return this._inputKeys === null ? null : [...this._inputKeys];
  }

  /** A new example with only the input fields. Throws when the inputs were never set. */
  inputs(): Example {
    if (this._inputKeys === null) {
      throw new ModuleError(
        'invalid_argument',
        'Inputs have not been set for this example. Use `example.withInputs()` to set them.',
      );
    }
    const keys = this._inputKeys;
    const data: Record<string, unknown> = {};
    for (const [k, v] of this._store) if (keys.has(k)) data[k] = v;
    return new Example(data, { inputKeys: keys });
  }

  /** A new example with only the label (non-input) fields. Throws when the inputs were never set. */
  labels(): Example {
    const inputKeys = new Set(this.inputs().keys());
    const data: Record<string, unknown> = {};
    for (const [k, v] of this._store) if (!inputKeys.has(k)) data[k] = v;
    return new Example(data);
  }

  /** The value of `key`, or `fallback` when the field is absent. */
  get<T = unknown>(key: string, fallback?: T): T {
    return (this._store.has(key) ? this._store.get(key) : fallback) as T;
  }

  /** Whether the field exists (DSPy's `key in example`). */
  has(key: string): boolean {
    return this._store.has(key);
  }

  /** Sets a field in place. */
  set(key: string, value: unknown): this {
    this._store.set(key, value);
    return this;
  }

  /** Removes a field in place; returns whether it existed. */
  delete(key: string): boolean {
    return this._store.delete(key);
  }

  /** Field names in insertion order, without internal `dspy_*` keys unless asked. */
  keys(includeHidden = false): string[] {
    return [...this._store.keys()].filter((k) => includeHidden || !k.startsWith(HIDDEN_PREFIX));
  }

  /** Field values, in the order of {@link Example.keys}. */
  values(includeHidden = false): unknown[] {
    return this.keys(includeHidden).map((k) => this._store.get(k));
  }

  /** `[name, value]` pairs, in the order of {@link Example.keys}. */
  items(includeHidden = false): [string, unknown][] {
    return this.keys(includeHidden).map((k) => [k, this._store.get(k)]);
  }

  /** Number of visible fields (DSPy's `len(example)`). */
  get size(): number {
    return this.keys().length;
  }

  /** A shallow copy with `patch` applied; the input keys are kept. */
  copy(patch: Record<string, unknown> = {}): this {
    const Ctor = this.constructor as new (data: ExampleLike, options?: ExampleOptions) => this;
    const copy = new Ctor(this._plainStore());
    for (const [k, v] of Object.entries(patch)) copy._store.set(k, v);
    copy._inputKeys = this._inputKeys;
    return copy;
  }

  /** A copy without the given fields. */
  without(...keys: string[]): this {
    const copy = this.copy();
    for (const k of keys) copy._store.delete(k);
    return copy;
  }

  /** A plain, JSON-friendly record of all fields (nested examples converted too). */
  toDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this._store) out[k] = toPlain(v);
    return out;
  }

  /** `JSON.stringify(example)` gives the fields. */
  toJSON(): Record<string, unknown> {
    return this.toDict();
  }

  /** Same fields with the same values (DSPy compares the stores, not the input keys). */
  equals(other: unknown): boolean {
    if (!(other instanceof Example)) return false;
    if (other._store.size !== this._store.size) return false;
    for (const [k, v] of this._store) {
      if (!other._store.has(k) || !deepEqual(v, other._store.get(k))) return false;
    }
    return true;
  }

  /** Iterates field names, like iterating a Python dict. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys(true)[Symbol.iterator]();
  }

  toString(): string {
    const visible = Object.fromEntries(this.items());
    const inputs = this._inputKeys === null ? 'null' : JSON.stringify([...this._inputKeys]);
    return `Example(${JSON.stringify(visible)}) (inputKeys=${inputs})`;
  }

  /** @internal */
  protected _plainStore(): Record<string, unknown> {
    return Object.fromEntries(this._store);
  }
}

/** Converts examples, arrays and plain objects recursively into JSON-friendly data. */
export function toPlain(value: unknown): unknown {
  if (value instanceof Example) return value.toDict();
  if (Array.isArray(value)) return value.map(toPlain);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}

/** True for `{}`-style objects (not class instances, arrays, dates …). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Example || b instanceof Example) {
    return a instanceof Example && a.equals(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => deepEqual(x, b[i]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

const exampleHandler: ProxyHandler<Example> = {
  get(target, prop, receiver) {
    if (typeof prop === 'symbol' || prop in target) return Reflect.get(target, prop, receiver);
    return (target as unknown as { _store: Map<string, unknown> })._store.get(prop);
  },
  set(target, prop, value, receiver) {
    if (typeof prop === 'symbol' || prop in target)
      return Reflect.set(target, prop, value, receiver);
    (target as unknown as { _store: Map<string, unknown> })._store.set(prop, value);
    return true;
  },
  has(target, prop) {
    if (prop in target) return true;
    return (
      typeof prop === 'string' &&
      (target as unknown as { _store: Map<string, unknown> })._store.has(prop)
    );
  },
  deleteProperty(target, prop) {
    if (typeof prop === 'string' && !(prop in target)) {
      (target as unknown as { _store: Map<string, unknown> })._store.delete(prop);
      return true;
    }
    return Reflect.deleteProperty(target, prop);
  },
};
