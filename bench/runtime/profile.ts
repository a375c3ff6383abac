/**
 * Where a node's CPU goes on the job path: one node (concurrency 8, 0 ms LM) under `--cpu-prof`
 * runs a burst of `qa` jobs; prints jobs/s, Redis commands per job (every client) and the top
 * self-time functions of the node's CPU profile, grouped by file; then the same burst on the
 * hand-rolled worker, for its jobs/s, Redis commands per job and CPU profile (same summary). Each
 * process first runs `--warmup` jobs; only the samples of the measured burst are summarized (the
 * profile's sample times and this process's `process.hrtime` share the machine's monotonic clock),
 * self time and inclusive time (the function anywhere on the stack).
 *
 *   npx tsx bench/runtime/profile.ts [--jobs 900] [--warmup 3000]
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ROOT, spawnNode } from '../../test/runtime/fixtures/node-process.js';
import { numberOption, spawnReady, startBenchBackends, stopChild } from './bench-setup.js';
import { burst, redisCommandStats } from './measure.js';

// At most the node's default retention of completed jobs (1 000), which the burst counts.
const JOBS = numberOption('--jobs', 900);
// Jobs run before the measured burst, so the profile shows the steady state, not the JIT warming up.
const WARMUP = numberOption('--warmup', 3000);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  /** µs, CLOCK_MONOTONIC: the clock of `process.hrtime` in any process of this machine. */
  startTime: number;
  timeDeltas: number[];
}

/** `process.hrtime` now, µs: comparable with a CPU profile's sample times. */
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** The profile with only the samples taken between `fromUs` and `toUs` (hrtime µs). */
function window(profile: Profile, fromUs: number, toUs: number): Profile {
  const samples: number[] = [];
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= fromUs && t <= toUs) samples.push(id);
  });
  return { ...profile, samples, timeDeltas: [] };
}

/** Where a profile node's function is: `name file:line`, node_modules shortened to `nm/`. */
function frameKey(n: ProfileNode): { fn: string; file: string } {
  const url = n.callFrame.url;
  const where = url.includes('node_modules')
    ? url.replace(/^.*node_modules\//, 'nm/')
    : url.replace(/^file:\/\/.*?\/(src|services|supervisors|actors|bench|test)\//, '$1/');
  return {
    fn: `${n.callFrame.functionName || '(anon)'} ${where}:${n.callFrame.lineNumber}`,
    file: where.replace(/(nm\/(@[^/]+\/)?[^/]+).*/, '$1') || n.callFrame.functionName,
  };
}

/**
 * Self samples per function and per file, and inclusive samples per function (the share of
 * samples with the function anywhere on the stack), largest first.
 */
function summarize(profile: Profile, top = 40): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (m: Map<string, number>, k: string): void => {
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  for (const id of profile.samples) {
    const n = byId.get(id);
    if (n === undefined) continue;
    const key = frameKey(n);
    add(fn, key.fn);
    add(file, key.file);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = frameKey(byId.get(at)!).fn;
      if (!seen.has(k)) seen.add(k);
    }
    for (const k of seen) add(inclusive, k);
  }
  const total = profile.samples.length;
  const fmt = (m: Map<string, number>, n = top): string =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `${total} samples\nby file/package:\n${fmt(file)}\n\nby function (self):\n${fmt(fn)}\n\nby function (inclusive):\n${fmt(inclusive, top * 2)}`;
}

/** Commands per job between two `INFO commandstats` readings, largest first. */
function perJob(before: Map<string, number>, after: Map<string, number>): string {
  return [...after]
    .map(([cmd, n]) => [cmd, (n - (before.get(cmd) ?? 0)) / JOBS] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([cmd, n]) => `${cmd} ${n.toFixed(2)}`)
    .join(', ');
}

const { redis, lmUrl, connection, stop } = await startBenchBackends();
/** The measured burst of each process (hrtime µs): only its samples are summarized. */
const windows: Record<'node' | 'hand', [number, number]> = { node: [0, 0], hand: [0, 0] };
/** Bursts of up to `JOBS` jobs until `WARMUP` jobs ran (JIT, connections, caches): not measured. */
async function warmUp(q: Queue, data: (i: number) => Record<string, unknown>): Promise<void> {
  for (let done = 0; done < WARMUP; done += JOBS)
    await burst(q, stats, Math.min(JOBS, WARMUP - done), data, 600_000);
}
const dir = mkdtempSync(join(tmpdir(), 'dspex-prof-'));
const handDir = mkdtempSync(join(tmpdir(), 'dspex-prof-hand-'));
const queue = new Queue('dspex-run', { prefix: 'prof', connection });
const stats = new Redis(redis.url);
const node = spawnNode({
  nodeId: 'prof-1',
  redisUrl: redis.url,
  prefix: 'prof',
  lmUrl,
  concurrency: 8,
  logLevel: 'error',
  nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
});
try {
  await node.ready;
  const qa = (i: number): Record<string, unknown> => ({
    program: 'qa',
    inputs: { question: `q ${i} ${Math.random()}` },
  });
  await warmUp(queue, qa);
  const before = await redisCommandStats(stats);
  windows.node = [nowUs(), 0];
  const r = await burst(queue, stats, JOBS, qa, 600_000);
  windows.node[1] = nowUs();
  const after = await redisCommandStats(stats);
  process.stdout.write(
    `${JOBS} jobs: ${r.jobsPerSec.toFixed(1)} jobs/s, ${r.redisCallsPerJob.toFixed(1)} Redis commands/job, failed ${r.failed}\nRedis commands per job (every client, the bench's polling included): ${perJob(before, after)}\n`,
  );
  // The same burst on the hand-rolled worker (bench/runtime/hand-rolled-worker.ts), for comparison.
  const handQueue = new Queue('hand', { prefix: 'prof', connection });
  let hand: ChildProcess | undefined;
  try {
    ({ child: hand } = await spawnReady(
      `${ROOT}/bench/runtime/hand-rolled-worker.ts`,
      [redis.url, 'prof', 'hand', '8', lmUrl],
      ['--cpu-prof', '--cpu-prof-dir', handDir],
    ));
    await warmUp(handQueue, qa);
    const b = await redisCommandStats(stats);
    windows.hand = [nowUs(), 0];
    const h = await burst(handQueue, stats, JOBS, qa, 600_000);
    windows.hand[1] = nowUs();
    const a = await redisCommandStats(stats);
    process.stdout.write(
      `hand-rolled worker, ${JOBS} jobs: ${h.jobsPerSec.toFixed(1)} jobs/s, ${h.redisCallsPerJob.toFixed(1)} Redis commands/job: ${perJob(b, a)}\n`,
    );
  } finally {
    await handQueue.close();
    if (hand !== undefined) await stopChild(hand);
  }
} finally {
  await queue.close();
  stats.disconnect();
  await node.kill('SIGTERM');
  await stop();
}
for (const [who, where, [from, to]] of [
  ['node', dir, windows.node],
  ['hand-rolled worker', handDir, windows.hand],
] as const) {
  const file = readdirSync(where).find((f) => f.endsWith('.cpuprofile'));
  if (file !== undefined) {
    const profile = JSON.parse(readFileSync(join(where, file), 'utf8')) as Profile;
    process.stdout.write(
      `--- ${who}, measured burst only\n${summarize(window(profile, from, to))}\n(profile: ${join(where, file)})\n`,
    );
  }
}
