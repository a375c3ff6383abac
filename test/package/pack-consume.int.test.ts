/**
 * The package as a user gets it: `npm pack` (which builds dist/ through `prepack`), installed into
 * a separate consumer project, imported from 'dspex' and its subpaths, its declarations
 * type-checked with `skipLibCheck: false`, and its binary run with `npx dspex --help`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The consumer's program: the README's first lines, on a scripted LM, through startRuntime. */
const CONSUMER_MAIN = `
import { DummyLM, Predict, TransportError, configure, isModule, startRuntime } from 'dspex';
import { createKernel } from 'dspex/kernel';
import { loadConfig, startDaemon } from 'dspex/runtime';
import { MemoryStore } from 'dspex/store';
import { FakeClock, MemoryTransport } from 'dspex/testing';

const lm = new DummyLM([{ answer: 'Paris' }, { answer: 'Rome' }]);
configure({ lm });
const qa = new Predict('question -> answer');
const direct = await qa.call({ question: 'Capital of France?' });
const rt = await startRuntime({ programs: { qa }, logLevel: 'silent' }, { lm });
const viaRuntime = await rt.run('qa', { question: 'Capital of Italy?' });
await rt.stop();
console.log(JSON.stringify({
  direct: direct.answer,
  runtime: viaRuntime.outputs.answer,
  mode: rt.mode,
  isModule: isModule(qa),
  subpaths: [typeof createKernel, typeof loadConfig, typeof startDaemon, typeof MemoryStore,
    typeof FakeClock, typeof MemoryTransport, typeof TransportError],
}));
`;

/** A consumer TypeScript file using the public types (checked, not run). */
const CONSUMER_TYPES = `
import { Predict, startRuntime, type Runtime, type RunResult, type StartRuntimeConfig } from 'dspex';
import type { Kernel } from 'dspex/kernel';
import type { Store } from 'dspex/store';
import type { Transport } from 'dspex/transport';

export async function answer(question: string): Promise<string> {
  const config: StartRuntimeConfig = { programs: { qa: new Predict('question -> answer') } };
  const rt: Runtime = await startRuntime(config);
  const result: RunResult = await rt.run('qa', { question });
  const parts: [Kernel, Store, Transport] = [rt.kernel, rt.store, rt.transport];
  void parts;
  await rt.stop();
  return String(result.outputs.answer);
}
`;

let dir: string;
let consumer: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dspex-pack-'));
  await exec('npm', ['pack', '--pack-destination', dir, '--silent'], {
    cwd: ROOT,
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack left no tarball in ${dir}`);
  consumer = join(dir, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball)],
    { cwd: consumer, timeout: 300_000 },
  );
}, 600_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package in a separate consumer project', () => {
  it('imports startRuntime, the framework and the subpaths from dspex and runs a program', async () => {
    writeFileSync(join(consumer, 'main.mjs'), CONSUMER_MAIN);
    const { stdout } = await exec(process.execPath, ['main.mjs'], {
      cwd: consumer,
      timeout: 120_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      direct: 'Paris',
      runtime: 'Rome',
      mode: 'embedded',
      isModule: true,
      subpaths: Array(7).fill('function'),
    });
  });

  it('its declarations type-check in a consumer with skipLibCheck false', async () => {
    writeFileSync(join(consumer, 'consumer.ts'), CONSUMER_TYPES);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    const result = await exec(process.execPath, [TSC, '-p', '.'], {
      cwd: consumer,
      timeout: 180_000,
    }).catch((e: { stdout: string; stderr: string }) => e);
    expect('stdout' in result ? result.stdout + result.stderr : '').toBe('');
  });

  it('a deep import of an internal file is refused by the exports map', async () => {
    writeFileSync(
      join(consumer, 'deep.mjs'),
      "await import('dspex/dist/src/kernel/kernel.js').then(() => console.log('open'), (e) => console.log(e.code));",
    );
    const { stdout } = await exec(process.execPath, ['deep.mjs'], { cwd: consumer });
    expect(stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('npx dspex --help runs the compiled CLI from the installed package', async () => {
    const { stdout } = await exec('npx', ['--no-install', 'dspex', '--help'], {
      cwd: consumer,
      timeout: 120_000,
    });
    for (const command of ['start', 'submit', 'jobs', 'inspect', 'run', 'eval', 'optimize'])
      expect(stdout).toContain(command);
  });
});
