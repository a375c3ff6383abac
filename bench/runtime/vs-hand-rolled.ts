/**
 * A dspex node against the worker a user would write by hand, side by side in one run: one process
 * each, concurrency 8, the same Redis and the same OpenAI fixture (its own process), at 0 ms and
 * 50 ms LM latency. Variants, each a burst of jobs timed first add → last finish:
 *
 * - `dspex`: a node (test/runtime/fixtures/cluster-node.ts: startRuntime + startDaemon) running the
 *   `qa` program (one Predict) from a plain BullMQ producer on `dspex-run`;
 * - `hand-rolled`: bench/runtime/hand-rolled-worker.ts, a BullMQ Worker with the same ChatAdapter
 *   prompt through the official `openai` SDK and the same parse;
 * - `empty`: bench/runtime/raw-worker.ts, a BullMQ Worker doing nothing: the ceiling of the queue;
 * - `hand-rolled-als` (`--hand-als`): the hand-rolled worker with one AsyncLocalStorage scope per job
 *   and nothing else changed — what enabling AsyncLocalStorage alone costs on this Node version
 *   (a node carries each job's context and routes its async faults through one).
 * - `hand-rolled-node-transport` (`--hand-transport`): the hand-rolled worker with its SDK client on
 *   dspex's HTTP transport (src/lm/http-transport.ts), which a node's LMs use instead of Node's
 *   `fetch`: against it, the ratio shows the node's own per-job work without the transport's gain.
 *
 * Rounds alternate the order of the variants; the table gives the median jobs/s and the spread
 * (min–max) over rounds, and the dspex / hand-rolled ratio per round (median, min–max). Targets
 * (issue 8): ≥ 0.8× at 0 ms, ≥ 0.95× at 50 ms. Each round also gives every worker's time on the
 * worker per job (p50/p99) and the CPU ms a job costs its process (/proc), which a loaded machine
 * distorts far less than jobs/s.
 *
 * Every variant first runs `--warmup` jobs (default 1 200), unmeasured.
 *
 *   npx tsx bench/runtime/vs-hand-rolled.ts [--rounds 5] [--jobs 400] [--warmup 1200] [--latency 0|50]
 *     [--baseline DIR] [--hand-als] [--hand-transport]
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ROOT, spawnNode } from '../../test/runtime/fixtures/node-process.js';
import { numberOption, spawnReady, startBenchBackends, stopChild } from './bench-setup.js';
import { burst, quantile } from './measure.js';

const ROUNDS = numberOption('--rounds', 5);
const JOBS = numberOption('--jobs', 400);
const WARMUP = numberOption('--warmup', 1200);
const CONCURRENCY = 8;
const PREFIX = 'vs';
const ALL_LATENCIES = [0, 50] as const;
// `--latency 50` runs one latency only (diagnosis); default both.
const ONLY = process.argv.includes('--latency') ? numberOption('--latency', 0) : undefined;
const LATENCIES = ALL_LATENCIES.filter((l) => ONLY === undefined || l === ONLY);
const TARGET: Record<(typeof ALL_LATENCIES)[number], number> = { 0: 0.8, 50: 0.95 };
// `--baseline DIR`: a node from another checkout (e.g. `git archive <rev>` unpacked, with a
// node_modules link) runs as variant `dspex-base` in the same rounds: before/after side by side.
const BASELINE = process.argv.includes('--baseline')
  ? process.argv[process.argv.indexOf('--baseline') + 1]
  : undefined;
const HAND_ALS = process.argv.includes('--hand-als');
const HAND_TRANSPORT = process.argv.includes('--hand-transport');

/**
 * CPU time (user + system, every thread) process `pid` has used so far, ms, from /proc (Linux):
 * the CPU a burst costs is far less sensitive to the machine's load than its jobs/s.
 */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
/** USER_HZ of /proc/<pid>/stat: 100 on Linux. */
const CLOCK_TICKS = 100;

