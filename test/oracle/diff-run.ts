/**
 * Manual differential run: `npx tsx test/oracle/diff-run.ts [COUNT] [SEED]` generates scenarios,
 * runs them on real Erlang and on the TS runner, and prints every mismatch (files kept in
 * /tmp/dspex-oracle-diff).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { runDriver } from './lib/driver.js';
import { generateScenario, randFrom } from './lib/generate.js';
import { runScenarioText } from './lib/run-file.js';

const count = Number(process.argv[2] ?? 30);
const seed = Number(process.argv[3] ?? 42);
const dir = '/tmp/dspex-oracle-diff';
mkdirSync(dir, { recursive: true });
const samples = fc.sample(fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), {
  seed,
  numRuns: count,
});
let bad = 0;
const codes = new Map<number, number>();
const jobs = samples.map((ints, i) => async () => {
  const text = generateScenario(randFrom(ints));
  const file = `${dir}/g${seed}_${i}.scn`;
  writeFileSync(file, text);
  const [erl, ts] = await Promise.all([runDriver(file), runScenarioText(text, file)]);
  codes.set(erl.code, (codes.get(erl.code) ?? 0) + 1);
  if (erl.stdout !== ts.stdout || erl.code !== ts.code) {
    bad++;
    console.log(`MISMATCH ${file} (erl ${erl.code}, ts ${ts.code})`);
  }
});
const queue = [...jobs];
await Promise.all(
  [0, 1, 2].map(async () => {
    for (let j = queue.shift(); j !== undefined; j = queue.shift()) await j();
  }),
);
console.log(`${count - bad}/${count} identical; erlang exit codes:`, Object.fromEntries(codes));
