import type { RepairParser } from './parser.js';
import { isPyAlnum, isPyDigit, isPySpace } from './python-json.js';
import type { StringState } from './string-parser.js';

/**
 * The look-ahead questions json_repair's string reader asks before deciding that a quote, comma or
 * brace ends a string: does an object member start there, does a bracketed container close, …
 * All offsets are relative to the parser's cursor, as in json_repair.
 */

const DELIMITERS = ['"', "'", '“', '”'];
const CLOSING: Record<string, string> = { '[': ']', '{': '}', '(': ')' };

const matching = (d: string) => (d === '“' ? '”' : d);

/** `word:` at offset `idx` (a bare key followed by a colon). */
export function bareKeyIsFollowedByColon(p: RepairParser, idx: number): boolean {
  let k = idx;
  let ch = p.at(k);
  if (ch === null || !(isPyAlnum(ch) || ch === '_')) return false;
  while (ch !== null && (isPyAlnum(ch) || ch === '_' || ch === '-')) ch = p.at(++k);
  return p.at(p.scrollWhitespaces(k)) === ':';
}

/** Skips `#`, `//` and `/* *\/` comments (and spaces) from offset `idx`. */
function scrollCommentPrefixedMemberStart(p: RepairParser, idx: number): number {
  let k = p.scrollWhitespaces(idx);
  for (;;) {
    let ch = p.at(k);
    if (ch === '#') {
      while (ch !== null && ch !== '\n' && ch !== '\r') ch = p.at(++k);
      k = p.scrollWhitespaces(k);
      continue;
    }
    if (ch === '/') {
      const next = p.at(k + 1);
      if (next === '/') {
        k += 2;
        ch = p.at(k);
        while (ch !== null && ch !== '\n' && ch !== '\r') ch = p.at(++k);
        k = p.scrollWhitespaces(k);
        continue;
      }
      if (next === '*') {
        k += 2;
        for (;;) {
          ch = p.at(k);
          if (ch === null) return k;
          if (ch === '*' && p.at(k + 1) === '/') {
            k += 2;
            break;
          }
          k++;
        }
        k = p.scrollWhitespaces(k);
        continue;
      }
    }
    return k;
  }
}

/** An object member (`"key":` or `key:`) starts at offset `idx`. */
function objectMemberStartsAt(p: RepairParser, idx: number): boolean {
  const ch = p.at(idx);
  if (ch === null || ch === '}') return false;
  if (DELIMITERS.includes(ch)) {
    const end = matching(ch);
    const k = p.skipToCharacter(end, idx + 1);
    if (p.at(k) !== end) return false;
    return p.at(p.scrollWhitespaces(k + 1)) === ':';
  }
  if (isPyAlnum(ch) || ch === '_') return bareKeyIsFollowedByColon(p, idx);
  return false;
}

/** After the quote at offset `quoteIdx`: a comma, then the next object member. */
export function quotedObjectMemberFollows(p: RepairParser, quoteIdx: number): boolean {
  const comma = p.scrollWhitespaces(quoteIdx + 1);
  if (p.at(comma) !== ',') return false;
  return objectMemberStartsAt(p, scrollCommentPrefixedMemberStart(p, comma + 1));
}

/** Only whitespace between the cursor and offset `end`. */
export function onlyWhitespaceUntil(p: RepairParser, end: number): boolean {
  for (let k = 1; k < end; k++) {
    const c = p.at(k);
    if (c !== null && !isPySpace(c)) return false;
  }
  return true;
}

function startsNestedInlineContainer(p: RepairParser, idx: number): boolean {
  const opening = p.at(idx);
  for (let prev = idx - 1; prev >= 0; prev--) {
    const prevChar = p.at(prev);
    if (prevChar === null) return true;
    if (isPySpace(prevChar)) continue;
    if (prevChar in CLOSING) return true;
    if (prevChar !== ',' && prevChar !== ':') return false;
    const nextIdx = p.scrollWhitespaces(idx + 1);
    const next = p.at(nextIdx);
    if (opening === '[' || opening === '(') {
      return (
        (next !== null &&
          [']', ')', ...DELIMITERS, '-', '[', '{', '(', 't', 'f', 'n'].includes(next)) ||
        isPyDigit(next)
      );
    }
    if (opening !== '{') return false;
    if (next === '}' || (next !== null && DELIMITERS.includes(next))) return true;
    return prevChar === ':' && bareKeyIsFollowedByColon(p, nextIdx);
  }
  return true;
}

/** The offset just after the container opening at offset `idx`, or null when it never closes. */
export function skipInlineContainer(p: RepairParser, idx: number): number | null {
  const opening = p.at(idx);
  if (opening === null || !(opening in CLOSING)) return idx;
  const stack = [CLOSING[opening] as string];
  let k = idx + 1;
  while (stack.length > 0) {
    const ch = p.at(k);
    if (ch === null) return null;
    if (DELIMITERS.includes(ch)) {
      const end = matching(ch);
      k = p.skipToCharacter(end, k + 1);
      if (p.at(k) !== end) return null;
    } else if (ch in CLOSING && startsNestedInlineContainer(p, k)) {
      stack.push(CLOSING[ch] as string);
    } else if (ch === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return k + 1;
    }
    k++;
  }
  return null;
}

