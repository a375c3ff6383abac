import { OptimizerError } from './optimizer-error.js';
import type { Rng, RngFactory } from './python-random.js';

/** One recorded draw: the method and the size argument that determines what it consumed. */
export type RngDraw =
  | ['random']
  | ['randBelow', number]
  | ['randint', number, number]
  | ['shuffle', number]
  | ['sample', number, number]
  | ['choice', number];

/** JSON-safe state of a {@link ReplayRng}: its seed and the draws made so far. */
export interface RngCheckpoint {
  seed: number | string;
  draws: RngDraw[];
}

/**
 * A generator that records every draw so its state can be checkpointed as JSON and rebuilt on
 * resume by replaying the draws on a fresh generator of the same seed. It works with any
 * {@link RngFactory} (the state of an injected generator need not be serialisable): a draw's
 * consumption depends only on the method and sizes recorded, never on the items drawn from.
 */
export class ReplayRng implements Rng {
  private readonly inner: Rng;
  private readonly draws: RngDraw[] = [];

  constructor(
    factory: RngFactory,
    readonly seed: number | string,
    replay: readonly RngDraw[] = [],
  ) {
    this.inner = factory(seed);
    for (const draw of replay) this.replay(draw);
  }

  /** A generator in the state of `checkpoint`. */
  static restore(factory: RngFactory, checkpoint: RngCheckpoint): ReplayRng {
    return new ReplayRng(factory, checkpoint.seed, checkpoint.draws);
  }

  /** The JSON-safe state (a copy). */
  checkpoint(): RngCheckpoint {
    return { seed: this.seed, draws: this.draws.map((d) => [...d] as RngDraw) };
  }

  random(): number {
    this.draws.push(['random']);
    return this.inner.random();
  }

  randBelow(n: number): number {
    this.draws.push(['randBelow', n]);
    return this.inner.randBelow(n);
  }

  randint(a: number, b: number): number {
    this.draws.push(['randint', a, b]);
    return this.inner.randint(a, b);
  }

  shuffle<T>(items: T[]): T[] {
    this.draws.push(['shuffle', items.length]);
    return this.inner.shuffle(items);
  }

  sample<T>(population: readonly T[], k: number): T[] {
    this.draws.push(['sample', population.length, k]);
    return this.inner.sample(population, k);
  }

  choice<T>(items: readonly T[]): T {
    this.draws.push(['choice', items.length]);
    return this.inner.choice(items);
  }

  private replay(draw: RngDraw): void {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    switch (draw[0]) {
      case 'random':
        this.random();
        return;
      case 'randBelow':
        this.randBelow(draw[1]);
        return;
      case 'randint':
        this.randint(draw[1], draw[2]);
        return;
      case 'shuffle':
        this.shuffle(range(draw[1]));
        return;
      case 'sample':
        this.sample(range(draw[1]), draw[2]);
        return;
      case 'choice':
        this.choice(range(draw[1]));
        return;
      default:
        throw new OptimizerError(
          'invalid_option',
          `unknown draw ${JSON.stringify(draw)} in an RNG checkpoint`,
          { details: { draw } },
        );
    }
  }
}

/**
 * Python's `rng.choices(population, weights=weights, k=1)[0]`: one `random()` draw scaled by the
 * total weight, located among the cumulative weights with `bisect_right`.
 */
export function weightedChoice<T>(rng: Rng, items: readonly T[], weights: readonly number[]): T {
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w;
    cumulative.push(total);
  }
  const x = rng.random() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < cumulative[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return items[lo]!;
}
