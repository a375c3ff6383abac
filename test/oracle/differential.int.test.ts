/**
 * Differential test against real Erlang/OTP: random valid scenarios (fast-check, fixed seed,
 * inside the determinism rules of test/oracle/README.md) and malformed ones are run through the
 * project's own OTP driver (escript test/oracle/driver/dspex_oracle.escript) and the TS runner; stdout and exit status (and stderr for parse errors) must be identical. The
 * committed scenario logs are checked against the same driver by `test/oracle/regen-logs.sh --check`
 * (run by .ci/run).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DRIVER_PATH, escriptInstalled, runDriver } from './lib/driver.js';
import { generateScenario, randFrom } from './lib/generate.js';
import { runScenarioText } from './lib/run-file.js';

const available = escriptInstalled() && existsSync(DRIVER_PATH);
const dir = mkdtempSync(join(tmpdir(), 'dspex-differential-'));

async function inParallel<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < jobs.length; i = next++)
        out[i] = await (jobs[i] as () => Promise<T>)();
    }),
  );
  return out;
}

const MALFORMED: string[] = [
  '',
  'sup intensity=x\n',
  'sup intensity=1 intensity=2\n',
  'sup\nchild Bad\n',
  'sup\nchild a parent=nobody\n',
  'sup\nchild a fail_on=1,,2\n',
  'sup\nchild a\ncrash a {a,}\n',
  'sup\nchild a\ncrash a 1-2\n',
  'sup\nchild a\nstart_child root\n',
  'sup\nchild a\nstart_child A color=1\n',
  'sup strategy=simple_one_for_one\nsupchild s\n',
  'sup\nsupchild s strategy=simple_one_for_one\nchild a\n',
  'part a\nsup\npart B\nsup\n',
  'sup\nchild a deaf=true\ncrash a boom # comment\nsleep -1\n',
];

if (!available) {
  // A comparison with real Erlang that cannot run must not pass: CI installs erlang-base
  // (.ci/run), so a missing escript or driver is a broken set-up, reported as a failure.
  describe('differential vs real Erlang/OTP', () => {
    it('fails when escript or the OTP driver is missing (it cannot compare)', () => {
      expect.fail(
        `the differential run needs escript (Debian package erlang-base) and the driver at ${DRIVER_PATH}; escript ${escriptInstalled() ? 'found' : 'NOT found'}, driver ${existsSync(DRIVER_PATH) ? 'found' : 'NOT found'}`,
      );
    });
  });
} else {
  describe('differential vs real Erlang/OTP', () => {
    it('30 random scenarios give byte-identical logs and exit statuses', async () => {
      const samples = fc.sample(fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), {
        seed: 20261121,
        numRuns: 30,
      });
      const results = await inParallel(
        samples.map((ints, i) => async () => {
          const text = generateScenario(randFrom(ints));
          const file = join(dir, `random_${i}.scn`);
          writeFileSync(file, text);
          const [erl, ts] = await Promise.all([runDriver(file), runScenarioText(text, file)]);
          return { file, text, erl, ts };
        }),
        6,
      );
      for (const r of results) {
        expect({ file: r.file, stdout: r.ts.stdout, code: r.ts.code }).toEqual({
          file: r.file,
          stdout: r.erl.stdout,
          code: r.erl.code,
        });
      }
      // the generator must mostly produce scenarios that run to the end
      expect(results.filter((r) => r.erl.code === 0).length).toBeGreaterThanOrEqual(20);
    }, 300_000);

    it('malformed scenarios give the same status 2 and stderr message', async () => {
      const results = await inParallel(
        MALFORMED.map((text, i) => async () => {
          const file = join(dir, `malformed_${i}.scn`);
          writeFileSync(file, text);
          const [erl, ts] = await Promise.all([runDriver(file), runScenarioText(text, file)]);
          return { text, erl, ts };
        }),
        6,
      );
      for (const r of results) {
        expect({ text: r.text, stderr: r.ts.stderr, code: r.ts.code }).toEqual({
          text: r.text,
          stderr: r.erl.stderr,
          code: r.erl.code,
        });
      }
    }, 300_000);
  });
}
