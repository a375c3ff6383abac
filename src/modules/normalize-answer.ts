// Python's `string.punctuation`: DSPy's normalisation leaves Unicode punctuation in place.
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
// Python's Unicode-aware `\b(a|an|the)\b`.
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/**
 * DSPy's `normalize_text` (NFD, lower case, ASCII punctuation and English articles removed,
 * whitespace collapsed), the default vote key of `majority`. The evaluate layer has the public
 * version; this copy exists because modules sit below evaluate.
 * @internal
 */
export function normalizeAnswer(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFD').toLowerCase()) if (!PUNCTUATION.has(ch)) out += ch;
  return out.replace(ARTICLES, ' ').split(/\s+/u).filter(Boolean).join(' ');
}
