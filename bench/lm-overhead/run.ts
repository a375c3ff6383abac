/**
 * LM-layer overhead: the raw `openai` SDK against the same call through dspex, on the OpenAI
 * fixture (echo mode) running in a child process on loopback. Cells: fixture latency {0, 20 ms} ×
 * concurrency {1, 64}. Prints per-call client CPU, its overhead over the SDK (the baseline measured
 * in the same run) and the throughput ratio. Ax's numbers for the same setup: reference/ax.md §2.
 *
 *   npx tsx bench/lm-overhead/run.ts [--scale 0.5] [--json] [--cell 0:64]
 *
 * `--scale` multiplies both the calls and the time cap of every cell; `--cell LATENCY:CONCURRENCY`
 * (repeatable) runs only those cells.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runRound, summarise, type CellResult, type Round } from './measure.js';
import { DummyLM } from '../../src/lm/index.js';
import { qaMessages } from './prompt.js';
import { VARIANTS } from './variants.js';

const args = process.argv.slice(2);
const scaleIdx = args.indexOf('--scale');
const scale = scaleIdx >= 0 ? Number(args[scaleIdx + 1] ?? 1) : 1;
const asJson = args.includes('--json');
const onlyCells = args.flatMap((a, i) => (args[i - 1] === '--cell' ? [a] : []));

/**
 * Calls per cell (as in Ax's run 2), split into `ROUNDS` alternating rounds and capped at `CELL_MS`
 * of wall time per variant, so a full run stays under ~60 s even on a shared, loaded 2-core machine.
 */
const CELLS: Array<{ latencyMs: number; concurrency: number; calls: number }> = [
  { latencyMs: 0, concurrency: 1, calls: 1000 },
  { latencyMs: 0, concurrency: 64, calls: 2000 },
  { latencyMs: 20, concurrency: 1, calls: 200 },
  { latencyMs: 20, concurrency: 64, calls: 2000 },
];
const CELL_MS = 5000;
const WARMUP = { maxCalls: 300, maxMs: 2000 };
const ROUNDS = 4;

async function startFixtureProcess(): Promise<{
  url: string;
  port: number;
  stop: () => Promise<void>;
}> {
  const serve = fileURLToPath(new URL('../../test/fixtures/serve.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', serve, 'openai'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const info = JSON.parse(line) as { url: string; port: number };
  return {
    ...info,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

async function setLatency(port: number, ms: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/__fixture/latency`, {
    method: 'POST',
    body: JSON.stringify({ ms }),
  });
  if (!res.ok) throw new Error(`cannot set fixture latency: ${res.status}`);
}

function pad(v: string | number, n: number): string {
  return String(v).padStart(n);
}

/**
 * CPU per call of the LM pipeline itself (merge params, callbacks, retries wrapper, deadline, usage,
 * cost, history), isolated from HTTP noise: DummyLM against a bare async function.
 */
async function pipelineCpu(): Promise<number> {
  const n = 20_000;
  const lm = new DummyLM({});
  const bare = (m: unknown): Promise<unknown> => Promise.resolve(m);
  const time = async (f: (i: number) => Promise<unknown>): Promise<number> => {
    for (let i = 0; i < 2000; i++) await f(i);
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await f(i);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  const base = await time((i) => bare(qaMessages(`q${i}`)));
  const withLm = await time((i) => lm.complete({ messages: qaMessages(`q${i}`) }));
  return withLm - base;
}

async function main(): Promise<void> {
  const started = performance.now();
  const fixture = await startFixtureProcess();
  const ctx = { baseURL: fixture.url, model: 'gpt-4o-mini' };
  const calls = await Promise.all(
    VARIANTS.map(async (v) => ({ name: v.name, call: await v.setup(ctx) })),
  );
  const results: CellResult[] = [];
  try {
    // Warm the JIT and the connection pools of every variant before measuring anything.
    for (const v of calls) await runRound(8, WARMUP, v.call);
    for (const cell of CELLS) {
      if (onlyCells.length > 0 && !onlyCells.includes(`${cell.latencyMs}:${cell.concurrency}`))
        continue;
      await setLatency(fixture.port, cell.latencyMs);
      const budget = {
        maxCalls: Math.max(10, Math.ceil((cell.calls * scale) / ROUNDS)),
        maxMs: (CELL_MS * scale) / ROUNDS,
      };
      const rounds = new Map<string, Round[]>(calls.map((v) => [v.name, []]));
      // Rounds alternate the variants' order (ABBA…) so drift in machine load hits all alike.
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? calls : [...calls].reverse();
        for (const v of order)
          rounds.get(v.name)?.push(await runRound(cell.concurrency, budget, v.call));
      }
      for (const v of calls)
        results.push(summarise(v.name, cell.latencyMs, cell.concurrency, rounds.get(v.name) ?? []));
    }
  } finally {
    await fixture.stop();
  }
  if (asJson) {
    process.stdout.write(JSON.stringify({ bench: 'lm-overhead', results }, null, 2) + '\n');
    return;
  }
  const baseline = VARIANTS[0]?.name;
  console.log(
    'latency  conc  variant        calls   calls/s  mean ms   p99 ms  CPU µs/call  ΔCPU µs/call  thrpt ratio',
  );
  for (const r of results) {
    const base = results.find(
      (b) =>
        b.variant === baseline && b.latencyMs === r.latencyMs && b.concurrency === r.concurrency,
    );
    const dCpu =
      base === undefined || r.variant === baseline
        ? '-'
        : (r.cpuUsPerCall - base.cpuUsPerCall).toFixed(0);
    const ratio =
      base === undefined || r.variant === baseline
        ? '-'
        : (r.callsPerSec / base.callsPerSec).toFixed(2);
    console.log(
      [
        pad(`${r.latencyMs} ms`, 7),
        pad(r.concurrency, 5),
        ' ' + r.variant.padEnd(12),
        pad(r.calls, 7),
        pad(r.callsPerSec.toFixed(0), 9),
        pad(r.meanMs.toFixed(2), 8),
        pad(r.p99Ms.toFixed(2), 8),
        pad(r.cpuUsPerCall.toFixed(0), 12),
        pad(dCpu, 13),
        pad(ratio, 12),
      ].join(' '),
    );
  }
  const pipeline = await pipelineCpu();
  console.log(
    `\nPipeline alone (DummyLM.complete vs a bare async call, no network): +${pipeline.toFixed(1)} µs CPU/call.`,
  );
  console.log(
    `ΔCPU and ratio are against '${baseline}' in the same run; total ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
}

await main();
