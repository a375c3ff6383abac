/**
 * Python's `json` decoder (what json_repair tries first, and its `raw_decode` of a valid suffix),
 * over code points: like `JSON.parse` but also accepting `NaN`, `Infinity` and `-Infinity`, and able
 * to read one value at an offset and report where it ends.
 */

/** A JSON value as json_repair returns it (objects are plain records in insertion order). */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

// eslint-disable-next-line no-control-regex -- Python's str.isspace() includes these separators
const PY_SPACE = /^[\s\x1c-\x1f\x85]$/u;

/** Python's `str.isspace()` for one character. */
export function isPySpace(ch: string | null | undefined): boolean {
  return ch !== null && ch !== undefined && ch !== '\ufeff' && PY_SPACE.test(ch);
}

/** Python's `str.isalpha()` for one character. */
export function isPyAlpha(ch: string | null | undefined): boolean {
  return ch !== null && ch !== undefined && /^\p{L}$/u.test(ch);
}

/** Python's `str.isdigit()` for one character (decimal digits). */
export function isPyDigit(ch: string | null | undefined): boolean {
  return ch !== null && ch !== undefined && /^\p{Nd}$/u.test(ch);
}

/** Python's `str.isalnum()` for one character. */
export function isPyAlnum(ch: string | null | undefined): boolean {
  return ch !== null && ch !== undefined && /^[\p{L}\p{N}]$/u.test(ch);
}

/** Python's `str.rstrip()`. */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isPySpace(s[end - 1])) end--;
  return s.slice(0, end);
}

/** Python's `str.lstrip()`. */
export function pyLstrip(s: string): string {
  let start = 0;
  while (start < s.length && isPySpace(s[start])) start++;
  return s.slice(start);
}

/** Sets a key on a record without the `__proto__` setter getting in the way. */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else obj[key] = value;
}

class Invalid extends Error {}

const JSON_SPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER_CHARS = new Set([...'0123456789+-.eE']);
const WORDS: readonly (readonly [string, JsonValue])[] = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];
const NUMBER = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/;

class Decoder {
  constructor(
    private readonly s: readonly string[],
    public pos: number,
  ) {}

  private skip(): void {
    while (this.pos < this.s.length && JSON_SPACE.has(this.s[this.pos] as string)) this.pos++;
  }

  private startsWith(word: string): boolean {
    for (let k = 0; k < word.length; k++) if (this.s[this.pos + k] !== word[k]) return false;
    return true;
  }

  value(): JsonValue {
    const ch = this.s[this.pos];
    if (ch === '"') return this.string();
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    for (const [word, v] of WORDS) {
      if (ch === word[0] && this.startsWith(word)) {
        this.pos += word.length;
        return v;
      }
    }
    // The number's characters first (cheap), then Python's number grammar on just those.
    let end = this.pos;
    while (end < this.s.length && NUMBER_CHARS.has(this.s[end] as string)) end++;
    const m = NUMBER.exec(this.s.slice(this.pos, end).join(''));
    if (!m) throw new Invalid();
    this.pos += m[0].length;
    // An integer literal is a Python int, which has no negative zero.
    return m[1] === undefined && m[2] === undefined ? Number(m[0]) + 0 : Number(m[0]);
  }

  private string(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.s[this.pos++];
      if (ch === undefined) throw new Invalid();
      if (ch === '"') return out;
      if (ch === '\\') {
        const esc = this.s[this.pos++];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (esc !== undefined && esc in simple) out += simple[esc];
        else if (esc === 'u') {
          const hex = this.s.slice(this.pos, this.pos + 4).join('');
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Invalid();
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
        } else throw new Invalid();
      } else if ((ch.codePointAt(0) ?? 0) < 0x20) throw new Invalid();
      else out += ch;
    }
  }

  private object(): Record<string, JsonValue> {
    this.pos++;
    const out: Record<string, JsonValue> = {};
    this.skip();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.s[this.pos] !== '"') throw new Invalid();
      const key = this.string();
      this.skip();
      if (this.s[this.pos] !== ':') throw new Invalid();
      this.pos++;
      this.skip();
      setKey(out, key, this.value());
      this.skip();
      const ch = this.s[this.pos++];
      if (ch === '}') return out;
      if (ch !== ',') throw new Invalid();
    }
  }

  private array(): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.skip();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skip();
      out.push(this.value());
      this.skip();
      const ch = this.s[this.pos++];
      if (ch === ']') return out;
      if (ch !== ',') throw new Invalid();
    }
  }

  /** `json.loads`: one value, whitespace around it, nothing else. */
  whole(): JsonValue {
    this.skip();
    const v = this.value();
    this.skip();
    if (this.pos !== this.s.length) throw new Invalid();
    return v;
  }
}

/** Python's `json.loads(text)`, or undefined when the text is not valid JSON. */
export function pyJsonLoads(chars: readonly string[]): { value: JsonValue } | undefined {
  try {
    return { value: new Decoder(chars, 0).whole() };
  } catch (e) {
    if (e instanceof Invalid || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** `json.JSONDecoder().raw_decode(text[start:])`: one value at `start` and where it ends. */
export function pyJsonRawDecode(
  chars: readonly string[],
  start: number,
): { value: JsonValue; end: number } | undefined {
  try {
    const d = new Decoder(chars, start);
    const value = d.value();
    return { value, end: d.pos };
  } catch (e) {
    if (e instanceof Invalid || e instanceof RangeError) return undefined;
    throw e;
  }
}
