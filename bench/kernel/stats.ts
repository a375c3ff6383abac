/** A latency distribution summary in microseconds. */
export interface Latency {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly samples: number;
}

/** Nearest-rank percentile of ascending-sorted samples (the escript uses the same rule). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** p50 and p99 of samples given in milliseconds (performance.now deltas). */
export function latencyOf(samplesMs: ArrayLike<number>): Latency {
  const sorted = Float64Array.from(samplesMs).sort(); // typed arrays sort numerically
  return {
    p50Us: percentile(sorted, 0.5) * 1000,
    p99Us: percentile(sorted, 0.99) * 1000,
    samples: sorted.length,
  };
}

/**
 * Runs `measure` `rounds` times (sequentially) and keeps the best round by `score` (lower is
 * better): "best of 3", the method of reference/runtime.md §3.2, which filters out rounds
 * disturbed by other load on a shared machine.
 */
export async function bestOf<T>(
  rounds: number,
  measure: () => Promise<T>,
  score: (r: T) => number,
): Promise<T> {
  let best: T | undefined;
  for (let i = 0; i < Math.max(1, rounds); i++) {
    const r = await measure();
    if (best === undefined || score(r) < score(best)) best = r;
  }
  return best as T;
}
