import type { AnyFields } from '../signatures/index.js';
import { Completions, Prediction } from './prediction.js';
import { normalizeAnswer } from './normalize-answer.js';

/** Options of {@link majority}. */
export interface MajorityOptions {
  /** Field to vote on; default the signature's last output field, else the last field. */
  field?: string;
  /**
   * Vote key of a value; a completion whose key is `null` does not vote (unless none votes).
   * Default: DSPy's `normalize_text` (empty result → no vote); pass `null` to compare raw values.
   */
  normalize?: ((value: string) => string | null) | null;
}

function defaultNormalize(value: string): string | null {
  const n = normalizeAnswer(value);
  return n === '' ? null : n;
}

/**
 * The most common completion by one field (DSPy's `dspy.majority`): values are normalised, the
 * most frequent wins and ties go to the earliest completion. Returns a Prediction holding that
 * one completion, typed like the input's.
 *
 * @example
 * ```ts
 * majority([{ answer: '2' }, { answer: '2' }, { answer: '3' }]).answer; // '2'
 * ```
 */
export function majority<O extends object = AnyFields>(
  input: Prediction<O> | Completions<O> | readonly (O | Record<string, unknown>)[],
  options: MajorityOptions = {},
): Prediction<O> {
  const completions: Completions<O> =
    input instanceof Prediction
      ? (input.completions as Completions<O>)
      : input instanceof Completions
        ? (input as Completions<O>)
        : new Completions<O>(input as readonly (O | Record<string, unknown>)[]);
  const signature = completions.signature;
  const field =
    options.field ??
    (signature !== undefined
      ? signature.outputFields[signature.outputFields.length - 1]?.name
      : undefined) ??
    (completions.at(0)?.keys().at(-1) as string);
  const normalize =
    options.normalize === null
      ? (v: string): string | null => v
      : (options.normalize ?? defaultNormalize);
  const keyOf = (c: Prediction<O>): string | null => normalize(String(c.get(field)));

  const all = [...completions];
  const keys = all.map(keyOf);
  const voting = keys.some((k) => k !== null) ? keys.filter((k) => k !== null) : keys;
  const counts = new Map<string | null, number>();
  for (const k of voting) counts.set(k, (counts.get(k) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = -1;
  // Map iteration follows first appearance, so `>` keeps the earliest value on ties.
  for (const [k, c] of counts) {
    if (c > bestCount) {
      best = k;
      bestCount = c;
    }
  }
  const winner = all[keys.indexOf(best)] ?? all[0];
  return Prediction.fromCompletions(winner ? [winner.toDict()] : [], signature);
}
