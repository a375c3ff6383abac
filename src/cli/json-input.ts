import { locateJsonError, positionAt, type JsonErrorPosition } from '../config/json-position.js';
import { CliError } from './cli-error.js';

export { locateJsonError, type JsonErrorPosition };

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
