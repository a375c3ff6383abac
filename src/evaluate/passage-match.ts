import { normalizeText } from './text-normalization.js';

// DPR's SimpleTokenizer: runs of letters/digits/marks, or any single non-separator, non-control
// character (DSPy `dspy/dsp/utils/dpr.py`).
const DPR_TOKEN = /[\p{L}\p{N}\p{M}]+|[^\p{Z}\p{C}]/gu;

/** DPR tokenisation, lower-cased (DSPy `DPR_normalize`). */
export function dprNormalize(text: string): string[] {
  return (text.normalize('NFD').match(DPR_TOKEN) ?? []).map((t) => t.toLowerCase());
}

function containsSequence(haystack: readonly string[], needle: readonly string[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * True when any passage contains any answer as a contiguous token sequence, after
 * {@link normalizeText} and DPR tokenisation (DSPy `_passage_match`).
 */
export function passageMatch(passages: readonly string[], answers: readonly string[]): boolean {
  const tokenizedAnswers = answers.map((a) => dprNormalize(normalizeText(a)));
  return passages.some((p) => {
    const text = dprNormalize(normalizeText(p));
    return tokenizedAnswers.some((a) => containsSequence(text, a));
  });
}
