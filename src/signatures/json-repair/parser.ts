import {
  isPyAlpha,
  isPyDigit,
  isPySpace,
  pyJsonRawDecode,
  pyLstrip,
  setKey,
  type JsonValue,
} from './python-json.js';
import {
  hasUnquotedColon,
  parenthesizedIsExplicitTuple,
  STRING_DELIMITERS,
  stripComments,
  topLevelParenthesizedCanStartValue,
} from './group-scan.js';
import { parseString } from './string-parser.js';

/**
 * The repairing parser of json_repair (mangiucugna/json_repair 0.61), ported by behaviour: the
 * same scan over the text, the same contexts and the same repair decisions, so that dspex reads an
 * LM's broken JSON into the value DSPy gets. The string scanner is in string-parser.ts.
 */

/** Where the parser is: reading an object key, an object value, or an array item. */
export type Ctx = 'key' | 'value' | 'array';

const NUMBER_CHARS = new Set([...'0123456789-.eE/,_']);

/** Python's truthiness of a parsed value. */
function truthy(v: JsonValue): boolean {
  if (v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function isRecord(v: unknown): v is Record<string, JsonValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An empty str, list or dict (json_repair's `is_strictly_empty`). */
function strictlyEmpty(v: JsonValue): boolean {
  if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
  return isRecord(v) && Object.keys(v).length === 0;
}

function kindOf(v: JsonValue): string {
  if (Array.isArray(v)) return 'list';
  if (v === null) return 'none';
  return typeof v;
}

/** Same type and the same keys/shape, recursively (json_repair's `is_same_object`). */
function sameShape(a: JsonValue, b: JsonValue): boolean {
  if (kindOf(a) !== kindOf(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, k) => sameShape(x, b[k] as JsonValue));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => k in b && sameShape(a[k] as JsonValue, b[k] as JsonValue));
  }
  return true;
}

export class RepairParser {
  /** The text as code points (Python indexes strings by code point). */
  s: string[];
  i = 0;
  readonly ctx: Ctx[] = [];
  deferred: Ctx[] = [];
  private triedValidSuffix = false;

  constructor(text: readonly string[]) {
    this.s = [...text];
  }

  get current(): Ctx | undefined {
    return this.ctx[this.ctx.length - 1];
  }

  get empty(): boolean {
    return this.ctx.length === 0;
  }

  inCtx(c: Ctx): boolean {
    return this.ctx.includes(c);
  }

  /** Runs `fn` with `c` pushed on the context stack. */
  within<T>(c: Ctx, fn: () => T): T {
    this.ctx.push(c);
    try {
      return fn();
    } finally {
      this.ctx.pop();
    }
  }

  /** The character at an absolute position, with Python's negative-index wrap-around. */
  raw(pos: number): string | null {
    const p = pos < 0 ? pos + this.s.length : pos;
    return this.s[p] ?? null;
  }

  /** `get_char_at(count)`: the character `count` places after the cursor, or null. */
  at(count = 0): string | null {
    return this.raw(this.i + count);
  }

  slice(from: number, to: number): string {
    return this.s.slice(from, to).join('');
  }

  skipWhitespaces(): void {
    while (isPySpace(this.at())) this.i++;
  }

  /** Offset from the cursor of the first non-space character at or after offset `idx`. */
  scrollWhitespaces(idx = 0): number {
    let k = idx;
    while (isPySpace(this.at(k))) k++;
    return k;
  }

  /** Offset of the next unescaped target character at or after offset `idx` (or the end). */
  skipToCharacter(character: string | readonly string[], idx = 0): number {
    const targets = typeof character === 'string' ? [character] : character;
    const n = this.s.length;
    let p = this.i + idx;
    let backslashes = 0;
    while (p < n) {
      const ch = this.raw(p) as string;
      if (ch === '\\') {
        backslashes++;
        p++;
        continue;
      }
      if (targets.includes(ch) && backslashes % 2 === 0) return p - this.i;
      backslashes = 0;
      p++;
    }
    return n - this.i;
  }

  /** The whole input: one value, or several top-level values as a list. */
  parse(): JsonValue {
    let json = this.parseJson();
    if (this.i < this.s.length) {
      const values: JsonValue[] = [json];
      while (this.i < this.s.length) {
        this.ctx.length = 0;
        this.deferred = [];
        const commaSeparated = this.nextTopLevelIsCommaSeparated();
        const next = this.parseJson();
        if (truthy(next)) {
          const last = values[values.length - 1] as JsonValue;
          // A repeated object of the same shape is an update: the newer one wins.
          if (!commaSeparated && sameShape(last, next)) values.pop();
          else if (!truthy(last)) values.pop();
          values.push(next);
        } else this.i++;
      }
      json = values.length === 1 ? (values[0] as JsonValue) : values;
    }
    return json;
  }

  private nextTopLevelIsCommaSeparated(): boolean {
    if (this.at(this.scrollWhitespaces()) === ',') return true;
    let p = this.i - 1;
    while (p >= 0 && isPySpace(this.s[p])) p--;
    return p >= 0 && this.s[p] === ',';
  }

  /** A valid JSON value starting at the cursor, read in one go (`raw_decode`), tried once. */
  private tryValidSuffix(): { value: JsonValue } | undefined {
    if (this.triedValidSuffix || !this.empty || this.i === 0) return undefined;
    this.triedValidSuffix = true;
    const decoded = pyJsonRawDecode(this.s, this.i);
    if (!decoded) return undefined;
    this.i = decoded.end;
    return { value: decoded.value };
  }

  parseJson(): JsonValue {
    if (this.deferred.length > 0) {
      const deferred = this.deferred;
      this.deferred = [];
      this.ctx.push(...deferred);
      try {
        return this.parseJson();
      } finally {
        this.ctx.length -= deferred.length;
      }
    }
    for (;;) {
      const ch = this.at();
      if (ch === null) return '';
      if (ch === '{' || ch === '[') {
        const valid = this.tryValidSuffix();
        if (valid) return valid.value;
      }
      if (ch === '{') {
        this.i++;
        return this.parseObject();
      }
      if (ch === '[') {
        this.i++;
        return this.parseArray();
      }
      if (ch === '(') {
        if (!this.empty || topLevelParenthesizedCanStartValue(this))
          return this.parseParenthesized();
        this.i++;
        continue;
      }
      if (!this.empty && (STRING_DELIMITERS.includes(ch) || isPyAlpha(ch)))
        return parseString(this);
      if (!this.empty && (isPyDigit(ch) || ch === '-' || ch === '.')) return this.parseNumber();
      if (ch === '#' || ch === '/') return this.parseComment();
      this.i++;
    }
  }

  /** Skips `#`, `//` and `/* *\/` comments; at top level, goes on to the next value. */
  parseComment(): JsonValue {
    for (;;) {
      let ch = this.at();
      const terminators = ['\n', '\r'];
      if (this.inCtx('array')) terminators.push(']');
      if (this.inCtx('value')) terminators.push('}');
      if (this.inCtx('key')) terminators.push(':');
      if (ch === '#') {
        while (ch !== null && !terminators.includes(ch)) {
          this.i++;
          ch = this.at();
        }
      } else if (ch === '/') {
        const next = this.at(1);
        if (next === '/') {
          this.i += 2;
          ch = this.at();
          while (ch !== null && ch !== '\n' && ch !== '\r') {
            this.i++;
            ch = this.at();
          }
        } else if (next === '*') {
          this.i += 2;
          let comment = '/*';
          for (;;) {
            const c = this.at();
            if (c === null) break;
            comment += c;
            this.i++;
            if (comment.endsWith('*/')) break;
          }
        } else this.i++;
      }
      if (this.empty) {
        this.skipWhitespaces();
        const c = this.at();
        if (c === '#' || c === '/') continue;
        return this.parseJson();
      }
      return '';
    }
  }

  parseNumber(): JsonValue {
    let text = '';
    let ch = this.at();
    const inArray = this.current === 'array';
    while (ch !== null && NUMBER_CHARS.has(ch) && (!inArray || ch !== ',')) {
      if (ch !== '_') text += ch;
      this.i++;
      ch = this.at();
    }
    if (isPyAlpha(this.at())) {
      // It was a word after all (json_repair steps back by the kept characters only).
      this.i -= text.length;
      return parseString(this);
    }
    if (text !== '' && '-eE/,'.includes(text[text.length - 1] as string)) {
      text = text.slice(0, -1);
      this.i--;
    }
    if (text.includes(',')) return text;
    if (/[.eE]/.test(text)) {
      return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : text;
    }
    return /^[-+]?\d+$/.test(text) ? Number(text) + 0 : text;
  }

  parseArray(closing = ']'): JsonValue[] {
    return this.within('array', () => {
      const arr: JsonValue[] = [];
      this.skipWhitespaces();
      let ch = this.at();
      while (ch !== null && ch !== closing && ch !== '}') {
        let value: JsonValue;
        if (STRING_DELIMITERS.includes(ch)) {
          // A quoted string followed by ':' is an object whose '{' went missing.
          let k = this.skipToCharacter(ch, 1);
          k = this.scrollWhitespaces(k + 1);
          value = this.at(k) === ':' ? this.parseObject() : parseString(this);
        } else value = this.parseJson();
        const next = this.at();
        if (strictlyEmpty(value) && next !== closing && next !== ',') this.i++;
        else if (!(value === '...' && this.at(-1) === '.')) arr.push(value);
        ch = this.at();
        while (ch !== null && ch !== closing && (isPySpace(ch) || ch === ',')) {
          this.i++;
          ch = this.at();
        }
      }
      this.i++;
      return arr;
    });
  }

  private parseParenthesized(): JsonValue {
    const explicitTuple = parenthesizedIsExplicitTuple(this);
    this.i++;
    const values = this.parseArray(')');
    return explicitTuple || values.length !== 1 ? values : (values[0] as JsonValue);
  }

  parseObject(): JsonValue {
    const obj: Record<string, JsonValue> = {};
    const start = this.i;
    const parsingObjectValue = this.current === 'value';
    while ((this.at() ?? '}') !== '}') {
      this.skipWhitespaces();
      if (this.at() === ':') this.i++;
      const [key, rollback] = this.parseObjectKey(obj);
      if (this.inCtx('array') && Object.prototype.hasOwnProperty.call(obj, key)) {
        if (!parsingObjectValue && this.shouldSplitDuplicateObject(rollback)) {
          // A repeated key inside an array starts the next object: insert its '{'.
          this.i = rollback - 1;
          this.s.splice(this.i + 1, 0, '{');
          break;
        }
      }
      this.skipWhitespaces();
      if ((this.at() ?? '}') === '}') continue;
      this.skipWhitespaces();
      this.i++; // the ':' (or whatever stands where it should be)
      const value = this.within('value', () => {
        this.skipWhitespaces();
        const c = this.at();
        return c === ',' || c === '}' ? '' : this.parseJson();
      });
      setKey(obj, key, value);
      const c = this.at();
      if (c === ',' || c === "'" || c === '"') this.i++;
      if (this.at() === ']' && this.inCtx('array')) {
        this.i--;
        break;
      }
      this.skipWhitespaces();
    }
    this.i++;
    const repaired = this.repairEmptyObject(obj, start);
    if (repaired) return repaired.value;
    if (!this.empty) {
      const current = this.current;
      if (this.at() === '}' && current !== 'key' && current !== 'value') this.i++;
      return obj;
    }
    this.skipWhitespaces();
    if (this.at() === ',') {
      this.i++;
      this.skipWhitespaces();
      if (STRING_DELIMITERS.includes(this.at() ?? '')) {
        const more = this.parseObject();
        if (isRecord(more)) for (const [k, v] of Object.entries(more)) setKey(obj, k, v);
      }
    }
    return obj;
  }

  private parseObjectKey(obj: Record<string, JsonValue>): [string, number] {
    let key = '';
    let rollback = this.i;
    this.within('key', () => {
      while (this.at() !== null) {
        rollback = this.i;
        if (this.at() === '[' && key === '' && this.mergeArrayContinuation(obj)) continue;
        key = String(parseString(this));
        if (key === '') this.skipWhitespaces();
        const c = this.at();
        if (key !== '' || c === ':' || c === '}') break;
      }
    });
    return [key, rollback];
  }

  /** `"k": [1, 2] [3, 4]`: a second array after a key's list value continues that list. */
  private mergeArrayContinuation(obj: Record<string, JsonValue>): boolean {
    const keys = Object.keys(obj);
    const prevKey = keys[keys.length - 1];
    if (!prevKey || !Array.isArray(obj[prevKey])) return false;
    this.i++;
    const newArray = this.parseArray();
    const prev = obj[prevKey] as JsonValue[];
    const lengths = prev.filter(Array.isArray).map((x) => x.length);
    const expected =
      lengths.length > 0 && lengths.every((l) => l === lengths[0]) ? lengths[0] : undefined;
    if (expected) {
      const tail: JsonValue[] = [];
      while (prev.length > 0 && !Array.isArray(prev[prev.length - 1]))
        tail.push(prev.pop() as JsonValue);
      if (tail.length > 0) {
        tail.reverse();
        if (tail.length % expected === 0) {
          for (let k = 0; k < tail.length; k += expected) prev.push(tail.slice(k, k + expected));
        } else prev.push(...tail);
      }
      if (newArray.length > 0) {
        if (newArray.every(Array.isArray)) prev.push(...newArray);
        else prev.push(newArray);
      }
    } else {
      const only = newArray.length === 1 && Array.isArray(newArray[0]) ? newArray[0] : newArray;
      prev.push(...only);
    }
    this.skipWhitespaces();
    if (this.at() === ',') this.i++;
    this.skipWhitespaces();
    return true;
  }

  private shouldSplitDuplicateObject(rollback: number): boolean {
    let lookback = rollback - this.i - 1;
    let prev = this.at(lookback);
    while (prev !== null && isPySpace(prev)) {
      lookback--;
      prev = this.at(lookback);
    }
    const keyStart = this.at(rollback - this.i);
    const next = this.at(this.scrollWhitespaces());
    return !(
      keyStart !== null &&
      STRING_DELIMITERS.includes(keyStart) &&
      prev === ',' &&
      next === ':'
    );
  }

  /** `{1, 2}` or `{\"a\": 1}`: an "object" that parsed empty is re-read as an array or unescaped. */
  private repairEmptyObject(
    obj: Record<string, JsonValue>,
    start: number,
  ): { value: JsonValue } | undefined {
    if (Object.keys(obj).length > 0 || this.i - start <= 2) return undefined;
    const attempted = this.slice(start - 1, this.i + 1);
    let body = attempted.slice(1);
    if (body.endsWith('}')) body = body.slice(0, -1);
    body = pyLstrip(body);
    if (!body) return undefined;
    if (
      (body.startsWith('\\"') && body.includes('\\":')) ||
      (body.startsWith("\\'") && body.includes("\\':"))
    ) {
      const normalized = attempted.replaceAll('\\"', '"').replaceAll("\\'", "'");
      this.s.splice(start - 1, this.i + 1 - (start - 1), ...normalized);
      this.i = start;
      const value = this.within('key', () => this.parseObject());
      this.deferred.push('key');
      return { value };
    }
    body = pyLstrip(stripComments(body));
    if (!body || hasUnquotedColon(body)) return undefined;
    this.i = start;
    const value = this.within('key', () => this.parseArray());
    this.deferred.push('key');
    return { value };
  }
}
