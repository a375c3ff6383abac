import type { RepairParser } from './parser.js';
import { isPyAlnum, isPyAlpha, isPySpace, pyRstrip, type JsonValue } from './python-json.js';
import {
  bareKeyIsFollowedByColon,
  braceBeforeCodeFenceBelongsToString,
  classifyObjectValueComma,
  onlyWhitespaceUntil,
  quotedObjectMemberFollows,
  skipInlineContainer,
  updateInlineContainerStack,
} from './string-lookahead.js';

/**
 * json_repair's string reader, ported by behaviour: quoted strings (`"`, `'`, `“…”`), unquoted
 * words, and its heuristics for quotes that do not close the string (a quote inside a value,
 * doubled quotes, a missing closing quote before `,` `}` `]` or the end).
 */

const DELIMITERS = ['"', "'", '“', '”'];
const INLINE_OPENERS = ['[', '{', '('];
/** Marks a `„…”` span (German low quote) inside the string: its `”` does not close the string. */
const LOW_SMART_QUOTE = '\0';

export interface StringState {
  missingQuotes: boolean;
  doubledQuotes: boolean;
  left: string;
  /** The closing delimiter, plus one LOW_SMART_QUOTE per open `„` span. */
  right: string;
  acc: string;
  unmatchedDelimiter: boolean;
  pendingInlineContainer: boolean;
  inlineContainerStack: string[];
  noFutureDelimiter: boolean;
  cache: Map<string, [number, number | null]>;
  unmatchedBraces: number;
  regexClassStart: number | null;
}

const outer = (st: StringState) => st.right[0] as string;
const active = (st: StringState) => st.right[st.right.length - 1] as string;
const inLowSmart = (st: StringState) => active(st) === LOW_SMART_QUOTE;
const lastIs = (st: StringState, ch: string) =>
  st.acc.length > 0 && st.acc[st.acc.length - 1] === ch;

function appendContent(st: StringState, content: string): void {
  const start = st.acc.length;
  st.acc += content;
  for (let k = 0; k < content.length; k++) {
    const ch = content[k];
    if (ch === '{') st.unmatchedBraces++;
    else if (ch === '}' && st.unmatchedBraces) st.unmatchedBraces--;
    else if (ch === '[') st.regexClassStart = start + k + 1;
    else if (ch === ']') st.regexClassStart = null;
  }
}

function rebuildBraces(st: StringState): void {
  const acc = st.acc;
  st.acc = '';
  st.unmatchedBraces = 0;
  st.regexClassStart = null;
  appendContent(st, acc);
}

function appendLiteral(p: RepairParser, st: StringState, ch: string): string | null {
  appendContent(st, ch);
  p.i++;
  return p.at();
}

/** skipToCharacter with json_repair's per-string lookahead cache (which it keeps, quirks included). */
function cachedSkip(
  p: RepairParser,
  st: StringState,
  character: string | string[],
  idx = 0,
): number {
  const targets = typeof character === 'string' ? [character] : character;
  const key = targets.join('\u0001');
  const start = p.i + idx;
  const cached = st.cache.get(key);
  if (cached) {
    const [cachedStart, cachedMatch] = cached;
    if (cachedMatch === null && start >= cachedStart) return p.s.length - p.i;
    if (cachedMatch !== null && cachedStart <= start && start <= cachedMatch)
      return cachedMatch - p.i;
  }
  const offset = p.skipToCharacter(character, idx);
  if (!p.at(offset)) {
    st.cache.set(key, [start, null]);
    return offset;
  }
  const match = p.i + offset;
  if (match === 0 || p.s[match - 1] !== '\\') st.cache.set(key, [start, match]);
  return offset;
}

