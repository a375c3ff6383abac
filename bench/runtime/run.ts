/**
 * Runtime throughput, latency and recovery, with real processes: an own redis-server on a free
 * port, the OpenAI fixture (0 ms, echo mode) in its own process, and 1, 2, 4 dspex node processes
 * (test/runtime/fixtures/cluster-node.ts: startRuntime + startDaemon, concurrency 8 each) fed by a
 * plain BullMQ producer. Beside each cell, the raw BullMQ ceiling measured in the same run: the
 * same number of processes running an empty BullMQ worker (bench/runtime/raw-worker.ts) with the
 * same concurrency and lock settings.
 *
 *   npx tsx bench/runtime/run.ts [--scale 0.5] [--json]
 *
 * - jobs/s: a burst enqueued at once, first add → last finish. 1-stage = `qa` (one Predict, one
 *   LM call); 3-stage = `chain3` (three chained Predicts, three LM calls, in one job).
 * - latency: p50/p99 add → finish of jobs sent one by one at half the measured throughput, and
 *   p50/p99 time on a node (picked up → finished) in the burst.
 * - recovery: with 4 nodes under a burst, one node SIGKILLed; kill → last of its in-flight jobs
 *   completed on another node.
 * Targets (printed met / not met): runtime ≥ 0.7× raw BullMQ jobs/s (1-stage, same node count),
 * recovery < 5 s.
 */
import type { ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedisServer } from '../../test/helpers/redis-server.js';
import { JobTracker } from '../../test/runtime/fixtures/job-tracker.js';
import { ROOT, spawnNode, type NodeProcess } from '../../test/runtime/fixtures/node-process.js';
import { spawnReady, stopChild } from './bench-setup.js';
import { burst, paced, type BurstResult, type PacedResult } from './measure.js';

const args = process.argv.slice(2);
const scaleIdx = args.indexOf('--scale');
const scale = scaleIdx >= 0 ? Number(args[scaleIdx + 1] ?? 1) : 1;
const asJson = args.includes('--json');
const NODE_COUNTS = [1, 2, 4] as const;
const CONCURRENCY = 8;
const PREFIX = 'bench';
const n = (base: number): number => Math.max(10, Math.round(base * scale));
const JOBS = { raw: n(3000), one: n(300), three: n(120), paced: n(30), recovery: n(400) };

