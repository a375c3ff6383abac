import type { Kernel, Pid } from '../../src/kernel/index.js';
import { createKernel } from '../../src/kernel/index.js';
import { dynamicSup, echoSpec, startChildren, startSup } from './echo-worker.js';
import type { Latency } from './stats.js';
import { latencyOf } from './stats.js';

const VICTIM = 'bench-victim';
const PING = { type: 'ping' } as const;
const CRASH = { type: 'crash' } as const;
const RESTART_DEADLINE_MS = 5000;
/** Restarts per supervisor in {@link measureRestart} (the escript's ?RESTART_BATCH). */
const RESTART_BATCH = 50;

/** 3. `startChild([])` on a simple_one_for_one supervisor, awaited one by one: µs per child. */
export async function measureStart(n: number): Promise<{ usPerChild: number }> {
  const kernel = createKernel();
  // Warm the start path first, so the first round does not time the JIT.
  const warm = await dynamicSup(kernel);
  await startChildren(warm, Math.min(n, 500));
  await warm.stop();
  const sup = await dynamicSup(kernel);
  try {
    const t0 = performance.now();
    await startChildren(sup, n);
    return { usPerChild: ((performance.now() - t0) * 1000) / n };
  } finally {
    await sup.stop();
  }
}

/**
 * Waits until the registered name points at a process other than `old`. It yields a microtask at
 * a time (the supervisor's mailbox runs on microtasks) and a macrotask every 1,024 polls, so a
 * restart that needed a timer could not hang the loop. Mirrors the escript's whereis/yield loop.
 */
async function awaitRestarted(kernel: Kernel, old: Pid, deadline: number): Promise<Pid> {
  for (let polls = 1; ; polls++) {
    const pid = kernel.whereis(VICTIM);
    if (pid !== undefined && pid !== old) return pid;
    if (polls % 1024 === 0) {
      if (performance.now() > deadline) throw new Error('restart did not happen within 5 s');
      await new Promise<void>((resolve) => setImmediate(resolve));
    } else await Promise.resolve();
  }
}

/**
 * 4. Restart latency: cast `crash` (the worker exits `boom`), wait for the supervisor to restart it
 * under its registered name, and time until the new instance answers a call. A fresh supervisor
 * every {@link RESTART_BATCH} restarts keeps its restart history (walked on every restart, as
 * OTP's add_restart does) as short as in real use instead of growing with `n`.
 */
export async function measureRestart(n: number): Promise<Latency> {
  const kernel = createKernel();
  const samples = new Float64Array(n);
  for (let done = 0; done < n;) {
    const batch = Math.min(n - done, RESTART_BATCH);
    const sup = await startSup(
      kernel,
      { strategy: 'one_for_one', intensity: RESTART_BATCH, period: 1 },
      [echoSpec('victim', VICTIM)],
    );
    try {
      for (let i = 0; i < batch; i++) samples[done++] = await restartOnce(kernel);
    } finally {
      await sup.stop();
    }
  }
  return latencyOf(samples);
}

/** One crash → restart → answered call; its duration in ms. */
async function restartOnce(kernel: Kernel): Promise<number> {
  const old = kernel.whereis(VICTIM);
  if (old === undefined) throw new Error('victim is not running');
  const t0 = performance.now();
  kernel.cast(old, CRASH);
  const fresh = await awaitRestarted(kernel, old, t0 + RESTART_DEADLINE_MS);
  await kernel.call(fresh, PING);
  return performance.now() - t0;
}

/** Wall time of the two phases of {@link measureStartStop}. */
export interface StartStopTimes {
  readonly startMs: number;
  readonly stopMs: number;
  readonly totalMs: number;
  /** Process CPU time (user + system, all threads) over both phases. */
  readonly cpuMs: number;
}

/**
 * 6. A simple_one_for_one supervisor is started, `n` children are started into it one by one,
 * then the supervisor is stopped (children shut down with `shutdown`, 5000 ms timeout each).
 */
export async function measureStartStop(n: number): Promise<StartStopTimes> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sup = await dynamicSup(createKernel());
  await startChildren(sup, n);
  const t1 = performance.now();
  const reason = await sup.stop();
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  if (reason !== 'shutdown') throw new Error(`supervisor exited ${String(reason)}`);
  return {
    startMs: t1 - t0,
    stopMs: t2 - t1,
    totalMs: t2 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}
