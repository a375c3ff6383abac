/**
 * SQuAD-style answer normalisation and token scores, as DSPy's `dspy/evaluate/metrics.py`
 * (`normalize_text`, `em_score`, `f1_score`, `precision_score`, `hotpot_f1_score`, `EM`, `F1`,
 * `HotPotF1`). Character classes follow Python's `str` semantics, not JavaScript's, so scores match
 * DSPy on non-ASCII text too.
 */

// Python's `string.punctuation` (ASCII only): DSPy leaves Unicode punctuation in place.
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

// Python's `\b` in a str pattern is Unicode-aware (`\w` = alphanumerics and `_`); combining marks
// are not word characters, so after NFD "thé" still loses its article-like prefix, as in DSPy.
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

// `str.split()` with no argument splits on exactly these characters (str.isspace), not on JS `\s`
// (which includes U+FEFF and excludes U+001C–U+001F and U+0085).
const PY_WHITESPACE =
  // eslint-disable-next-line no-control-regex -- U+001C–U+001F are whitespace to Python
  /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** Python's `" ".join(s.split())`: whitespace runs collapsed, ends trimmed. */
export function pySplit(s: string): string[] {
  return s.split(PY_WHITESPACE).filter((t) => t.length > 0);
}

/**
 * Normalises text for answer comparison: Unicode NFD, lower case, ASCII punctuation removed,
 * English articles removed, whitespace collapsed (DSPy `normalize_text`).
 *
 * @example
 * ```ts
 * normalizeText('The,  Eiffel  Tower!'); // 'eiffel tower'
 * ```
 */
export function normalizeText(s: string): string {
  const lowered = s.normalize('NFD').toLowerCase();
  let noPunct = '';
  for (const ch of lowered) if (!PUNCTUATION.has(ch)) noPunct += ch;
  return pySplit(noPunct.replace(ARTICLES, ' ')).join(' ');
}

/** Exact match after {@link normalizeText} (DSPy `em_score`). */
export function emScore(prediction: string, groundTruth: string): boolean {
  return normalizeText(prediction) === normalizeText(groundTruth);
}

function overlap(predTokens: readonly string[], truthTokens: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const t of truthTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of predTokens) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  return same;
}

function tokenF1(predTokens: readonly string[], truthTokens: readonly string[]): number {
  const same = overlap(predTokens, truthTokens);
  if (same === 0) return 0;
  const precision = same / predTokens.length;
  const recall = same / truthTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * Token-level F1 after normalisation (DSPy `f1_score`). Two empty answers score 0, as in DSPy.
 *
 * @example
 * ```ts
 * f1Score('the Eiffel Tower', 'Eiffel Tower'); // 1
 * ```
 */
export function f1Score(prediction: string, groundTruth: string): number {
  return tokenF1(pySplit(normalizeText(prediction)), pySplit(normalizeText(groundTruth)));
}

/** Token precision after normalisation (DSPy `precision_score`). */
export function precisionScore(prediction: string, groundTruth: string): number {
  const predTokens = pySplit(normalizeText(prediction));
  const same = overlap(predTokens, pySplit(normalizeText(groundTruth)));
  return same === 0 ? 0 : same / predTokens.length;
}

const HOTPOT_SPECIAL = new Set(['yes', 'no', 'noanswer']);

/** HotPotQA F1: a yes/no/noanswer on either side must match exactly (DSPy `hotpot_f1_score`). */
export function hotpotF1Score(prediction: string, groundTruth: string): number {
  const p = normalizeText(prediction);
  const g = normalizeText(groundTruth);
  if ((HOTPOT_SPECIAL.has(p) || HOTPOT_SPECIAL.has(g)) && p !== g) return 0;
  return tokenF1(pySplit(p), pySplit(g));
}

function bestOf<T extends number | boolean>(
  answers: readonly string[],
  score: (a: string) => T,
): T {
  if (answers.length === 0) {
    throw new TypeError('answers must be a non-empty list of strings');
  }
  let best = score(answers[0]!);
  for (const a of answers.slice(1)) {
    const s = score(a);
    if (s > best) best = s;
  }
  return best;
}

/** True when any reference matches exactly after normalisation (DSPy `EM`). */
export function EM(prediction: string, answers: readonly string[]): boolean {
  return bestOf(answers, (a) => emScore(prediction, a));
}

/** Best token F1 over the references (DSPy `F1`). */
export function F1(prediction: string, answers: readonly string[]): number {
  return bestOf(answers, (a) => f1Score(prediction, a));
}

/** Best HotPotQA F1 over the references (DSPy `HotPotF1`). */
export function HotPotF1(prediction: string, answers: readonly string[]): number {
  return bestOf(answers, (a) => hotpotF1Score(prediction, a));
}
