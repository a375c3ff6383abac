/**
 * HTTP serving benchmark: the same `qa` program (one Predict through the OpenAI SDK and the wire
 * fixture) behind dspex's HTTP API and behind a bare node:http handler (bench/http/server.ts, one
 * process; the fixture in another; this process only sends load). At 0 ms and 50 ms LM latency,
 * each round sends `--requests` POSTs with `--clients` concurrent keep-alive clients to each variant,
 * the order alternating per round; the table gives the median and spread (min–max) over rounds of
 * requests/s and p99 latency, and the API / bare ratio of requests/s.
 *
 *   npx tsx bench/http/run.ts [--rounds 5] [--requests 600] [--clients 8]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { numberOption } from '../runtime/bench-setup.js';
import { quantile } from '../runtime/measure.js';
import { ROOT } from '../../test/runtime/fixtures/node-process.js';

const ROUNDS = numberOption('--rounds', 5);
const REQUESTS = numberOption('--requests', 600);
const CLIENTS = numberOption('--clients', 8);
const LATENCIES = [0, 50] as const;
type Variant = 'api' | 'bare';

async function spawnLine(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, line };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** `requests` POSTs from `clients` concurrent loops; requests/s, latencies (ms), non-200 count. */
async function load(
  url: string,
  requests: number,
  clients: number,
  round: number,
): Promise<{ rps: number; p99: number; p50: number; failed: number }> {
  let next = 0;
  let failed = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < requests; i = next++) {
        const t = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: { question: `round ${round} question ${i}` } }),
        });
        await res.text();
        latencies.push(performance.now() - t);
        if (res.status !== 200) failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    rps: requests / seconds,
    p99: quantile(latencies, 0.99),
    p50: quantile(latencies, 0.5),
    failed,
  };
}

const fmt = (x: number, d = 0): string => x.toFixed(d);
const spread = (xs: number[], d = 0): string =>
  `${fmt(quantile(xs, 0.5), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;

async function main(): Promise<void> {
  const fixture = await spawnLine([`${ROOT}/test/fixtures/serve.ts`, 'openai']);
  const lmUrl = (JSON.parse(fixture.line) as { url: string }).url;
  const server = await spawnLine([`${ROOT}/bench/http/server.ts`, '--lm-url', lmUrl]);
  const urls = JSON.parse(server.line) as Record<Variant, string>;
  const target: Record<Variant, string> = {
    api: `${urls.api}/v1/programs/qa/run`,
    bare: urls.bare,
  };
  console.log(
    `bench/http: ${ROUNDS} rounds × ${REQUESTS} requests, ${CLIENTS} clients; ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  try {
    for (const latency of LATENCIES) {
      await fetch(new URL('/__fixture/latency', lmUrl.replace(/\/v1$/, '/')), {
        method: 'POST',
        body: JSON.stringify({ ms: latency }),
      });
      // Warm-up: JIT, connections, the SDK's client.
      for (const v of ['api', 'bare'] as const) await load(target[v], 100, CLIENTS, -1);
      const results: Record<Variant, { rps: number[]; p99: number[]; failed: number }> = {
        api: { rps: [], p99: [], failed: 0 },
        bare: { rps: [], p99: [], failed: 0 },
      };
      const ratios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const order: Variant[] = round % 2 === 0 ? ['api', 'bare'] : ['bare', 'api'];
        const got: Partial<Record<Variant, number>> = {};
        for (const v of order) {
          const r = await load(target[v], REQUESTS, CLIENTS, round);
          results[v].rps.push(r.rps);
          results[v].p99.push(r.p99);
          results[v].failed += r.failed;
          got[v] = r.rps;
        }
        ratios.push((got.api ?? 0) / (got.bare ?? 1));
      }
      console.log(`\nLM latency ${latency} ms`);
      console.log('variant  requests/s median (min–max)   p99 ms median (min–max)   non-200');
      for (const v of ['api', 'bare'] as const)
        console.log(
          `${v.padEnd(8)} ${spread(results[v].rps).padEnd(30)} ${spread(results[v].p99, 1).padEnd(25)} ${results[v].failed}`,
        );
      console.log(`api/bare requests/s ratio: ${spread(ratios, 2)}`);
    }
  } finally {
    await stop(server.child);
    await stop(fixture.child);
  }
}

await main();
