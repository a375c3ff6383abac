/**
 * A tolerant JSON reader standing in for Python's `json_repair.loads` followed by
 * `ast.literal_eval` (what DSPy's `parse_value` and `JSONAdapter.parse` use): accepts single
 * quotes, Python constants (`True`, `None`), trailing commas, unquoted keys, digits with
 * underscores (`123_456.789`), tuples, comments, and closes brackets left open at the end.
 */

/** Returned when the text holds no readable value (json_repair returns `""` in that case). */
export const NO_VALUE: unique symbol = Symbol('no-value');

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpace(): void {
    for (;;) {
      const ch = this.peek();
      if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') this.pos++;
      else if (ch === '#' || this.text.startsWith('//', this.pos)) {
        while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
      } else if (this.text.startsWith('/*', this.pos)) {
        const end = this.text.indexOf('*/', this.pos + 2);
        this.pos = end < 0 ? this.text.length : end + 2;
      } else return;
    }
  }

  value(inContainer: boolean): unknown {
    this.skipSpace();
    const ch = this.peek();
    if (ch === '{') return this.object();
    if (ch === '[' || ch === '(') return this.array(ch === '[' ? ']' : ')');
    if (ch === '"' || ch === "'") return this.string(ch);
    if (/[-+.\d]/.test(ch)) return this.number(inContainer);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0];
    if (word !== undefined) {
      const constants: Record<string, unknown> = {
        true: true,
        false: false,
        null: null,
        True: true,
        False: false,
        None: null,
      };
      if (word in constants) {
        this.pos += word.length;
        return constants[word];
      }
      if (inContainer) return this.bareString();
    }
    throw new SyntaxError(`unexpected ${ch === '' ? 'end of input' : `'${ch}'`} at ${this.pos}`);
  }

  /** An unquoted string inside a container runs to the next delimiter (json_repair does this). */
  bareString(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !/[,}\]:\n]/.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos).trim();
  }

  object(): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skipSpace();
      const ch = this.peek();
      if (ch === '}') {
        this.pos++;
        return out;
      }
      if (ch === '') return out;
      if (ch === ',') {
        this.pos++;
        continue;
      }
      const key = ch === '"' || ch === "'" ? this.string(ch) : this.bareKey();
      this.skipSpace();
      if (this.peek() !== ':') throw new SyntaxError(`expected ':' after key at ${this.pos}`);
      this.pos++;
      this.skipSpace();
      const next = this.peek();
      out[String(key)] = next === ',' || next === '}' || next === '' ? '' : this.value(true);
    }
  }

  bareKey(): string {
    const match = /^[^:,{}[\]\s]+/.exec(this.text.slice(this.pos));
    if (!match) throw new SyntaxError(`expected a key at ${this.pos}`);
    this.pos += match[0].length;
    return match[0];
  }

  array(close: string): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    for (;;) {
      this.skipSpace();
      const ch = this.peek();
      if (ch === close) {
        this.pos++;
        return out;
      }
      if (ch === '') return out;
      if (ch === ',') {
        this.pos++;
        continue;
      }
      out.push(this.value(true));
    }
  }

  string(quote: string): string {
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === '') return out;
      this.pos++;
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.peek();
      this.pos++;
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        b: '\b',
        f: '\f',
        '/': '/',
      };
      if (esc in simple) out += simple[esc];
      else if (esc === 'u' || esc === 'x') {
        const len = esc === 'u' ? 4 : 2;
        const hex = this.text.slice(this.pos, this.pos + len);
        if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === len) {
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += len;
        } else out += esc;
      } else out += esc;
    }
  }

  number(inContainer: boolean): number | string {
    const match = /^[-+]?(?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?(?:[eE][-+]?\d+)?/.exec(
      this.text.slice(this.pos),
    );
    const raw = match?.[0] ?? '';
    const n = Number(raw.replaceAll('_', ''));
    if (raw === '' || !/\d/.test(raw) || Number.isNaN(n)) {
      if (inContainer) return this.bareString();
      throw new SyntaxError(`bad number at ${this.pos}`);
    }
    this.pos += raw.length;
    return n;
  }
}

/**
 * Reads `text` as one JSON/Python-literal value. Returns {@link NO_VALUE} when nothing readable is
 * found. A container followed by other text is accepted (the trailing text is ignored); a scalar
 * must make up the whole text, so `42 apples` is not the number 42.
 *
 * @example
 * ```ts
 * lenientJsonParse("{'score': 123_456.789}") // { score: 123456.789 }
 * ```
 */
export function lenientJsonParse(text: string): unknown {
  const reader = new Reader(text);
  try {
    const value = reader.value(false);
    reader.skipSpace();
    if (reader.pos >= text.length) return value;
    if (value !== null && typeof value === 'object') return value;
    return NO_VALUE;
  } catch {
    return NO_VALUE;
  }
}

/**
 * Finds the first balanced `{…}` in `text` and returns it, or undefined —
 * the recursive-regex search JSONAdapter runs when the whole completion is not an object.
 */
export function findBalancedObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  for (let s = start; s >= 0; s = text.indexOf('{', s + 1)) {
    let depth = 0;
    for (let i = s; i < text.length; i++) {
      const ch = text[i];
      if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth === 0) return text.slice(s, i + 1);
      }
    }
  }
  return undefined;
}