function trySimpleQuoted(p: RepairParser): string | null {
  if (p.at() !== '"') return null;
  const start = p.i + 1;
  let end = start;
  while (end < p.s.length && p.s[end] !== '"') end++;
  if (end >= p.s.length) return null;
  const value = p.slice(start, end);
  if (value.includes('\\') || value.includes('\n') || value.includes('\r')) return null;
  let next = end + 1;
  while (next < p.s.length && isPySpace(p.s[next])) next++;
  const nextChar = p.s[next] ?? null;
  const c = p.current;
  if (c === 'key') {
    if (nextChar !== ':') return null;
  } else if (c === 'value') {
    if (nextChar !== ',' && nextChar !== '}' && nextChar !== null) return null;
  } else if (c === 'array') {
    if (nextChar !== ',' && nextChar !== ']' && nextChar !== null) return null;
  } else if (nextChar !== null) return null;
  p.i = end + 1;
  return value;
}

function parseBooleanOrNull(p: RepairParser): JsonValue {
  const words: Record<string, [string, boolean | null]> = {
    t: ['true', true],
    f: ['false', false],
    n: ['null', null],
  };
  let ch = (p.at() ?? '').toLowerCase();
  const [word, value] = words[ch] as [string, boolean | null];
  const start = p.i;
  let k = 0;
  while (ch && k < word.length && ch === word[k]) {
    k++;
    p.i++;
    ch = (p.at() ?? '').toLowerCase();
  }
  if (k === word.length) return value;
  p.i = start;
  return '';
}

/** ```` ```json … ``` ```` inside a string position: the JSON in the fence (false when none). */
function parseJsonLlmBlock(p: RepairParser): JsonValue | false {
  if (p.slice(p.i, p.i + 7) === '```json') {
    const k = p.skipToCharacter('`', 7);
    if (p.slice(p.i + k, p.i + k + 3) === '```') {
      p.i += 7;
      return p.parseJson();
    }
  }
  return false;
}

const NO_RESULT = Symbol('no-result');

function prepareEntry(p: RepairParser): [StringState | null, JsonValue | typeof NO_RESULT] {
  let ch = p.at();
  if (ch === '#' || ch === '/') return [null, p.parseComment()];
  while (ch !== null && !DELIMITERS.includes(ch) && !isPyAlnum(ch)) {
    p.i++;
    ch = p.at();
  }
  if (ch === null) return [null, ''];
  const fast = trySimpleQuoted(p);
  if (fast !== null) return [null, fast];
  const st: StringState = {
    missingQuotes: false,
    doubledQuotes: false,
    left: '"',
    right: '"',
    acc: '',
    unmatchedDelimiter: false,
    pendingInlineContainer: false,
    inlineContainerStack: [],
    noFutureDelimiter: false,
    cache: new Map(),
    unmatchedBraces: 0,
    regexClassStart: null,
  };
  if (ch === "'") st.left = st.right = "'";
  else if (ch === '“') {
    st.left = '“';
    st.right = '”';
  } else if (isPyAlnum(ch)) {
    if ('tfn'.includes(ch.toLowerCase()) && p.current !== 'key') {
      const value = parseBooleanOrNull(p);
      if (value !== '') return [st, value];
    }
    st.missingQuotes = true;
  }
  if (!st.missingQuotes) p.i++;
  if (p.at() === '`') {
    const block = parseJsonLlmBlock(p);
    if (block !== false) return [st, block];
  }
  if (p.at() === st.left) {
    const c = p.current;
    const next = p.at(1);
    if (
      (c === 'key' && next === ':') ||
      (c === 'value' && (next === ',' || next === '}')) ||
      (c === 'array' && (next === ',' || next === ']'))
    ) {
      p.i++;
      return [st, ''];
    }
    if (next === st.left) return [st, ''];
    let k = p.skipToCharacter(st.right, 1);
    if (p.at(k + 1) === st.right) {
      st.doubledQuotes = true;
      p.i++;
    } else {
      k = p.scrollWhitespaces(1);
      const nc = p.at(k);
      if (nc !== null && [...DELIMITERS, '{', '['].includes(nc)) {
        p.i++;
        return [st, ''];
      }
      if (nc !== ',' && nc !== ']' && nc !== '}') p.i++;
    }
  }
  return [st, NO_RESULT];
}

