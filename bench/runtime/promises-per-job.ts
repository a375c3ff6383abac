/**
 * Promises created per job by a dspex node and by the hand-rolled worker (bench/runtime), counted
 * with V8's promise hooks in each process (bench/runtime/promise-probe.mjs, preloaded). On Node 20
 * an enabled AsyncLocalStorage runs JavaScript hooks for every promise of the process, so on that
 * version the count is a cost of its own. Each process first runs `--warmup` jobs.
 *
 *   npx tsx bench/runtime/promises-per-job.ts [--jobs 1000] [--warmup 1000]
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ROOT, spawnNode } from '../../test/runtime/fixtures/node-process.js';
import { numberOption, spawnReady, startBenchBackends, stopChild } from './bench-setup.js';
import { burst } from './measure.js';

const JOBS = numberOption('--jobs', 1000);
const WARMUP = numberOption('--warmup', 1000);
const PREFIX = 'ppj';

async function main(): Promise<void> {
  const backends = await startBenchBackends();
  const dir = mkdtempSync(join(tmpdir(), 'dspex-promises-'));
  // Only the node and the worker started below are probed (not the fixture, not this process).
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=${ROOT}/bench/runtime/promise-probe.mjs`;
  process.env.PROMISE_PROBE_DIR = dir;
  const { connection, lmUrl, redis } = backends;
  const stats = new Redis(redis.url);
  const node = spawnNode({
    nodeId: 'ppj-1',
    redisUrl: redis.url,
    prefix: PREFIX,
    lmUrl,
    concurrency: 8,
    logLevel: 'error',
  });
  const queues = {
    dspex: new Queue('dspex-run', { prefix: PREFIX, connection }),
    'hand-rolled': new Queue('hand', { prefix: PREFIX, connection }),
  };
  const qa = (i: number): Record<string, unknown> => ({
    program: 'qa',
    inputs: { question: `q ${i} ${Math.random()}` },
  });
  const count = async (pid: number | undefined): Promise<number> => {
    await sleep(100);
    return Number(readFileSync(join(dir, String(pid)), 'utf8'));
  };
  let hand: ChildProcess | undefined;
  try {
    ({ child: hand } = await spawnReady(`${ROOT}/bench/runtime/hand-rolled-worker.ts`, [
      redis.url,
      PREFIX,
      'hand',
      '8',
      lmUrl,
    ]));
    await node.ready;
    const pids = { dspex: node.child.pid, 'hand-rolled': hand.pid };
    for (const v of ['dspex', 'hand-rolled'] as const) {
      await burst(queues[v], stats, WARMUP, qa, 300_000);
      const before = await count(pids[v]);
      const r = await burst(queues[v], stats, JOBS, qa, 300_000);
      const after = await count(pids[v]);
      process.stdout.write(
        `${v}: ${((after - before) / JOBS).toFixed(1)} promises a job (${JOBS} jobs, ${r.failed} failed)\n`,
      );
    }
  } finally {
    for (const q of Object.values(queues)) await q.close();
    stats.disconnect();
    await node.kill('SIGTERM');
    if (hand !== undefined) await stopChild(hand);
    await backends.stop();
  }
}

await main();
