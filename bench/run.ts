/**
 * Runs every benchmark, `bench/<name>/run.ts`, one after the other (never in parallel: they
 * measure time on a shared machine), each in its own Node process through tsx.
 *
 *   npx tsx bench/run.ts                  # all of them
 *   npx tsx bench/run.ts kernel --scale 0.2   # only bench/kernel, with its options
 *
 * Arguments naming a benchmark select it; every other argument is passed to each benchmark.
 * Exits non-zero if any benchmark failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(benchDir, d.name, 'run.ts')))
  .map((d) => d.name)
  .sort();

const args = process.argv.slice(2);
const selected = args.filter((a) => available.includes(a));
const forwarded = args.filter((a) => !available.includes(a));
const benches = selected.length > 0 ? selected : available;

function runBench(name: string): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(benchDir, name, 'run.ts'), ...forwarded],
    { stdio: 'inherit' },
  );
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

const outcomes: { name: string; code: number; seconds: number }[] = [];
for (const name of benches) {
  console.log(`\n=== bench/${name} ===`);
  const t0 = performance.now();
  const code = await runBench(name);
  outcomes.push({ name, code, seconds: (performance.now() - t0) / 1000 });
}
console.log('\n=== summary ===');
for (const o of outcomes)
  console.log(
    `${o.name.padEnd(16)} ${o.code === 0 ? 'ok' : `FAILED (exit ${o.code})`}  ${o.seconds.toFixed(1)} s`,
  );
if (outcomes.some((o) => o.code !== 0)) process.exitCode = 1;