/** After a backslash: turns escape sequences into their characters. Returns [handled, next char]. */
function normalizeEscape(p: RepairParser, st: StringState, ch: string): [boolean, string | null] {
  const act = active(st);
  if (inLowSmart(st) && ch === '"') {
    st.acc = st.acc.slice(0, -1) + ch;
    rebuildBraces(st);
    st.right = st.right.slice(0, -1);
    p.i++;
    return [true, p.at()];
  }
  if (ch === '\\') {
    const runStart = p.i - 1;
    let runEnd = p.i + 1;
    while (runEnd < p.s.length && p.s[runEnd] === '\\') runEnd++;
    const runLength = runEnd - runStart;
    if (runLength % 2 === 0 && p.at(runEnd - p.i) !== act) {
      st.acc = st.acc.slice(0, -1) + '\\'.repeat(runLength / 2);
      rebuildBraces(st);
      p.i = runEnd;
      return [true, p.at()];
    }
  }
  if ([act, 't', 'n', 'r', 'b', '\\'].includes(ch)) {
    const escapes: Record<string, string> = { t: '\t', n: '\n', r: '\r', b: '\b' };
    st.acc = st.acc.slice(0, -1) + (escapes[ch] ?? ch);
    rebuildBraces(st);
    p.i++;
    let next = p.at();
    while (next !== null && lastIs(st, '\\') && (next === act || next === '\\')) {
      st.acc = st.acc.slice(0, -1) + next;
      rebuildBraces(st);
      p.i++;
      next = p.at();
    }
    return [true, next];
  }
  if (ch === 'u' || ch === 'x') {
    const n = ch === 'u' ? 4 : 2;
    const hex = p.slice(p.i + 1, p.i + 1 + n);
    if (hex.length === n && /^[0-9a-fA-F]+$/.test(hex)) {
      st.acc = st.acc.slice(0, -1) + String.fromCodePoint(parseInt(hex, 16));
      rebuildBraces(st);
      p.i += 1 + n;
      return [true, p.at()];
    }
  } else if (ch === '„' || (DELIMITERS.includes(ch) && ch !== act)) {
    st.acc = st.acc.slice(0, -1) + ch;
    rebuildBraces(st);
    p.i++;
    return [true, p.at()];
  }
  return [false, ch];
}

/** A quote right after `[` with no space since: part of a regex character class. */
function quoteInRegexClass(p: RepairParser, st: StringState): boolean {
  const start = st.regexClassStart;
  if (start === null || [...st.acc.slice(start)].some((c) => isPySpace(c))) return false;
  return p.at(p.skipToCharacter(']', 1)) === ']';
}

