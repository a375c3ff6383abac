import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Throughput of one burst: `jobs` enqueued at once, timed from the first add to the last finish. */
export interface BurstResult {
  jobs: number;
  failed: number;
  ms: number;
  jobsPerSec: number;
  /** Time on a node (picked up → finished), ms. */
  nodeP50: number;
  nodeP99: number;
  /** Redis commands per job during the burst, every client counted (nodes, producer, polling). */
  redisCallsPerJob: number;
}

/** End-to-end latency (add → finished) of jobs sent at a steady rate below saturation. */
export interface PacedResult {
  jobs: number;
  ratePerSec: number;
  p50: number;
  p99: number;
}

/** The `q`-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Commands Redis has executed so far, by command (`INFO commandstats`; scripts' own calls included). */
export async function redisCommandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

/** Total commands Redis has executed (`INFO commandstats`). */
async function redisCalls(redis: Redis): Promise<number> {
  let total = 0;
  for (const n of (await redisCommandStats(redis)).values()) total += n;
  return total;
}

/** Removes finished jobs, so the next burst's counts start from zero. */
async function clean(queue: Queue): Promise<void> {
  await queue.clean(0, 1_000_000, 'completed');
  await queue.clean(0, 1_000_000, 'failed');
}

async function finishedJobs(queue: Queue, ids: ReadonlySet<string>): Promise<Job[]> {
  const jobs = await queue.getJobs(['completed'], 0, -1);
  return jobs.filter((j): j is Job => j !== undefined && j !== null && ids.has(j.id ?? ''));
}

/** Enqueues `jobs` jobs at once (bulk adds of 500) and waits for all of them to finish. */
export async function burst(
  queue: Queue,
  redis: Redis,
  jobs: number,
  data: (i: number) => Record<string, unknown>,
  timeoutMs: number,
): Promise<BurstResult> {
  await clean(queue);
  const callsBefore = await redisCalls(redis);
  const start = Date.now();
  const ids = new Set<string>();
  for (let i = 0; i < jobs; i += 500) {
    const added = await queue.addBulk(
      Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({
        name: 'run',
        data: data(i + k),
      })),
    );
    for (const j of added) ids.add(j.id!);
  }
  const deadline = start + timeoutMs;
  let counts = { completed: 0, failed: 0 };
  for (;;) {
    const c = await queue.getJobCounts('completed', 'failed');
    counts = { completed: c['completed'] ?? 0, failed: c['failed'] ?? 0 };
    if (counts.completed + counts.failed >= jobs) break;
    if (Date.now() > deadline)
      throw new Error(
        `burst of ${jobs} on ${queue.name}: only ${counts.completed} done after ${timeoutMs} ms`,
      );
    await sleep(25);
  }
  const calls = (await redisCalls(redis)) - callsBefore;
  const done = await finishedJobs(queue, ids);
  const end = Math.max(...done.map((j) => j.finishedOn ?? 0));
  const nodeTimes = done.map((j) => (j.finishedOn ?? 0) - (j.processedOn ?? 0));
  const ms = Math.max(1, end - start);
  return {
    jobs,
    failed: counts.failed,
    ms,
    jobsPerSec: (counts.completed * 1000) / ms,
    nodeP50: quantile(nodeTimes, 0.5),
    nodeP99: quantile(nodeTimes, 0.99),
    redisCallsPerJob: calls / jobs,
  };
}

/** Sends `jobs` jobs one by one at `ratePerSec` and reports their add → finish latency. */
export async function paced(
  queue: Queue,
  jobs: number,
  ratePerSec: number,
  data: (i: number) => Record<string, unknown>,
  timeoutMs: number,
): Promise<PacedResult> {
  await clean(queue);
  const gap = 1000 / ratePerSec;
  const start = Date.now();
  const ids = new Set<string>();
  for (let i = 0; i < jobs; i++) {
    const job = await queue.add('run', data(i));
    ids.add(job.id!);
    const next = start + (i + 1) * gap;
    if (next > Date.now()) await sleep(next - Date.now());
  }
  const deadline = Date.now() + timeoutMs;
  let done: Job[] = [];
  while ((done = await finishedJobs(queue, ids)).length < jobs) {
    if (Date.now() > deadline)
      throw new Error(`paced run on ${queue.name}: ${done.length}/${jobs} done`);
    await sleep(50);
  }
  const latencies = done.map((j) => (j.finishedOn ?? 0) - j.timestamp);
  return { jobs, ratePerSec, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

/**
 * CPU µs of this process per call of `call(0..n-1)`, `concurrency` calls in flight at a time
 * (user + system, `process.cpuUsage`: steadier than wall time on a loaded machine).
 */
export async function cpuPerCall(
  call: (i: number) => Promise<unknown>,
  n: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await call(next++);
  };
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}