function postFenceContainerStartsNextMember(p: RepairParser, containerEnd: number): boolean {
  const afterIdx = p.scrollWhitespaces(containerEnd);
  const after = p.at(afterIdx);
  if (after === '}' || after === null) return true;
  if (after !== ',') return false;
  const next = scrollCommentPrefixedMemberStart(p, afterIdx + 1);
  const c = p.at(next);
  return c === '}' || c === null || objectMemberStartsAt(p, next);
}

/** A `}` before a code fence inside an object value: part of the string, or the object's end? */
export function braceBeforeCodeFenceBelongsToString(
  p: RepairParser,
  st: StringState,
  fenceIdx: number,
): boolean {
  let search = fenceIdx + 3;
  const nextContent = scrollCommentPrefixedMemberStart(p, search);
  let keepContainer = false;
  const c = p.at(nextContent);
  if (c !== null && c in CLOSING) {
    const end = skipInlineContainer(p, nextContent);
    if (end !== null) {
      if (postFenceContainerStartsNextMember(p, end)) return false;
      keepContainer = true;
      search = end;
    }
  }
  const out = st.right[0] as string;
  let quote = p.skipToCharacter(out, search);
  while (p.at(quote) === out) {
    const after = p.at(p.scrollWhitespaces(quote + 1));
    if (after === ',' || after === '}' || after === ']' || after === null) {
      if (keepContainer) st.pendingInlineContainer = true;
      return true;
    }
    quote = p.skipToCharacter(out, quote + 1);
  }
  return false;
}

function bareMemberHasRecoverableValue(
  p: RepairParser,
  valueIdx: number,
  skip: (c: string | string[], idx: number) => number,
): boolean {
  const start = p.scrollWhitespaces(valueIdx);
  const first = p.at(start);
  if (first !== null && [...DELIMITERS, '{', '[', '-'].includes(first)) return true;
  if (isPyDigit(first)) return true;
  for (const word of ['true', 'false', 'null']) {
    if ([...word].every((c, k) => p.at(start + k) === c)) {
      const end = p.at(start + word.length);
      if (end === null || isPySpace(end) || end === ',' || end === '}' || end === ']') return true;
    }
  }
  return p.at(skip([...DELIMITERS, '}'], start)) === '}';
}

/** What a comma inside an unquoted object value is: the next member, a container, or text. */
export function classifyObjectValueComma(
  p: RepairParser,
  skip: (c: string | string[], idx: number) => number,
): 'container' | 'member' | 'string' | 'string_no_future_delimiter' {
  const nextIdx = p.scrollWhitespaces(1);
  const next = p.at(nextIdx);
  if (next === '}' || next === null) return 'member';
  if (DELIMITERS.includes(next)) {
    const keyEnd = p.skipToCharacter(next, nextIdx + 1);
    if (p.at(keyEnd) === null) return 'string';
    return p.at(p.scrollWhitespaces(keyEnd + 1)) === ':' ? 'member' : 'string';
  }
  if (next === '`' || isPyAlnum(next) || next === '_') {
    let k = next === '`' ? nextIdx + 1 : nextIdx;
    let c = p.at(k);
    while (c !== null && (isPyAlnum(c) || c === '_' || c === '-')) c = p.at(++k);
    k = p.scrollWhitespaces(k);
    if (next === '`') return p.at(k) === ':' ? 'member' : 'string';
    if (p.at(k) === ':' && bareMemberHasRecoverableValue(p, k + 1, skip)) return 'member';
  }
  if (next === '{' || next === '[') return 'container';
  const specialIdx = skip([...DELIMITERS, '{', '['], nextIdx);
  const special = p.at(specialIdx);
  if (special === null) return 'string_no_future_delimiter';
  if (special === '{' || special === '[') return 'string';
  const keyEnd = skip(special, specialIdx + 1);
  if (p.at(keyEnd) === null) return 'string';
  return p.at(p.scrollWhitespaces(keyEnd + 1)) === ':' ? 'member' : 'string';
}

/** Tracks `{`/`[` opened inside an unquoted value; a matching close stays in the string. */
export function updateInlineContainerStack(
  ch: string,
  pending: boolean,
  stack: string[],
): [boolean, boolean] {
  if (ch === '{' || ch === '[') {
    if (pending) {
      stack.push(ch);
      return [false, false];
    }
    if (stack.length > 0) stack.push(ch);
  }
  const top = stack[stack.length - 1];
  if ((ch === '}' && top === '{') || (ch === ']' && top === '[')) {
    stack.pop();
    return [pending, true];
  }
  return [pending, false];
}
