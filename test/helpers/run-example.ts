import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** Env vars that choose the examples' LM and embedder; cleared unless the test sets them. */
const LM_ENV = ['OPENAI_BASE_URL', 'OPENAI_API_KEY', 'DSPEX_MODEL', 'DSPEX_EMBEDDING_MODEL'];

/** Runs an example with tsx in its own process; the LM env vars are replaced by `env`. */
export async function runExample(file: string, env: Record<string, string> = {}): Promise<string> {
  const base = { ...process.env };
  for (const key of LM_ENV) delete base[key];
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join('examples', file)], {
    cwd: root,
    env: { ...base, ...env },
    timeout: 90_000,
  });
  return stdout;
}
