import { CliError } from './cli-error.js';

/** Where a JSON text stops being valid: 0-based offset, 1-based line and column. */
export interface JsonErrorPosition {
  offset: number;
  line: number;
  column: number;
}

/**
 * Parses a JSON object given on the command line (`--input '{"question": "…"}'`). A syntax error
 * becomes {@link CliError} `bad_json` whose message shows the position and a caret under it; valid
 * JSON that is not an object is a `bad_json` too.
 *
 * @example
 * ```ts
 * parseJsonObject('{"question": "hi"}', '--input'); // { question: 'hi' }
 * ```
 */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  const value = parseJson(text, what);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError('bad_json', `${what} must be a JSON object, got ${describe(value)}`, {
      details: { what },
    });
  return value as Record<string, unknown>;
}

/** Parses any JSON value; a syntax error is `bad_json` with its position (see {@link parseJsonObject}). */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const pos = locateJsonError(text) ?? positionAt(text, text.length);
    throw new CliError(
      'bad_json',
      `${what} is not valid JSON: ${(cause as Error).message.replace(/ in JSON at position \d+.*$/, '')} at line ${pos.line}, column ${pos.column}\n${caret(text, pos)}`,
      { cause, details: { what, ...pos } },
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The offending line with a caret under the error column. */
function caret(text: string, pos: JsonErrorPosition): string {
  const line = text.split('\n')[pos.line - 1] ?? '';
  const start = Math.max(0, pos.column - 1 - 60);
  const shown = line.slice(start, start + 100);
  return `  ${shown}\n  ${' '.repeat(pos.column - 1 - start)}^`;
}

function positionAt(text: string, offset: number): JsonErrorPosition {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { offset, line, column };
}

/**
 * The position of the first syntax error of `text`, or `undefined` when it is valid JSON. A small
 * scanner of the JSON grammar (RFC 8259), because V8 leaves the position out of some messages
 * (`Unexpected token 'a', "abc" is not valid JSON`).
 */
export function locateJsonError(text: string): JsonErrorPosition | undefined {
  let i = 0;
  const fail = (): never => {
    throw positionAt(text, Math.min(i, text.length));
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return;
      }
      if (ch < ' ') fail();
      if (ch === '\\') {
        i++;
        const esc = text[i];
        if (esc === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
          }
        } else if (esc === undefined || !'"\\/bfnrt'.includes(esc)) fail();
      }
      i++;
    }
    fail();
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (m === null || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number();
    else fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'offset' in e) return e as JsonErrorPosition;
    throw e;
  }
}