/** Decides what a closing-delimiter candidate is. Returns [handled, next char, stop]. */
function rightDelimiterCandidate(
  p: RepairParser,
  st: StringState,
  ch: string,
): [boolean, string | null, boolean] {
  const out = outer(st);
  if (st.doubledQuotes && p.at(1) === out) {
    p.i++;
    return [true, ch, false];
  }
  if (st.missingQuotes && p.current === 'value') {
    let k = 1;
    let nc = p.at(k);
    while (nc !== null && nc !== out && nc !== st.left) nc = p.at(++k);
    if (nc !== null) {
      k = p.scrollWhitespaces(k + 1);
      if (p.at(k) === ':') {
        p.i--;
        return [false, p.at(), true];
      }
    }
    return [false, ch, false];
  }
  if (st.unmatchedDelimiter) {
    st.unmatchedDelimiter = false;
    return [true, appendLiteral(p, st, ch), false];
  }
  let k = 1;
  let nc = p.at(k);
  let checkComma = true;
  while (nc !== null && nc !== out && nc !== st.left) {
    if (checkComma && isPyAlpha(nc)) checkComma = false;
    if (
      (p.inCtx('key') && (nc === ':' || nc === '}')) ||
      (p.inCtx('value') && nc === '}') ||
      (p.inCtx('array') && (nc === ']' || nc === ',')) ||
      (checkComma && p.current === 'value' && nc === ',')
    ) {
      break;
    }
    nc = p.at(++k);
  }
  if (nc === ',' && p.current === 'value') {
    k = p.skipToCharacter(out, k + 1);
    k = p.scrollWhitespaces(k + 1);
    nc = p.at(k);
    if (nc === '}' || nc === ',') return [true, appendLiteral(p, st, ch), false];
  } else if (nc === out && p.at(k - 1) !== '\\') {
    if (onlyWhitespaceUntil(p, k) && !(p.current === 'value' && quotedObjectMemberFollows(p, k))) {
      return [false, ch, true];
    }
    if (p.current === 'value') {
      if (quotedObjectMemberFollows(p, k)) return [true, appendLiteral(p, st, ch), false];
      k = p.skipToCharacter(out, k + 1) + 1;
      nc = p.at(k);
      while (nc !== null && nc !== ':') {
        if (nc === ',' || nc === ']' || nc === '}' || (nc === out && p.at(k - 1) !== '\\')) break;
        nc = p.at(++k);
      }
      if (nc !== ':') {
        st.unmatchedDelimiter = !st.unmatchedDelimiter;
        return [true, appendLiteral(p, st, ch), false];
      }
    } else if (p.current === 'array') {
      let even = nc === out;
      while (nc === out) {
        k = p.skipToCharacter([out, ']'], k + 1);
        nc = p.at(k);
        if (nc !== out) {
          even = false;
          break;
        }
        k = p.skipToCharacter([out, ']'], k + 1);
        nc = p.at(k);
      }
      if (even) {
        st.unmatchedDelimiter = !st.unmatchedDelimiter;
        return [true, appendLiteral(p, st, ch), false];
      }
      return [false, ch, true];
    } else if (p.current === 'key') {
      return [true, appendLiteral(p, st, ch), false];
    }
  }
  return [false, ch, false];
}

/** Whether a `}` inside an object value ends the value (no closing quote in sight). */
function braceEndsValue(p: RepairParser, st: StringState): 'stop' | 'keep' {
  let missing = true;
  p.skipWhitespaces();
  if (p.at(1) === '\\') missing = false;
  const out = outer(st);
  let k = cachedSkip(p, st, out, 1);
  let nc = p.at(k);
  if (nc !== null) {
    k = p.scrollWhitespaces(k + 1);
    nc = p.at(k);
    if (nc === null || nc === ',' || nc === '}') missing = false;
    else {
      k = p.skipToCharacter(st.left, k);
      nc = p.at(k);
      if (nc === null) missing = false;
      else {
        k = p.scrollWhitespaces(k + 1);
        nc = p.at(k);
        if (nc !== null && nc !== ':') missing = false;
      }
    }
  } else {
    k = p.skipToCharacter(':', 1);
    if (p.at(k) !== null) return 'stop';
    k = p.scrollWhitespaces(1);
    const j = p.skipToCharacter('}', k);
    if (j - k > 1) missing = false;
  }
  return missing ? 'stop' : 'keep';
}

