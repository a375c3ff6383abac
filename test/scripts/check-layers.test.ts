import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/check-layers.mjs', import.meta.url));
const trees: string[] = [];

/** Writes a small source tree (path → text) and runs the layer check on it. */
function check(files: Record<string, string>): { status: number | null; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'dspex-layers-'));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const run = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

const machine =
  "import { setup } from 'xstate';\nexport const workerMachine = setup({}).createMachine({});\n";
const server =
  "import { genServer } from '../src/kernel/index.js';\nexport const registry = genServer({});\n";
const start =
  "import type { StartFunction } from '../src/kernel/index.js';\nexport function workerStart(services: unknown): StartFunction {\n  return services as StartFunction;\n}\n";
const kernel =
  'export type StartFunction = () => void;\nexport function genServer(o: object): object {\n  return o;\n}\n';

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('check-layers: actors/ holds only actor definitions', () => {
  it('accepts machines, genServers, start functions and the index barrel under actors/', () => {
    const result = check({
      'src/kernel/index.ts': kernel,
      'services/helper.ts': 'export const helper = 1;\n',
      'actors/worker.ts': machine,
      'actors/registry.ts': server,
      'actors/task.ts': start,
      'actors/index.ts': "export { workerMachine } from './worker.js';\n",
    });
    expect(result.output).toContain('actors/ holds actors');
    expect(result.status).toBe(0);
  });

  it('rejects actors/ re-exporting services/, naming the file (services are imported directly)', () => {
    const result = check({
      'src/kernel/index.ts': kernel,
      'services/helper.ts': 'export const helper = 1;\n',
      'actors/worker.ts': machine,
      'actors/index.ts':
        "export * from '../services/index.js';\nexport { helper } from '../services/helper.js';\n",
    });
    expect(result.status).toBe(1);
    expect(result.output).toContain('actors/index.ts: re-exports services/');
    expect(result.output).not.toContain('actors/worker.ts');
  });

  it('rejects a helper under actors/ that exports no actor, naming the file and where it belongs', () => {
    const result = check({
      'src/kernel/index.ts': kernel,
      'actors/worker.ts': machine,
      'actors/helper.ts': 'export function helper(): number {\n  return 1;\n}\n',
    });
    expect(result.status).toBe(1);
    expect(result.output).toContain('actors/helper.ts: exports no actor');
    expect(result.output).toContain('helpers go in services/');
    expect(result.output).not.toContain('actors/worker.ts');
  });

  it('rejects services/ importing an actor definition (services sit below actors)', () => {
    const result = check({
      'src/kernel/index.ts': kernel,
      'actors/worker.ts': machine,
      'services/helper.ts':
        "import { workerMachine } from '../actors/worker.js';\nexport const m = workerMachine;\n",
    });
    expect(result.status).toBe(1);
    expect(result.output).toContain('services/helper.ts: services/ must not import actors/');
  });
});
