/**
 * Python's `ast.literal_eval` for the literals an LM writes: numbers (`0x1A`, `0o17`, `0b101`,
 * `1_000`, `1e3`, signs), strings (quotes, triple quotes, `r`/`u` prefixes, escapes, adjacent
 * strings joined), `True`/`False`/`None`, lists, tuples (with or without parentheses: `3,5`),
 * dicts and sets. DSPy's `parse_value` falls back to it when json_repair finds no JSON. Tuples
 * come back as arrays and sets as `Set`s; bytes, complex numbers and anything that is not a
 * literal throw {@link PythonLiteralError}.
 */

import { markPyTuple } from './python-format.js';

/** The text is not a Python literal (`ast.literal_eval` raises ValueError or SyntaxError). */
export class PythonLiteralError extends Error {}

type Token =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'name'; v: string }
  | { t: 'op'; v: string }
  | { t: 'nl' };

const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:[eE][-+]?\d(?:_?\d)*)?[jJ]?)/;

function fail(): never {
  throw new PythonLiteralError('malformed node or string');
}

function numberValue(raw: string): number {
  if (/[jJ]$/.test(raw)) fail(); // complex
  const text = raw.replaceAll('_', '');
  if (/^0[xX]/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[oO]/.test(text)) return parseInt(text.slice(2), 8);
  if (/^0[bB]/.test(text)) return parseInt(text.slice(2), 2);
  if (/^\d+$/.test(text)) {
    if (/^0+[1-9]/.test(text)) fail(); // leading zeros are a SyntaxError in Python 3
    return Number(text);
  }
  if (!/\d/.test(text)) fail();
  return Number(text);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function unescape(body: string): string {
  let out = '';
  for (let k = 0; k < body.length; k++) {
    const ch = body[k] as string;
    if (ch !== '\\' || k === body.length - 1) {
      out += ch;
      continue;
    }
    const esc = body[k + 1] as string;
    if (esc in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[esc];
      k++;
    } else if (/[0-7]/.test(esc)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(k + 1))?.[0] ?? esc;
      out += String.fromCodePoint(parseInt(oct, 8));
      k += oct.length;
    } else if (esc === 'x' || esc === 'u' || esc === 'U') {
      const n = esc === 'x' ? 2 : esc === 'u' ? 4 : 8;
      const hex = body.slice(k + 2, k + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) fail();
      out += String.fromCodePoint(parseInt(hex, 16));
      k += 1 + n;
    } else {
      out += ch; // unknown escapes keep their backslash
    }
  }
  return out;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let k = 0;
  while (k < src.length) {
    const ch = src[k] as string;
    if (ch === ' ' || ch === '\t' || ch === '\f') {
      k++;
    } else if (ch === '#') {
      while (k < src.length && src[k] !== '\n' && src[k] !== '\r') k++;
    } else if (ch === '\\' && (src[k + 1] === '\n' || src.startsWith('\r\n', k + 1))) {
      k += src[k + 1] === '\n' ? 2 : 3;
    } else if (ch === '\n' || ch === '\r') {
      if (depth === 0) tokens.push({ t: 'nl' });
      k++;
    } else if (/[A-Za-z_\p{L}]/u.test(ch)) {
      const word = /^[\p{L}\p{N}_]+/u.exec(src.slice(k))?.[0] ?? ch;
      const quote = src[k + word.length];
      if (/^[rRuUbBfF]{1,2}$/.test(word) && (quote === '"' || quote === "'")) {
        if (/[bBfF]/.test(word)) fail(); // bytes and f-strings are not plain str literals
        k += word.length;
        k = readString(src, k, /[rR]/.test(word), tokens);
      } else {
        tokens.push({ t: 'name', v: word });
        k += word.length;
      }
    } else if (ch === '"' || ch === "'") {
      k = readString(src, k, false, tokens);
    } else if (/[0-9.]/.test(ch)) {
      const raw = NUMBER.exec(src.slice(k))?.[0] ?? '';
      if (raw === '' || raw === '.') {
        if (src.startsWith('...', k)) fail();
        fail();
      }
      if (/[\p{L}\p{N}_]/u.test(src[k + raw.length] ?? '')) fail();
      tokens.push({ t: 'num', v: numberValue(raw) });
      k += raw.length;
    } else if ('[]{}(),:+-'.includes(ch)) {
      if ('[{('.includes(ch)) depth++;
      if (']})'.includes(ch)) depth--;
      tokens.push({ t: 'op', v: ch });
      k++;
    } else fail();
  }
  return tokens;
}

