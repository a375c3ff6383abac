import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { csvObjects } from './csv.js';
import { parseJson, parseJsonObject } from './json-input.js';

/** Examples read from a data file, with the line each starts on (for errors that name it). */
export interface ExamplesFile {
  /** Absolute path of the file. */
  path: string;
  examples: Record<string, unknown>[];
  /** 1-based line of each example (0 for the elements of a `.json` array). */
  lines: number[];
}

/**
 * Reads a data file of examples with their line numbers: JSON Lines (one object per line; blank
 * lines and `//` comments skipped), a `.json` array of objects, or a `.csv` with a header row
 * (RFC 4180: quoted fields may hold commas, quotes and newlines; values are strings). A bad line
 * is `bad_json` or `usage` naming the file and line; a missing or empty file is `usage`.
 */
export function readExamplesWithLines(file: string, cwd: string): ExamplesFile {
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
  let read: { examples: Record<string, unknown>[]; lines: number[] };
  if (path.endsWith('.json')) {
    const parsed = parseJson(text, path);
    if (!Array.isArray(parsed) || !parsed.every(isObject))
      throw new CliError('usage', `${path} must hold a JSON array of objects`, {
        details: { path },
      });
    read = { examples: parsed, lines: parsed.map(() => 0) };
  } else if (path.toLowerCase().endsWith('.csv')) {
    read = csvObjects(text, path);
  } else {
    read = { examples: [], lines: [] };
    text.split('\n').forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('//')) return;
      read.examples.push(parseJsonObject(trimmed, `${path} line ${index + 1}`));
      read.lines.push(index + 1);
    });
  }
  if (read.examples.length === 0)
    throw new CliError('usage', `${path} holds no examples`, { details: { path } });
  return { path, ...read };
}

/**
 * Reads a data file of examples (see {@link readExamplesWithLines} for the formats and errors).
 *
 * @example
 * ```ts
 * const devset = readExamplesFile('dev.jsonl', process.cwd()); // [{ question, answer }, …]
 * ```
 */
export function readExamplesFile(file: string, cwd: string): Record<string, unknown>[] {
  return readExamplesWithLines(file, cwd).examples;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
