/**
 * Erlang terms, faithfully enough to print exit reasons and API results the way OTP does
 * (`~0p` style: no spaces, lists always as lists, pids as `<pid>`).
 *
 * - atom: a JS `string` (`'normal'`, `'shutdown'`, `'boom'`)
 * - integer: a JS `number` (integral) or `bigint` (arbitrary precision, as Erlang integers)
 * - tuple: a {@link Tuple} (`tuple('shutdown', 'bye')`)
 * - list: a readonly array of terms
 * - opaque: any object carrying the {@link OPAQUE} brand (pids print `<pid>`, OTP's child record
 *   prints `<child>`, a JS error prints `<error>`)
 *
 * @example
 * ```ts
 * formatTerm(tuple('shutdown', tuple('failed_to_start_child', 'db', 'nope')));
 * // '{shutdown,{failed_to_start_child,db,nope}}'
 * ```
 */

/** Brand of opaque terms; its value is the label printed between angle brackets. */
export const OPAQUE: unique symbol = Symbol.for('dspex.kernel.opaque');

/** A value that prints as `<label>` (pids, child records, foreign JS values). */
export interface OpaqueTerm {
  readonly [OPAQUE]: string;
}

/** An Erlang term. */
export type Term = string | number | bigint | Tuple | readonly Term[] | OpaqueTerm;

/** An Erlang tuple: immutable, compared element-wise by {@link termEquals}. */
export class Tuple {
  readonly items: readonly Term[];
  constructor(items: readonly Term[]) {
    this.items = Object.freeze([...items]);
  }
  /** Number of elements (Erlang `tuple_size/1`). */
  get size(): number {
    return this.items.length;
  }
  /** 0-based element access. */
  at(i: number): Term | undefined {
    return this.items[i];
  }
}

/** Builds a tuple: `tuple('ok', pid)` is `{ok,Pid}`. */
export function tuple(...items: Term[]): Tuple {
  return new Tuple(items);
}

/** An opaque term printed as `<label>`, optionally wrapping a JS value. */
export function opaque(label: string, value?: unknown): OpaqueTerm & { readonly value: unknown } {
  return { [OPAQUE]: label, value };
}

/** True for an object carrying the opaque brand. */
export function isOpaque(t: unknown): t is OpaqueTerm {
  return typeof t === 'object' && t !== null && OPAQUE in t;
}

const RESERVED = new Set(
  (
    'after and andalso band begin bnot bor bsl bsr bxor case catch cond div else end fun if let ' +
    'maybe not of or orelse receive rem try when xor'
  ).split(' '),
);

/** Erlang reserved words (they cannot be bare atoms). */
export function isReservedWord(s: string): boolean {
  return RESERVED.has(s);
}

function formatAtom(a: string): string {
  if (/^[a-z][A-Za-z0-9_@]*$/.test(a) && !RESERVED.has(a)) return a;
  return `'${a.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Prints a term like the oracle driver (`~0p` with pids as `<pid>`). */
export function formatTerm(t: Term): string {
  if (typeof t === 'string') return formatAtom(t);
  if (typeof t === 'number') return Number.isInteger(t) ? String(t) : String(t);
  if (typeof t === 'bigint') return t.toString();
  if (t instanceof Tuple) return `{${t.items.map(formatTerm).join(',')}}`;
  if (Array.isArray(t)) return `[${(t as readonly Term[]).map(formatTerm).join(',')}]`;
  if (isOpaque(t)) return `<${t[OPAQUE]}>`;
  return '<term>';
}

/** Structural equality of terms (opaque terms compare by identity; 1 equals 1n). */
export function termEquals(a: Term, b: Term): boolean {
  if (a === b) return true;
  if (
    (typeof a === 'number' || typeof a === 'bigint') &&
    (typeof b === 'number' || typeof b === 'bigint')
  )
    return BigInt(a) === BigInt(b);
  if (a instanceof Tuple && b instanceof Tuple)
    return a.size === b.size && a.items.every((x, i) => termEquals(x, b.items[i] as Term));
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => termEquals(x as Term, b[i] as Term));
  return false;
}

/**
 * OTP's "normal" exit reasons: `normal`, `shutdown` and `{shutdown, _}`. A transient child exiting
 * with one of these is not restarted; a temporary one is never reported for them.
 */
export function isNormalExitReason(reason: Term): boolean {
  if (reason === 'normal' || reason === 'shutdown') return true;
  return reason instanceof Tuple && reason.size === 2 && reason.at(0) === 'shutdown';
}

/** Converts a thrown JS value into an exit-reason term: `{error, <error>}` (or the value if a term). */
export function errorToTerm(e: unknown): Term {
  return tuple('error', opaque('error', e));
}
