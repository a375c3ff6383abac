/**
 * Soak: does a node's memory plateau? One dspex node process (Redis mode, the `qa` program on the
 * OpenAI fixture at 0 ms) takes rounds of jobs from a plain BullMQ producer; after each round the
 * node's RSS (/proc/PID/status VmRSS) is printed. Beside it, in the same run, a node configured as
 * before the fix (`lm.historySize: 10000`, DSPy's global history size, whose entries keep every
 * call's messages and raw answer), so the difference is visible on one machine.
 *
 *   npx tsx bench/runtime/soak.ts [--rounds 4] [--jobs 2000]
 *
 * After each round it also prints each node's JS heap after a full GC (the node runs with
 * --expose-gc and answers SIGUSR2). Measured at load ~20, 4 rounds of 500 (`--jobs 500`): now RSS
 * 180 → 213 → 185 → 185 → 197 MB, heap 34.1 → 40.2 → 42.1 → 42.5 → 43.1 MB (a plateau after warm-up);
 * before RSS 191 → 220 → 186 → 191 → 204 MB, heap 34.0 → 40.4 → 42.5 → 44.7 → 47.0 MB (+2.2 MB a
 * round, the history entries).
 *
 * Measured on the shared 2-core machine (load ~18), 4 rounds of 2 000: now 183 → 207 → 296 → 294
 * → 312 MB, before 182 → 271 → 311 → 351 → 243 MB. RSS moves with V8's collection timing; the JS
 * heap itself (heap snapshots, taken after a full GC, of one node after round 1 and round 3 with
 * `--heapsnapshot-signal`) grew by 1.9 MB over those 4 000 jobs, none of it per-job maps, listeners
 * or metric label sets (the largest growth: ~1 300 AbortSignal listeners held by undici's
 * FinalizationRegistry until their requests are collected).
 */
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { spawnNode, type NodeProcess } from '../../test/runtime/fixtures/node-process.js';
import { numberOption, startBenchBackends } from './bench-setup.js';
import { burst } from './measure.js';

const ROUNDS = numberOption('--rounds', 4);
const JOBS = numberOption('--jobs', 2000);

/** The node's JS heap in use after a full GC (cluster-node.ts answers SIGUSR2 under --expose-gc). */
async function heapMb(node: NodeProcess): Promise<number> {
  const line = new Promise<number>((resolve) => {
    const onData = (d: Buffer): void => {
      const m = /"heapUsedMb":([\d.]+)/.exec(d.toString());
      if (m === null) return;
      node.child.stdout?.off('data', onData);
      resolve(Number(m[1]));
    };
    node.child.stdout?.on('data', onData);
  });
  node.child.kill('SIGUSR2');
  return line;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
}

const { redis, lmUrl, connection, stop } = await startBenchBackends();
const stats = new Redis(redis.url);
const variants: { name: string; prefix: string; node: NodeProcess }[] = [
  { name: 'now (lm.historySize 100)', prefix: 'soak-now', extra: {} },
  {
    name: 'before (history 10 000)',
    prefix: 'soak-before',
    extra: { lm: { historySize: 10_000 } },
  },
].map((v) => ({
  name: v.name,
  prefix: v.prefix,
  node: spawnNode({
    nodeId: v.prefix,
    redisUrl: redis.url,
    prefix: v.prefix,
    lmUrl,
    concurrency: 8,
    logLevel: 'error',
    nodeArgs: ['--expose-gc'],
    // The burst counts completed jobs in the queue: keep a whole round of them (the default
    // retention keeps 1 000, which made a 2 000-job round wait for ever). Redis memory, not the
    // node's, so it does not bear on the RSS measured here.
    extraConfig: { retention: { completedJobs: { ageSeconds: 3600, count: JOBS } }, ...v.extra },
  }),
}));
const rows: string[] = [];
try {
  await Promise.all(variants.map((v) => v.node.ready));
  const rss: Record<string, number[]> = {};
  const heap: Record<string, number[]> = {};
  for (const v of variants) {
    rss[v.name] = [rssMb(v.node.child.pid!)];
    heap[v.name] = [await heapMb(v.node)];
  }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of variants) {
      const queue = new Queue('dspex-run', { prefix: v.prefix, connection });
      const r = await burst(
        queue,
        stats,
        JOBS,
        (i) => ({ program: 'qa', inputs: { question: `soak ${round} ${i} ${'x'.repeat(2000)}` } }),
        600_000,
      );
      await queue.close();
      rss[v.name]!.push(rssMb(v.node.child.pid!));
      heap[v.name]!.push(await heapMb(v.node));
      process.stderr.write(
        `[soak] ${v.name} round ${round}: ${r.jobsPerSec.toFixed(1)} j/s, RSS ${rss[v.name]!.at(-1)!.toFixed(0)} MB, heap after GC ${heap[v.name]!.at(-1)!.toFixed(1)} MB\n`,
      );
    }
  }
  rows.push(
    `bench/runtime soak — ${ROUNDS} rounds of ${JOBS} jobs (2 KB question each), MB after start and after each round`,
    ...variants.flatMap((v) => [
      `${v.name}: RSS ${rss[v.name]!.map((x) => x.toFixed(0)).join(' → ')}`,
      `${v.name}: JS heap after GC ${heap[v.name]!.map((x) => x.toFixed(1)).join(' → ')}`,
    ]),
  );
} finally {
  stats.disconnect();
  for (const v of variants) await v.node.kill('SIGTERM');
  await stop();
}
process.stdout.write(`${rows.join('\n')}\n`);
