/**
 * Where a node's CPU goes on the job path: one node (concurrency 8, 0 ms LM) under `--cpu-prof`
 * runs a burst of `qa` jobs; prints jobs/s, Redis commands per job (every client) and the top
 * self-time functions of the node's CPU profile, grouped by file; then the same burst on the
 * hand-rolled worker, for its jobs/s, Redis commands per job and CPU profile (same summary).
 *
 *   npx tsx bench/runtime/profile.ts [--jobs 2000]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ROOT, spawnNode } from '../../test/runtime/fixtures/node-process.js';
import { numberOption, startBenchBackends } from './bench-setup.js';
import { burst, redisCommandStats } from './measure.js';

// At most the node's default retention of completed jobs (1 000), which the burst counts.
const JOBS = numberOption('--jobs', 900);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Self samples per function and per file, largest first. */
function summarize(profile: Profile, top = 40): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const id of profile.samples) {
    const n = byId.get(id);
    if (n === undefined) continue;
    const url = n.callFrame.url.replace(/^.*\/(node_modules\/)?/, (m) =>
      m.includes('node_modules') ? 'nm/' : '',
    );
    const where = n.callFrame.url.includes('node_modules')
      ? n.callFrame.url.replace(/^.*node_modules\//, 'nm/')
      : n.callFrame.url.replace(/^.*\/glue\//, '');
    const key = `${n.callFrame.functionName || '(anon)'} ${where || url}:${n.callFrame.lineNumber}`;
    fn.set(key, (fn.get(key) ?? 0) + 1);
    const f = where.replace(/(nm\/(@[^/]+\/)?[^/]+).*/, '$1') || n.callFrame.functionName;
    file.set(f, (file.get(f) ?? 0) + 1);
  }
  const total = profile.samples.length;
  const fmt = (m: Map<string, number>): string =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `by file/package:\n${fmt(file)}\n\nby function:\n${fmt(fn)}`;
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
  await burst(queue, stats, 200, qa, 120_000);
  const before = await redisCommandStats(stats);
  const r = await burst(queue, stats, JOBS, qa, 600_000);
  const after = await redisCommandStats(stats);
  process.stdout.write(
    `${JOBS} jobs: ${r.jobsPerSec.toFixed(1)} jobs/s, ${r.redisCallsPerJob.toFixed(1)} Redis commands/job, failed ${r.failed}\nRedis commands per job (every client, the bench's polling included): ${perJob(before, after)}\n`,
  );
  // The same burst on the hand-rolled worker (bench/runtime/hand-rolled-worker.ts), for comparison.
  const hand = spawn(
    process.execPath,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      handDir,
      '--import',
      'tsx',
      `${ROOT}/bench/runtime/hand-rolled-worker.ts`,
      redis.url,
      'prof',
      'hand',
      '8',
      lmUrl,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const handQueue = new Queue('hand', { prefix: 'prof', connection });
  try {
    await once(createInterface({ input: hand.stdout! }), 'line');
    await burst(handQueue, stats, 200, qa, 120_000);
    const b = await redisCommandStats(stats);
    const h = await burst(handQueue, stats, JOBS, qa, 600_000);
    const a = await redisCommandStats(stats);
    process.stdout.write(
      `hand-rolled worker, ${JOBS} jobs: ${h.jobsPerSec.toFixed(1)} jobs/s, ${h.redisCallsPerJob.toFixed(1)} Redis commands/job: ${perJob(b, a)}\n`,
    );
  } finally {
    await handQueue.close();
    const exited = once(hand, 'exit');
    hand.kill('SIGTERM');
    await exited;
  }
} finally {
  await queue.close();
  stats.disconnect();
  await node.kill('SIGTERM');
  await stop();
}
for (const [who, where] of [
  ['node', dir],
  ['hand-rolled worker', handDir],
] as const) {
  const file = readdirSync(where).find((f) => f.endsWith('.cpuprofile'));
  if (file !== undefined)
    process.stdout.write(
      `--- ${who}\n${summarize(JSON.parse(readFileSync(join(where, file), 'utf8')) as Profile)}\n(profile: ${join(where, file)})\n`,
    );
}
