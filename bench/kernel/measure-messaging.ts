import { createKernel } from '../../src/kernel/index.js';
import { oneWorker } from './echo-worker.js';
import type { Latency } from './stats.js';
import { latencyOf } from './stats.js';

const PING = { type: 'ping' } as const;
const GET = { type: 'get' } as const;
const INC = { type: 'inc' } as const;

/**
 * 1. `kernel.call(pid, ping)` round trip to a supervised echo worker (default 5 s timeout, like
 * gen_server:call), one call at a time, after a warm-up of up to 2,000 calls.
 */
export async function measureCall(n: number): Promise<Latency> {
  const kernel = createKernel();
  const { sup, pid } = await oneWorker(kernel);
  try {
    for (let i = 0; i < Math.min(n, 2000); i++) await kernel.call(pid, PING);
    const samples = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const answer = await kernel.call(pid, PING);
      samples[i] = performance.now() - t0;
      if (answer !== 'pong') throw new Error(`echo answered ${String(answer)}`);
    }
    return latencyOf(samples);
  } finally {
    await sup.stop();
  }
}

/**
 * 2. Cast throughput to one worker: `n` casts, then one call that returns the count, so every
 * cast has been handled when the clock stops (the escript synchronises the same way).
 */
export async function measureCast(n: number): Promise<{ perSec: number }> {
  const kernel = createKernel();
  const { sup, pid } = await oneWorker(kernel);
  try {
    for (let i = 0; i < Math.min(n, 2000); i++) kernel.cast(pid, INC);
    const base = (await kernel.call(pid, GET)) as number;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) kernel.cast(pid, INC);
    const count = await kernel.call(pid, GET, { timeout: 'infinity' });
    const elapsedMs = performance.now() - t0;
    if (count !== base + n)
      throw new Error(`worker counted ${String(count)}, expected ${base + n}`);
    return { perSec: n / (elapsedMs / 1000) };
  } finally {
    await sup.stop();
  }
}
