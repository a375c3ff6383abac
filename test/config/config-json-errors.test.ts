import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importUserModule, loadConfig } from '../../src/config/index.js';

function configDir(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dspex-config-json-'));
  writeFileSync(join(dir, 'dspex.config.json'), text);
  return dir;
}

describe('config JSON errors', () => {
  it.each([
    ['{\n  "programs": "p.ts"\n  "admin": {}\n}\n', 3, 3],
    ['{\n  "programs": }\n', 2, 15],
    ['{"programs": "p.ts",}', 1, 21],
    ['', 1, 1],
  ])('a syntax error names the file, line and column (%#)', async (text, line, column) => {
    const cwd = configDir(text);
    await expect(loadConfig({ cwd, env: {} })).rejects.toMatchObject({
      code: 'config_load_failed',
      message: expect.stringMatching(
        new RegExp(
          `^config .*dspex\\.config\\.json is not valid JSON: .* at line ${line}, column ${column}$`,
        ),
      ),
      details: expect.objectContaining({ line, column }),
    });
  });
});

describe('importUserModule', () => {
  it('a missing file is said to not exist', async () => {
    await expect(importUserModule('/nonexistent/programs.ts', 'programs module')).rejects.toThrow(
      'programs module /nonexistent/programs.ts does not exist',
    );
  });

  it('a module that throws names the error and where it was thrown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-module-'));
    const file = join(dir, 'boom.mjs');
    writeFileSync(file, "export const a = 1;\nthrow new RangeError('no key');\n");
    await expect(importUserModule(file, 'programs module')).rejects.toThrow(
      `programs module ${file} threw while loading: RangeError: no key`,
    );
  });
});
