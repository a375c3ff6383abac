/** Result of one (variant, latency, concurrency) cell, possibly merged from several rounds. */
export interface CellResult {
  variant: string;
  latencyMs: number;
  concurrency: number;
  calls: number;
  wallMs: number;
  callsPerSec: number;
  meanMs: number;
  p99Ms: number;
  /** Client process CPU (user + system) per call, in µs. */
  cpuUsPerCall: number;
}

/** Raw measurements of one round, mergeable across rounds. */
export interface Round {
  calls: number;
  wallMs: number;
  cpuUs: number;
  latencies: Float64Array;
}

/**
 * Runs up to `maxCalls` calls (stopping early once `maxMs` has passed, so a loaded machine cannot
 * stretch the run) through a pool of `concurrency` async workers sharing one client, measuring wall
 * time, per-call latency and this process's CPU time (the fixture runs in another process).
 */
export async function runRound(
  concurrency: number,
  budget: { maxCalls: number; maxMs: number },
  call: (i: number) => Promise<void>,
): Promise<Round> {
  const latencies = new Float64Array(budget.maxCalls);
  let next = 0;
  const deadline = performance.now() + budget.maxMs;
  const worker = async (): Promise<void> => {
    while (next < budget.maxCalls && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      await call(i);
      latencies[i] = performance.now() - t0;
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, budget.maxCalls) }, worker));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    calls: next,
    wallMs,
    cpuUs: cpu.user + cpu.system,
    latencies: latencies.subarray(0, next),
  };
}

/** Merges a variant's rounds of one cell into its result. */
export function summarise(
  variant: string,
  latencyMs: number,
  concurrency: number,
  rounds: Round[],
): CellResult {
  const calls = rounds.reduce((s, r) => s + r.calls, 0);
  const wallMs = rounds.reduce((s, r) => s + r.wallMs, 0);
  const cpuUs = rounds.reduce((s, r) => s + r.cpuUs, 0);
  const all = Float64Array.from(rounds.flatMap((r) => Array.from(r.latencies))).sort();
  const mean = all.reduce((s, v) => s + v, 0) / Math.max(1, calls);
  return {
    variant,
    latencyMs,
    concurrency,
    calls,
    wallMs,
    callsPerSec: (calls / wallMs) * 1000,
    meanMs: mean,
    p99Ms: all[Math.min(calls - 1, Math.floor(calls * 0.99))] ?? 0,
    cpuUsPerCall: cpuUs / Math.max(1, calls),
  };
}