const fmt = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
const spread = (xs: number[], d = 0): string =>
  `${fmt(quantile(xs, 0.5), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;

export async function main(): Promise<void> {
  const {
    redis,
    fixture,
    lmUrl,
    connection,
    setLatency,
    stop: stopBackends,
  } = await startBenchBackends();
  const queues: Record<string, Queue> = {
    dspex: new Queue('dspex-run', { prefix: PREFIX, connection }),
    'hand-rolled': new Queue('hand', { prefix: PREFIX, connection }),
    empty: new Queue('raw', { prefix: PREFIX, connection }),
    ...(BASELINE === undefined
      ? {}
      : { 'dspex-base': new Queue('dspex-run', { prefix: `${PREFIX}b`, connection }) }),
    ...(HAND_ALS
      ? { 'hand-rolled-als': new Queue('hand-als', { prefix: PREFIX, connection }) }
      : {}),
    ...(HAND_TRANSPORT
      ? { 'hand-rolled-node-transport': new Queue('hand-nt', { prefix: PREFIX, connection }) }
      : {}),
  };
  const stats = new Redis(redis.url);
  // The other processes a burst keeps busy on the same cores: redis-server and the LM fixture.
  const redisPid = Number(/process_id:(\d+)/.exec(await stats.info('server'))?.[1]);
  const node = spawnNode({
    nodeId: 'vs-1',
    redisUrl: redis.url,
    prefix: PREFIX,
    lmUrl,
    concurrency: CONCURRENCY,
    logLevel: 'error',
  });
  const base =
    BASELINE === undefined
      ? undefined
      : spawnNode({
          nodeId: 'vs-base',
          redisUrl: redis.url,
          prefix: `${PREFIX}b`,
          lmUrl,
          concurrency: CONCURRENCY,
          logLevel: 'error',
          root: BASELINE,
        });
  const children: ChildProcess[] = [];
  // Each variant's worker process, for its CPU per job.
  const pids: Record<string, number | undefined> = {};
  /** Starts a bench worker (`script` REDIS_URL PREFIX QUEUE CONCURRENCY …rest) for `variant`. */
  const startWorker = async (
    variant: string,
    script: string,
    queue: string,
    rest: string[],
  ): Promise<void> => {
    const { child } = await spawnReady(`${ROOT}/bench/runtime/${script}`, [
      redis.url,
      PREFIX,
      queue,
      String(CONCURRENCY),
      ...rest,
    ]);
    children.push(child);
    pids[variant] = child.pid;
  };
  const out: string[] = [];
  try {
    await startWorker('hand-rolled', 'hand-rolled-worker.ts', 'hand', [lmUrl]);
    await startWorker('empty', 'raw-worker.ts', 'raw', []);
    if (HAND_ALS)
      await startWorker('hand-rolled-als', 'hand-rolled-worker.ts', 'hand-als', [lmUrl, '--als']);
    if (HAND_TRANSPORT)
      await startWorker('hand-rolled-node-transport', 'hand-rolled-worker.ts', 'hand-nt', [
        lmUrl,
        '--node-transport',
      ]);
    await node.ready;
    await base?.ready;
    pids['dspex'] = node.child.pid;
    pids['dspex-base'] = base?.child.pid;
    const qa = (i: number): Record<string, unknown> => ({
      program: 'qa',
      inputs: { question: `q ${i} ${Math.random()}` },
    });
    out.push(
      `bench/runtime vs hand-rolled — ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, concurrency ${CONCURRENCY}, ${JOBS} jobs a burst, ${ROUNDS} rounds`,
      '| LM latency | node | node j/s median (min–max) | hand-rolled j/s | empty worker j/s | node / hand-rolled per round | target | CPU ms/job node | CPU ms/job hand-rolled | redis + LM CPU ms/job node · hand-rolled |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const latency of LATENCIES) {
      await setLatency(latency);
      const variants = Object.keys(queues);
      const perVariant = <T>(): Record<string, T[]> =>
        Object.fromEntries(variants.map((v) => [v, [] as T[]]));
      const runs = perVariant<number>();
      // Time on the worker (picked up → finished, BullMQ's processedOn → finishedOn) per round.
      const onWorker = perVariant<string>();
      // CPU ms a job costs its worker process, per round.
      const cpu = perVariant<number>();
      // CPU ms a job costs redis-server and the LM fixture (the whole machine is 2 cores: their
      // CPU is CPU the worker cannot have).
      const sideCpu = perVariant<number>();
      // Warm-up of every variant (JIT, connections, caches), not measured: bursts until
      // `--warmup` jobs ran, so the rounds compare steady states, not how fast each JIT warms up.
      for (const v of variants)
        for (let done = 0; done < WARMUP; done += JOBS)
          await burst(queues[v]!, stats, Math.min(JOBS, WARMUP - done), qa, 300_000);
      for (let round = 0; round < ROUNDS; round++) {
        const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
        for (const v of order) {
          const jobs = v === 'empty' ? JOBS * 4 : JOBS;
          const cpuBefore = cpuMs(pids[v]);
          const sideBefore = cpuMs(redisPid) + cpuMs(fixture.pid);
          const r = await burst(queues[v]!, stats, jobs, qa, 300_000);
          cpu[v]!.push((cpuMs(pids[v]) - cpuBefore) / jobs);
          sideCpu[v]!.push((cpuMs(redisPid) + cpuMs(fixture.pid) - sideBefore) / jobs);
          if (r.failed > 0) process.stderr.write(`WARNING: ${r.failed} ${v} jobs failed\n`);
          runs[v]!.push(r.jobsPerSec);
          onWorker[v]!.push(`${r.nodeP50}/${r.nodeP99}`);
        }
        const last = (v: string, d = 1): string => fmt(runs[v]!.at(-1)!, d);
        process.stderr.write(
          `[vs-hand-rolled] ${latency} ms round ${round + 1}: ${variants.map((v) => `${v} ${last(v)} j/s (on the worker p50/p99 ${onWorker[v]!.at(-1)} ms, CPU ${fmt(cpu[v]!.at(-1)!, 2)} ms/job, redis+LM ${fmt(sideCpu[v]!.at(-1)!, 2)})`).join('; ')}\n`,
        );
      }
      const hand = runs['hand-rolled']!;
      const row = (v: string): string => {
        const ratios = runs[v]!.map((d, i) => d / hand[i]!);
        const median = quantile(ratios, 0.5);
        return `| ${latency} ms | ${v} | ${spread(runs[v]!, 1)} | ${spread(hand, 1)} | ${spread(runs.empty!)} | ${spread(ratios, 3)} | ≥ ${TARGET[latency]}: ${median >= TARGET[latency] ? 'met' : 'NOT met'} | ${spread(cpu[v]!, 2)} | ${spread(cpu['hand-rolled']!, 2)} | ${fmt(quantile(sideCpu[v]!, 0.5), 2)} · ${fmt(quantile(sideCpu['hand-rolled']!, 0.5), 2)} |`;
      };
      out.push(row('dspex'));
      if (runs['dspex-base'] !== undefined) out.push(row('dspex-base'));
      if (runs['hand-rolled-als'] !== undefined) out.push(row('hand-rolled-als'));
      if (runs['hand-rolled-node-transport'] !== undefined) {
        out.push(row('hand-rolled-node-transport'));
        // The node against the hand-rolled worker on the same transport.
        const same = runs['hand-rolled-node-transport'];
        const ratios = runs.dspex!.map((d, i) => d / same[i]!);
        out.push(
          `| ${latency} ms | dspex / hand-rolled-node-transport | | | | ${spread(ratios, 3)} | | | |`,
        );
      }
    }
  } finally {
    for (const q of Object.values(queues)) await q.close();
    stats.disconnect();
    await node.kill('SIGTERM');
    await base?.kill('SIGTERM');
    for (const c of children) await stopChild(c);
    await stopBackends();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
