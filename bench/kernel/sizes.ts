/** How many operations each measurement performs (one round). */
export interface BenchSizes {
  /** Timed `call` round trips (after a warm-up of up to 2,000). */
  readonly calls: number;
  /** Casts in the throughput run. */
  readonly casts: number;
  /** Dynamic children started for the per-child start cost. */
  readonly starts: number;
  /** Crash → restart → call cycles. */
  readonly restarts: number;
  /** Idle supervised actors kept alive for the memory measurement. */
  readonly idle: number;
  /** Dynamic children of the start + stop measurement. */
  readonly dynamic: number;
}

/** The brief's sizes: 10,000 idle actors and 10,000 dynamic children; the rest fits ~60 s. */
export const DEFAULT_SIZES: BenchSizes = Object.freeze({
  calls: 20_000,
  casts: 100_000,
  starts: 2_000,
  restarts: 2_000,
  idle: 10_000,
  dynamic: 10_000,
});

/** Every size multiplied by `scale` (at least 1 each). */
export function scaleSizes(sizes: BenchSizes, scale: number): BenchSizes {
  const s = (n: number): number => Math.max(1, Math.round(n * scale));
  return {
    calls: s(sizes.calls),
    casts: s(sizes.casts),
    starts: s(sizes.starts),
    restarts: s(sizes.restarts),
    idle: s(sizes.idle),
    dynamic: s(sizes.dynamic),
  };
}
