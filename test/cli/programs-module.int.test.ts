/**
 * Programs modules load from any folder, as real `dspex run` processes: a folder whose
 * package.json has no "type" (CommonJS by default) holding `.ts`, `.mts` and `.js` modules that
 * import 'dspex', and modules that throw, have a syntax error or lack a default export, each with
 * its own message.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runDspex, type CliResult } from './cli-process.js';

const WORKING = `import { DummyLM, Predict, configure } from 'dspex';
configure({ lm: new DummyLM([{ answer: 'loaded' }]) });
export default { qa: new Predict('question -> answer') };
`;

/** Runs `dspex run qa` with `file` (holding `source`) as the programs module, alone in a CommonJS-scoped folder. */
function runWith(file: string, source: string): Promise<CliResult & { path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dspex-programs-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cjs-default-project' }));
  mkdirSync(join(dir, 'lib'));
  const path = join(dir, 'lib', file);
  writeFileSync(path, source);
  return runDspex(['run', 'qa', '--input', '{"question":"q"}'], {
    cwd: dir,
    env: cleanEnv({ DSPEX_PROGRAMS: path }),
  }).then((r) => ({ ...r, path }));
}

describe('programs modules from any folder (real processes)', () => {
  it('.ts, .mts and .js modules importing dspex load in a CommonJS-default package', async () => {
    const results = await Promise.all(
      ['programs.ts', 'programs.mts', 'programs.js'].map((f) => runWith(f, WORKING)),
    );
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ answer: 'loaded' });
    }
  }, 120_000);

  it('a module that throws, has a syntax error or lacks a default export gets its own message (exit 2)', async () => {
    const [threw, syntax, noDefault] = await Promise.all([
      runWith(
        'programs.ts',
        "import { Predict } from 'dspex';\nfunction setup() { throw new TypeError('OPENAI_API_KEY is not set'); }\nsetup();\nexport default { qa: new Predict('q -> a') };\n",
      ),
      runWith('programs.ts', "export default { qa: new Predict('q -> a') ;\n"),
      runWith(
        'programs.ts',
        "import { Predict } from 'dspex';\nexport const qa = new Predict('q -> a');\n",
      ),
    ]);
    expect(threw.code).toBe(2);
    expect(threw.stderr).toContain(
      `programs module ${threw.path} threw while loading: TypeError: OPENAI_API_KEY is not set (setup (${threw.path}:2:`,
    );
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain(
      `programs module ${syntax.path} has a syntax error at line 1, column 43: Expected "}" but found ";"`,
    );
    expect(noDefault.code).toBe(2);
    expect(noDefault.stderr).toContain(
      `programs module ${noDefault.path} has no default export (its exports: qa)`,
    );
  }, 120_000);
});
