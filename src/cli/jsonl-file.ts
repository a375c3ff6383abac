import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { parseJson, parseJsonObject } from './json-input.js';

/**
 * Reads a data file of examples: JSON Lines (one object per line; blank lines and `//` comments
 * skipped) or, when the file is a `.json`, one array of objects. A bad line is `bad_json` naming
 * the file and line; a missing file is `usage`.
 *
 * @example
 * ```ts
 * const devset = readExamplesFile('dev.jsonl', process.cwd()); // [{ question, answer }, …]
 * ```
 */
export function readExamplesFile(file: string, cwd: string): Record<string, unknown>[] {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CliError('usage', `cannot read data file ${path}: ${(cause as Error).message}`, {
      cause,
      details: { path },
    });
  }
  if (path.endsWith('.json')) {
    const parsed = parseJson(text, path);
    if (!Array.isArray(parsed) || !parsed.every(isObject))
      throw new CliError('usage', `${path} must hold a JSON array of objects`, {
        details: { path },
      });
    return parsed;
  }
  const examples: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('//')) return;
    examples.push(parseJsonObject(trimmed, `${path} line ${index + 1}`));
  });
  if (examples.length === 0)
    throw new CliError('usage', `${path} holds no examples`, { details: { path } });
  return examples;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
