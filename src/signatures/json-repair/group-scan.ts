import type { RepairParser } from './parser.js';
import { isPyDigit, isPySpace } from './python-json.js';

/**
 * Quote-aware scans of the raw text that json_repair's parser runs before committing to a repair:
 * is a `(` a tuple or a grouped value, does an "object" that parsed empty hold a `:`, what is left
 * once comments are removed.
 */

/** Quote characters json_repair accepts around strings. */
export const STRING_DELIMITERS: readonly string[] = ['"', "'", '“', '”'];

/** The text without `#`, `//` and `/* *\/` comments outside quotes. */
export function stripComments(body: string): string {
  const chars = [...body];
  let out = '';
  let quote: string | null = null;
  let backslashes = 0;
  let k = 0;
  while (k < chars.length) {
    const ch = chars[k] as string;
    const next = chars[k + 1] ?? '';
    if (ch === '\\') {
      backslashes++;
      out += ch;
      k++;
      continue;
    }
    if (quote !== null) {
      out += ch;
      if (ch === quote && backslashes % 2 === 0) quote = null;
      backslashes = 0;
      k++;
      continue;
    }
    if (STRING_DELIMITERS.includes(ch) && backslashes % 2 === 0) {
      quote = ch;
      out += ch;
      backslashes = 0;
      k++;
      continue;
    }
    backslashes = 0;
    if (ch === '#' || (ch === '/' && next === '/')) {
      k += ch === '/' ? 2 : 1;
      while (k < chars.length && chars[k] !== '\n' && chars[k] !== '\r') k++;
      continue;
    }
    if (ch === '/' && next === '*') {
      k += 2;
      while (k < chars.length - 1 && !(chars[k] === '*' && chars[k + 1] === '/')) k++;
      k = Math.min(k + 2, chars.length);
      continue;
    }
    out += ch;
    k++;
  }
  return out;
}

export function hasUnquotedColon(body: string): boolean {
  let quote: string | null = null;
  let backslashes = 0;
  for (const ch of body) {
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (quote !== null) {
      if (ch === quote && backslashes % 2 === 0) quote = null;
    } else if (STRING_DELIMITERS.includes(ch) && backslashes % 2 === 0) quote = ch;
    else if (ch === ':' && backslashes % 2 === 0) return true;
    backslashes = 0;
  }
  return false;
}

/** Open parentheses, brackets and braces (outside quotes) while scanning a group. */
interface Depth {
  parens: number;
  brackets: number;
  braces: number;
}

/**
 * Walks the text after the cursor's `(`, skipping quoted parts; `visit` sees every other character
 * (a quote opening as `"`) and may stop the walk with a result.
 */
function scanGroup(
  p: RepairParser,
  visit: (ch: string, depth: Depth, at: number) => boolean | undefined,
): boolean | undefined {
  const depth = { parens: 0, brackets: 0, braces: 0 };
  let quote: string | null = null;
  let backslashes = 0;
  for (let k = p.i + 1; k < p.s.length; k++) {
    const ch = p.s[k] as string;
    if (ch === '\\') {
      backslashes++;
      continue;
    }
    if (quote !== null) {
      if (ch === quote && backslashes % 2 === 0) quote = null;
      backslashes = 0;
      continue;
    }
    if (STRING_DELIMITERS.includes(ch) && backslashes % 2 === 0) {
      quote = ch;
      backslashes = 0;
      const r = visit('"', depth, k);
      if (r !== undefined) return r;
      continue;
    }
    backslashes = 0;
    const r = visit(ch, depth, k);
    if (r !== undefined) return r;
  }
  return undefined;
}

function atTopLevel(d: Depth): boolean {
  return d.parens === 0 && d.brackets === 0 && d.braces === 0;
}

function trackDepth(ch: string, d: Depth): void {
  if (ch === '(') d.parens++;
  else if (ch === ')' && d.parens > 0) d.parens--;
  else if (ch === '[') d.brackets++;
  else if (ch === ']' && d.brackets > 0) d.brackets--;
  else if (ch === '{') d.braces++;
  else if (ch === '}' && d.braces > 0) d.braces--;
}

/** `()` and `(a,)`-like groups are tuples; `(1)` is a grouped value. */
export function parenthesizedIsExplicitTuple(p: RepairParser): boolean {
  let sawContent = false;
  const result = scanGroup(p, (ch, d) => {
    if (ch === '"') {
      sawContent ||= atTopLevel(d);
      return undefined;
    }
    if (!isPySpace(ch) && ch !== ',' && ch !== ')' && atTopLevel(d)) sawContent = true;
    if (ch === ')' && atTopLevel(d)) return !sawContent;
    if (ch === ',' && atTopLevel(d)) return true;
    trackDepth(ch, d);
    return undefined;
  });
  return result ?? !sawContent;
}

/** A top-level `(` starts a value only alone on its line, like `(1, 2)` (not "note (x): …"). */
export function topLevelParenthesizedCanStartValue(p: RepairParser): boolean {
  for (let k = p.i - 1; k >= 0; k--) {
    const ch = p.s[k] as string;
    if (ch === '\n' || ch === '\r') break;
    if (!isPySpace(ch)) return false;
  }
  const idx = p.scrollWhitespaces(1);
  const first = p.at(idx);
  if (first === null) return false;
  const four = p.slice(p.i + idx, p.i + idx + 4);
  if (
    ![')', '{', '[', '(', ...STRING_DELIMITERS].includes(first) &&
    !isPyDigit(first) &&
    first !== '-' &&
    first !== '.' &&
    four !== 'true' &&
    four !== 'null' &&
    p.slice(p.i + idx, p.i + idx + 5) !== 'false'
  ) {
    return false;
  }
  let closeAt = -1;
  scanGroup(p, (ch, d, at) => {
    if (ch === ')' && atTopLevel(d)) {
      closeAt = at;
      return true;
    }
    if (ch === '(') d.parens++;
    else if (ch === ')') d.parens--;
    else trackDepth(ch, d);
    return undefined;
  });
  if (closeAt < 0) return true;
  for (let k = closeAt + 1; k < p.s.length; k++) {
    const ch = p.s[k] as string;
    if (ch === '\n' || ch === '\r') return true;
    if (!isPySpace(ch)) return false;
  }
  return true;
}
