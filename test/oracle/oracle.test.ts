import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenarioFile, runScenarioText } from './lib/run-file.js';

const here = dirname(fileURLToPath(import.meta.url));
const scenarioDir = join(here, 'scenarios');
const scenarios = readdirSync(scenarioDir)
  .filter((f) => f.endsWith('.scn'))
  .sort();

describe('oracle: the TS runner prints the recorded real-Erlang log byte for byte', () => {
  it('has the 15 public scenarios and at least 8 of our own', () => {
    expect(scenarios.filter((f) => /^s\d+_/.test(f)).length).toBe(15);
    expect(scenarios.filter((f) => /^k\d+_/.test(f)).length).toBeGreaterThanOrEqual(8);
  });

  it.each(scenarios)('%s', async (file) => {
    const out = await runScenarioFile([join(scenarioDir, file)]);
    const expected = readFileSync(join(scenarioDir, file.replace(/\.scn$/, '.log')), 'latin1');
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(expected);
  });
});

describe('oracle: parse and validation errors exit 2 with the driver message', () => {
  // Expected messages are the real driver's (checked against escript by differential.int.test.ts).
  const cases: [string, string, string][] = [
    ['empty file', '# nothing\n', 'driver: F:1: empty scenario\n'],
    ['no sup first', 'child a\n', "driver: F:1: the first statement must be 'sup'\n"],
    [
      'unknown attribute',
      'sup\nchild a color=red\n',
      'driver: F:2: attribute not allowed here: color\n',
    ],
    ['bad enum value', 'sup strategy=best\n', 'driver: F:1: bad value best\n'],
    ['period below 1', 'sup period=0\n', 'driver: F:1: value below 1: 0\n'],
    [
      'deaf with infinity',
      'sup\nchild a deaf=true shutdown=infinity\n',
      'driver: F:2: deaf=true with shutdown=infinity would never terminate\n',
    ],
    ['reserved word id', 'sup\nchild end\n', 'driver: F:2: reserved word end\n'],
    ['bad term', 'sup\nchild a\ncrash a {boom\n', 'driver: F:3: bad term {boom\n'],
    [
      'declaration after actions',
      'sup\nchild a\nfinal\nchild b\n',
      'driver: F:4: child: needs an id (and must come before the actions)\n',
    ],
    [
      'second s1o1 template',
      'sup strategy=simple_one_for_one\nchild a\nchild b\n',
      'driver: F:3: a simple_one_for_one supervisor has exactly one child line\n',
    ],
    ['bad part', 'part one two\nsup\n', "driver: F:1: 'part' takes exactly one name\n"],
  ];
  it.each(cases)('%s', async (_name, text, stderr) => {
    const out = await runScenarioText(text, 'F');
    expect(out).toEqual({ stdout: '', stderr, code: 2 });
  });
});

function runCli(file: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', join(here, 'run.ts'), file],
      { timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({
          stdout,
          stderr: stderr.replace(/^npm warn.*\n/gm, ''),
          code: err === null ? 0 : Number((err as { code?: number }).code),
        }),
    );
  });
}

describe('oracle: the `npx tsx test/oracle/run.ts FILE.scn` command', () => {
  it('prints the log on stdout and exits 0', async () => {
    const file = join(scenarioDir, 's1_rest_for_one.scn');
    const out = await runCli(file);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(readFileSync(file.replace(/\.scn$/, '.log'), 'latin1'));
  }, 60_000);

  it('exits 2 with `driver: FILE:LINE: message` on a malformed scenario', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dspex-oracle-')), 'bad.scn');
    writeFileSync(file, 'sup\nchild a\nexplode a\n');
    const out = await runCli(file);
    expect(out).toEqual({
      stdout: '',
      stderr: `driver: ${file}:3: cannot parse statement: explode a\n`,
      code: 2,
    });
  }, 60_000);

  it('exits 3 on a run-time scenario error, with the part log on stderr', async () => {
    const out = await runScenarioText(
      'sup\nchild a restart=temporary\ncrash a boom\ncrash a boom\n',
      'F',
    );
    expect(out.code).toBe(3);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      'driver: line 4: crash: a is not running\ndriver: log so far:\n01 start a#1\n02 exit a#1 boom\n03 sup_report child_terminated a boom\n',
    );
  });
});
