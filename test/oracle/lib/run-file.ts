import { readFile } from 'node:fs/promises';
import type { RunOutput } from './runner.js';
import { runParts } from './runner.js';
import { parseScenario, ScnError } from './scenario.js';

/** The CLI's behaviour for `argv` (file path), as data: stdout, stderr and exit status. */
export async function runScenarioFile(argv: readonly string[]): Promise<RunOutput> {
  if (argv.length !== 1)
    return {
      stdout: '',
      stderr: 'driver: usage: escript dspex_oracle.escript FILE.scn\n',
      code: 2,
    };
  const file = argv[0] as string;
  let text: string;
  try {
    text = await readFile(file, 'latin1');
  } catch (e) {
    const code = (e as { code?: string }).code?.toLowerCase() ?? 'error';
    return { stdout: '', stderr: `driver: cannot read ${file}: ${code}\n`, code: 2 };
  }
  return runScenarioText(text, file);
}

/** Parses and runs scenario text; `file` only names it in parse error messages. */
export async function runScenarioText(text: string, file: string): Promise<RunOutput> {
  let parts;
  try {
    parts = parseScenario(text);
  } catch (e) {
    if (e instanceof ScnError)
      return { stdout: '', stderr: `driver: ${file}:${e.line}: ${e.message}\n`, code: 2 };
    throw e;
  }
  return runParts(parts);
}