interface Cell {
  nodes: number;
  raw: BurstResult;
  one: BurstResult;
  three: BurstResult;
  pacedOne: PacedResult;
  pacedThree: PacedResult;
}

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function table(cells: readonly Cell[]): string {
  const head = [
    'nodes',
    'raw BullMQ j/s',
    '1-stage j/s',
    'ratio',
    '≥0.7×',
    '3-stage j/s',
    'ratio',
    '1-stage e2e p50/p99 ms',
    '3-stage e2e p50/p99 ms',
    '1-stage node p50/p99 ms',
    'Redis cmds/job (incl. Lua) raw/1/3',
  ];
  const rows = cells.map((c) => [
    String(c.nodes),
    fmt(c.raw.jobsPerSec),
    fmt(c.one.jobsPerSec, 1),
    fmt(c.one.jobsPerSec / c.raw.jobsPerSec, 3),
    c.one.jobsPerSec / c.raw.jobsPerSec >= 0.7 ? 'met' : 'NOT met',
    fmt(c.three.jobsPerSec, 1),
    fmt(c.three.jobsPerSec / c.raw.jobsPerSec, 3),
    `${fmt(c.pacedOne.p50)}/${fmt(c.pacedOne.p99)}`,
    `${fmt(c.pacedThree.p50)}/${fmt(c.pacedThree.p99)}`,
    `${fmt(c.one.nodeP50)}/${fmt(c.one.nodeP99)}`,
    `${fmt(c.raw.redisCallsPerJob, 1)}/${fmt(c.one.redisCallsPerJob, 1)}/${fmt(c.three.redisCallsPerJob, 1)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    `| ${r.map((v, i) => v.padStart(widths[i]!)).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const began = Date.now();
  const log = (msg: string): void =>
    void process.stderr.write(
      `[bench/runtime +${((Date.now() - began) / 1000).toFixed(1)}s] ${msg}\n`,
    );
  log(
    `${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; jobs ${JSON.stringify(JOBS)}`,
  );
  const redis = await startRedisServer();
  const fixture = await spawnReady(`${ROOT}/test/fixtures/serve.ts`, ['openai']);
  const lmUrl = (JSON.parse(fixture.line) as { url: string }).url;
  const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
  const runQueue = new Queue('dspex-run', { prefix: PREFIX, connection });
  const rawQueue = new Queue('raw', { prefix: PREFIX, connection });
  const stats = new Redis(redis.url);
  const nodes: NodeProcess[] = [];
  const raws: Promise<ChildProcess>[] = [];
  const cells: Cell[] = [];
  const qa = (i: number): Record<string, unknown> => ({
    program: 'qa',
    inputs: { question: `q ${i} ${Math.random()}` },
  });
  const chain3 = (i: number): Record<string, unknown> => ({
    program: 'chain3',
    inputs: { question: `c ${i} ${Math.random()}` },
  });
  let recoveryMs = Number.NaN;
  let orphans = 0;
  try {
    for (const count of NODE_COUNTS) {
      const starting: Promise<unknown>[] = [];
      while (nodes.length < count) {
        const node = spawnNode({
          nodeId: `bench-${nodes.length + 1}`,
          redisUrl: redis.url,
          prefix: PREFIX,
          lmUrl,
          concurrency: CONCURRENCY,
          logLevel: 'error',
        });
        nodes.push(node);
        starting.push(node.ready);
      }
      // Counted synchronously: a raw worker joins `raws` before it is ready.
      for (let i = raws.length; i < count; i++) {
        const started = spawnReady(`${ROOT}/bench/runtime/raw-worker.ts`, [
          redis.url,
          PREFIX,
          'raw',
          String(CONCURRENCY),
        ]);
        raws.push(started.then(({ child }) => child));
        starting.push(started);
      }
      await Promise.all(starting);
      log(`${count} node(s) and raw worker(s) up; warming up`);
      await burst(runQueue, stats, 20 * count, qa, 120_000);
      await burst(rawQueue, stats, 200 * count, () => ({}), 60_000);
      const raw = await burst(rawQueue, stats, JOBS.raw, () => ({}), 120_000);
      log(`raw BullMQ: ${fmt(raw.jobsPerSec)} jobs/s`);
      const one = await burst(runQueue, stats, JOBS.one, qa, 300_000);
      log(`1-stage: ${fmt(one.jobsPerSec, 1)} jobs/s`);
      const three = await burst(runQueue, stats, JOBS.three, chain3, 300_000);
      log(`3-stage: ${fmt(three.jobsPerSec, 1)} jobs/s`);
      const pacedOne = await paced(
        runQueue,
        JOBS.paced,
        Math.max(1, one.jobsPerSec / 2),
        qa,
        60_000,
      );
      const pacedThree = await paced(
        runQueue,
        JOBS.paced,
        Math.max(1, three.jobsPerSec / 2),
        chain3,
        60_000,
      );
      cells.push({ nodes: count, raw, one, three, pacedOne, pacedThree });
      if (one.failed + three.failed > 0)
        log(`WARNING: ${one.failed + three.failed} runtime jobs failed`);
    }

    log('recovery: SIGKILL of one node under a burst');
    const tracker = await JobTracker.open(runQueue, { host: '127.0.0.1', port: redis.port });
    try {
      const added = await runQueue.addBulk(
        Array.from({ length: JOBS.recovery }, (_, i) => ({ name: 'run', data: qa(i) })),
      );
      const ids = added.map((j) => j.id!);
      while (tracker.count(ids, 'completed') < ids.length / 4)
        await new Promise((r) => setTimeout(r, 20));
      const killedAt = Date.now();
      await nodes[nodes.length - 1]!.kill('SIGKILL');
      await tracker.waitFor(ids, 120_000);
      const orphanIds = [...tracker.stalled].filter(([, at]) => at >= killedAt).map(([id]) => id);
      orphans = orphanIds.length;
      recoveryMs = Math.max(
        0,
        ...orphanIds.map((id) => (tracker.outcomes.get(id)?.at ?? Number.NaN) - killedAt),
      );
      const lost = ids.length - tracker.count(ids, 'completed');
      if (lost > 0) log(`WARNING: ${lost} jobs did not complete after the kill`);
    } finally {
      await tracker.close();
    }
  } finally {
    await runQueue.close();
    await rawQueue.close();
    stats.disconnect();
    await Promise.all([
      ...nodes.map((node) => node.kill('SIGTERM')),
      ...raws.map((r) => r.then(stopChild, () => undefined)),
    ]);
    await stopChild(fixture.child);
    await redis.stop();
  }

  if (asJson) {
    process.stdout.write(
      `${JSON.stringify({ cells, recovery: { ms: recoveryMs, orphans } }, null, 2)}\n`,
    );
    return;
  }
  process.stdout.write(
    [
      `bench/runtime — ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ` +
        `concurrency ${CONCURRENCY} per process, LM fixture 0 ms echo, ${((Date.now() - began) / 1000).toFixed(0)} s`,
      table(cells),
      `per node (1-stage): ${cells.map((c) => `${c.nodes}n ${fmt(c.one.jobsPerSec / c.nodes, 1)} vs raw ${fmt(c.raw.jobsPerSec / c.nodes)} j/s`).join('; ')}`,
      `recovery after SIGKILL of 1 of 4 nodes: ${fmt(recoveryMs)} ms for ${orphans} in-flight jobs — ` +
        `target < 5000 ms: ${recoveryMs < 5000 ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
}

await main();
