/**
 * `npm run test:oracle`: runs every scenario of test/oracle/scenarios on the TS runner and
 * compares with its recorded real-Erlang `.log`, byte for byte. Exit status 1 on any mismatch.
 * (`bash test/oracle/regen-logs.sh` re-checks the logs themselves against real Erlang.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenarioFile } from './lib/run-file.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
let failed = 0;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.scn'))
  .sort();
for (const f of files) {
  const out = await runScenarioFile([join(dir, f)]);
  const expected = readFileSync(join(dir, f.replace(/\.scn$/, '.log')), 'latin1');
  const same = out.code === 0 && out.stdout === expected;
  if (!same) failed++;
  console.log(`${same ? 'ok  ' : 'FAIL'} ${f}`);
}
console.log(
  `oracle: ${files.length - failed}/${files.length} scenarios identical to real Erlang/OTP`,
);
process.exitCode = failed === 0 ? 0 : 1;