function scanBody(p: RepairParser, st: StringState): string | null {
  const out = outer(st);
  let ch = p.at();
  while (ch !== null && (ch !== out || inLowSmart(st))) {
    if (st.missingQuotes) {
      if (p.current === 'key' && (ch === ':' || isPySpace(ch))) break;
      if (p.current === 'array' && (ch === ']' || ch === ',')) break;
    }
    if (ch === '„' && !lastIs(st, '\\')) {
      st.right += LOW_SMART_QUOTE;
      ch = appendLiteral(p, st, ch);
      continue;
    }
    if (inLowSmart(st) && ch === '”') {
      st.right = st.right.slice(0, -1);
      ch = appendLiteral(p, st, ch);
      continue;
    }
    if (
      (st.pendingInlineContainer ||
        (p.current === 'value' &&
          ch === '{' &&
          p.at(-1) !== '\\' &&
          bareKeyIsFollowedByColon(p, p.scrollWhitespaces(1)))) &&
      INLINE_OPENERS.includes(ch) &&
      !lastIs(st, '\\')
    ) {
      const end = skipInlineContainer(p, 0);
      if (end !== null) {
        st.pendingInlineContainer = false;
        st.inlineContainerStack = [];
        appendContent(st, p.slice(p.i, p.i + end));
        p.i += end;
        ch = p.at();
        continue;
      }
    }
    if (
      p.current === 'value' &&
      ch === ',' &&
      !st.pendingInlineContainer &&
      st.inlineContainerStack.length === 0
    ) {
      const kind = st.noFutureDelimiter
        ? 'string'
        : classifyObjectValueComma(p, (c, idx) => cachedSkip(p, st, c, idx));
      if (kind === 'member') break;
      if (kind === 'string_no_future_delimiter') st.noFutureDelimiter = true;
      st.pendingInlineContainer = kind === 'container';
      ch = appendLiteral(p, st, ch);
      continue;
    }
    const [pending, keep] = updateInlineContainerStack(
      ch,
      st.pendingInlineContainer,
      st.inlineContainerStack,
    );
    st.pendingInlineContainer = pending;
    if (keep) {
      ch = appendLiteral(p, st, ch);
      continue;
    }
    if (p.current === 'value' && ch === '}' && !lastIs(st, out)) {
      if (st.unmatchedBraces) {
        ch = appendLiteral(p, st, ch);
        continue;
      }
      if (braceEndsValue(p, st) === 'stop') break;
    }
    if (ch === ']' && p.inCtx('array') && !lastIs(st, out)) {
      if (p.at(p.skipToCharacter(out)) === null) break;
    }
    if (p.current === 'value' && ch === '}') {
      const k = p.scrollWhitespaces(1);
      const nc = p.at(k);
      if (nc === '`' && p.at(k + 1) === '`' && p.at(k + 2) === '`') {
        if (braceBeforeCodeFenceBelongsToString(p, st, k)) {
          ch = appendLiteral(p, st, ch);
          continue;
        }
        break;
      }
      if (nc === null) break;
    }
    appendContent(st, ch);
    p.i++;
    ch = p.at();
    if (ch === null) break;
    if (lastIs(st, '\\')) {
      const [handled, next] = normalizeEscape(p, st, ch);
      ch = next;
      if (handled) continue;
      if (ch === null) break;
    }
    if (ch === ':' && !st.missingQuotes && p.current === 'key') {
      let k = p.skipToCharacter(st.left, 1);
      if (p.at(k) !== null) {
        k = p.skipToCharacter(out, k + 1);
        if (p.at(k) !== null) {
          const after = p.at(p.scrollWhitespaces(k + 1));
          if (after === ',' || after === '}') break;
        }
      } else break;
    }
    if (inLowSmart(st) && ch === '"') {
      st.right = st.right.slice(0, -1);
      ch = appendLiteral(p, st, ch);
      continue;
    }
    if (ch === out && p.current === 'value' && quoteInRegexClass(p, st)) {
      ch = appendLiteral(p, st, ch);
      continue;
    }
    if (ch === out && st.acc.length > 0 && !lastIs(st, '\\')) {
      const [handled, next, stop] = rightDelimiterCandidate(p, st, ch);
      ch = next;
      if (stop) break;
      if (handled) continue;
    }
  }
  return ch;
}

function finish(p: RepairParser, st: StringState, ch: string | null): string {
  if (ch !== null && st.missingQuotes && p.current === 'key' && isPySpace(ch)) {
    p.skipWhitespaces();
    const c = p.at();
    if (c !== ':' && c !== ',') return '';
  }
  if (ch !== outer(st)) st.acc = pyRstrip(st.acc);
  else p.i++;
  if (st.missingQuotes || lastIs(st, '\n')) st.acc = pyRstrip(st.acc);
  return st.acc;
}

/** Reads a string (or a literal / fenced JSON standing where a string should be). */
export function parseString(p: RepairParser): JsonValue {
  const [st, direct] = prepareEntry(p);
  if (direct !== NO_RESULT) return direct;
  const state = st as StringState;
  return finish(p, state, scanBody(p, state));
}
