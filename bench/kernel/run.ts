/**
 * The supervision kernel (src/kernel, xstate v5 actors) against real Erlang/OTP, same machine,
 * same run: call round trip, cast throughput, actor start cost, restart latency, memory per idle
 * actor and start + stop of 10,000 dynamic children, printed as ratios with the targets.
 *
 *   npx tsx bench/kernel/run.ts [--scale 0.2] [--rounds 3] [--json] [--no-otp] [--tsx]
 *                               [--cpu-prof DIR]
 *
 * Method of reference/runtime.md §3.2: `NODE_ENV=production`, `--expose-gc`, best of 3. The
 * script re-executes itself under those flags, on a JavaScript copy of the kernel and the bench
 * made by TypeScript's transpiler (the code as `tsc` ships it; see compile.ts), unless `--tsx`
 * asks to measure through tsx. The Erlang side is otp_bench.escript (one scheduler, logger off);
 * without escript only the TypeScript numbers print. `--cpu-prof DIR` writes a V8 CPU profile.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compileBench } from './compile.js';
import { measureKernel } from './measure-kernel.js';
import { measureOtp } from './otp.js';
import type { OtpResult, OtpUnavailable } from './otp.js';
import { DEFAULT_SIZES, scaleSizes } from './sizes.js';
import { buildRows, renderTable } from './table.js';

/** Set in the re-executed child: which code it runs ('compiled' or 'tsx'). */
const MODE_ENV = 'DSPEX_KERNEL_BENCH_MODE';

const args = process.argv.slice(2);
function option(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
const scale = Number(option('--scale') ?? 1);
const rounds = Math.max(1, Math.round(Number(option('--rounds') ?? 3)));
const asJson = args.includes('--json');
const withOtp = !args.includes('--no-otp');
const viaTsx = args.includes('--tsx');
const cpuProfDir = option('--cpu-prof');

function run(nodeArgs: string[], mode: string): Promise<number> {
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', [MODE_ENV]: mode },
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

/** Re-runs the bench under `node --expose-gc`, NODE_ENV=production; resolves its exit code. */
async function respawn(): Promise<number> {
  const flags = ['--expose-gc'];
  if (cpuProfDir !== undefined) flags.push('--cpu-prof', '--cpu-prof-dir', cpuProfDir);
  const self = fileURLToPath(import.meta.url);
  if (!viaTsx) {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    let compiled: ReturnType<typeof compileBench> | undefined;
    try {
      compiled = compileBench(self, root);
    } catch (e) {
      process.stderr.write(`cannot transpile the bench (${(e as Error).message}); using tsx\n`);
    }
    if (compiled !== undefined) {
      try {
        return await run([...flags, compiled.entry], 'compiled');
      } finally {
        rmSync(compiled.dir, { recursive: true, force: true });
      }
    }
  }
  return run([...flags, '--import', import.meta.resolve('tsx'), self], 'tsx');
}

/** xstate's version, read next to the module it resolves to. */
function xstateVersion(): string {
  try {
    const entry = fileURLToPath(import.meta.resolve('xstate'));
    const pkg = entry.slice(0, entry.lastIndexOf('/node_modules/xstate/') + 21) + 'package.json';
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const benchStarted = performance.now();
const progress = (step: string): void => {
  const t = ((performance.now() - benchStarted) / 1000).toFixed(1);
  if (!asJson) process.stderr.write(`  [${t.padStart(5)} s] ${step}\n`);
};

async function main(): Promise<void> {
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`--scale must be > 0, got ${scale}`);
  const sizes = scaleSizes(DEFAULT_SIZES, scale);
  const load = loadavg()[0] ?? 0;
  let otp: OtpResult | OtpUnavailable = { unavailable: 'skipped (--no-otp)' };
  if (withOtp) {
    progress('Erlang/OTP side (otp_bench.escript)');
    otp = await measureOtp(sizes, rounds);
  }
  progress('dspex kernel side');
  const dspex = await measureKernel(sizes, rounds, progress);
  const otpNumbers = 'numbers' in otp ? otp.numbers : undefined;
  const rows = buildRows(sizes, dspex, otpNumbers);
  const elapsedS = (performance.now() - benchStarted) / 1000;
  const mode = process.env[MODE_ENV] ?? 'tsx';
  if (asJson) {
    const out = {
      bench: 'kernel',
      mode,
      sizes,
      rounds,
      loadavg1: load,
      dspex,
      otp,
      rows,
      elapsedS,
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const cores = cpus().length;
  const otpLabel =
    'numbers' in otp
      ? `Erlang/OTP ${otp.otpRelease} (erts ${otp.erts}, ${otp.schedulers} scheduler)`
      : 'Erlang/OTP';
  console.log(
    `\nbench/kernel: dspex kernel (Node ${process.version}, xstate ${xstateVersion()}, ` +
      `${mode === 'compiled' ? 'transpiled JS' : 'through tsx'}, NODE_ENV=` +
      `${process.env['NODE_ENV'] ?? ''}) vs ${otpLabel}`,
  );
  console.log(renderTable(rows));
  if ('unavailable' in otp) console.log(`\nErlang/OTP was not measured: ${otp.unavailable}.`);
  console.log(
    `\nBest of ${rounds} round${rounds === 1 ? '' : 's'} per metric; ratio = dspex cost ÷ OTP cost (> 1: dspex slower or ` +
      `bigger; for throughput OTP rate ÷ dspex rate). Targets apply to dspex.`,
  );
  const busy = load > cores ? ' (machine busy: wall-clock numbers are inflated on both sides)' : '';
  console.log(
    `Sizes: ${Object.entries(sizes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. Load average ${load.toFixed(1)} on ${cores} cores${busy}; ` +
      `measured in ${elapsedS.toFixed(1)} s.`,
  );
}

const ready =
  process.env[MODE_ENV] !== undefined ||
  (typeof globalThis.gc === 'function' &&
    process.env['NODE_ENV'] === 'production' &&
    cpuProfDir === undefined);
if (ready) await main();
else process.exitCode = await respawn();
