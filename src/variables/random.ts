/** A source of uniform floats in [0, 1): `Math.random` or a seeded generator. */
export type RandomSource = () => number;

/**
 * A seeded generator (mulberry32): fast, 32-bit state, reproducible across runs and platforms.
 * Used by sampling and the searches so a seed fixes every draw.
 *
 * @example
 * ```ts
 * const rng = seededRandom(7);
 * space.sample(rng); // the same configuration for seed 7 every time
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, { state: () => state });
}

/** A {@link seededRandom} generator: draws, and tells its 32-bit state (what checkpoints record). */
export interface SeededRandom extends RandomSource {
  /** The generator's state now: two generators with the same state draw the same from here on. */
  state(): number;
}

/** An integer in [0, n). */
export function randomIndex(rng: RandomSource, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffleInPlace<T>(rng: RandomSource, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomIndex(rng, i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