function readString(src: string, start: number, raw: boolean, tokens: Token[]): number {
  const quote = src[start] as string;
  const triple = src.startsWith(quote.repeat(3), start);
  const delim = triple ? quote.repeat(3) : quote;
  let k = start + delim.length;
  let body = '';
  for (;;) {
    if (k >= src.length) fail();
    if (src.startsWith(delim, k)) break;
    const ch = src[k] as string;
    if (!triple && (ch === '\n' || ch === '\r')) fail();
    if (ch === '\\' && k + 1 < src.length) {
      body += ch + (src[k + 1] as string);
      k += 2;
      continue;
    }
    body += ch;
    k++;
  }
  tokens.push({ t: 'str', v: raw ? body : unescape(body) });
  return k + delim.length;
}

class LiteralParser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isOp(v: string): boolean {
    const tok = this.peek();
    return tok?.t === 'op' && tok.v === v;
  }

  private expect(v: string): void {
    if (!this.isOp(v)) fail();
    this.pos++;
  }

  /** The whole input: an expression or a bare tuple, then only newlines. */
  document(): unknown {
    while (this.peek()?.t === 'nl') this.pos++;
    const value = this.sequence(() => this.peek() === undefined || this.peek()?.t === 'nl');
    while (this.peek()?.t === 'nl') this.pos++;
    if (this.peek() !== undefined) fail();
    return value;
  }

  /** `a, b` (a tuple) or `a` alone, up to `atEnd`. */
  private sequence(atEnd: () => boolean): unknown {
    const first = this.value();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.pos++;
      if (atEnd()) break;
      items.push(this.value());
    }
    return markPyTuple(items);
  }

  private value(): unknown {
    const tok = this.peek();
    if (!tok) fail();
    this.pos++;
    if (tok.t === 'num') return tok.v;
    if (tok.t === 'str') {
      let s = tok.v;
      while (this.peek()?.t === 'str') s += (this.tokens[this.pos++] as { v: string }).v;
      return s;
    }
    if (tok.t === 'name') {
      if (tok.v === 'True') return true;
      if (tok.v === 'False') return false;
      if (tok.v === 'None') return null;
      if (tok.v === 'set' && this.isOp('(')) {
        this.pos++;
        this.expect(')');
        return new Set();
      }
      return fail();
    }
    if (tok.t === 'nl') return fail();
    if (tok.v === '-' || tok.v === '+') {
      const operand = this.peek();
      if (operand?.t !== 'num') fail();
      this.pos++;
      return tok.v === '-' ? -operand.v + 0 : operand.v;
    }
    if (tok.v === '[') return this.items(']');
    if (tok.v === '(') {
      if (this.isOp(')')) {
        this.pos++;
        return markPyTuple([]);
      }
      const inner = this.sequence(() => this.isOp(')'));
      this.expect(')');
      return inner;
    }
    if (tok.v === '{') return this.braces();
    return fail();
  }

  private items(close: string): unknown[] {
    const out: unknown[] = [];
    while (!this.isOp(close)) {
      out.push(this.value());
      if (!this.isOp(',')) break;
      this.pos++;
    }
    this.expect(close);
    return out;
  }

  private braces(): unknown {
    if (this.isOp('}')) {
      this.pos++;
      return {};
    }
    const first = this.value();
    if (!this.isOp(':')) {
      const rest = this.isOp(',') ? (this.pos++, this.items('}')) : (this.expect('}'), []);
      return new Set([first, ...rest]);
    }
    const out: Record<string, unknown> = {};
    let key = first;
    for (;;) {
      this.expect(':');
      const v = this.value();
      if (typeof key !== 'string') fail(); // JSON-like records only hold string keys
      Object.defineProperty(out, key, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (!this.isOp(',')) break;
      this.pos++;
      if (this.isOp('}')) break;
      key = this.value();
    }
    this.expect('}');
    return out;
  }
}

/**
 * `ast.literal_eval(text)`. Throws {@link PythonLiteralError} when the text is not a literal.
 *
 * @example
 * ```ts
 * pythonLiteralEval('0x1A') // 26
 * pythonLiteralEval('3,5')  // [3, 5] (a tuple)
 * ```
 */
export function pythonLiteralEval(text: string): unknown {
  const src = text.replace(/^[ \t]+/, '');
  return new LiteralParser(tokenize(src)).document();
}
