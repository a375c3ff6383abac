import { seededRandom, shuffleInPlace } from '../variables/random.js';

/** A subset of a dataset by position: a range `[from, to)` or a list of indices. */
export type DatasetSelection = { from: number; to: number } | { indices: readonly number[] };

/**
 * Splits `size` positions into named parts of the given fractions, seeded: the positions are
 * shuffled with `seed`, then cut in the order the fractions are written. Part sizes are the
 * fractions of `size` rounded by largest remainder, so they add up to exactly `size` (fractions
 * are normalized by their sum). Each part's indices are ascending, so a part keeps file order.
 *
 * @example
 * ```ts
 * splitIndices(10, { train: 0.8, dev: 0.2 }, 0); // { train: [8 indices], dev: [2 indices] }
 * ```
 */
export function splitIndices(
  size: number,
  fractions: Readonly<Record<string, number>>,
  seed: number,
): Record<string, number[]> {
  const entries = Object.entries(fractions);
  if (entries.length === 0) throw new RangeError('split needs at least one named fraction');
  for (const [name, f] of entries)
    if (!Number.isFinite(f) || f < 0)
      throw new RangeError(`split fraction of ${JSON.stringify(name)} must be >= 0, got ${f}`);
  const total = entries.reduce((s, [, f]) => s + f, 0);
  if (total <= 0) throw new RangeError('split fractions must not all be 0');
  const exact = entries.map(([, f]) => (f / total) * size);
  const sizes = exact.map(Math.floor);
  // Largest remainder: the positions rounding dropped go to the parts that lost the most.
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r);
  let left = size - sizes.reduce((s, n) => s + n, 0);
  for (const { i } of order) {
    if (left-- <= 0) break;
    sizes[i] = (sizes[i] ?? 0) + 1;
  }
  const shuffled = shuffleInPlace(
    seededRandom(seed),
    Array.from({ length: size }, (_, i) => i),
  );
  const parts: Record<string, number[]> = {};
  let at = 0;
  entries.forEach(([name], i) => {
    const n = sizes[i] ?? 0;
    parts[name] = shuffled.slice(at, at + n).sort((a, b) => a - b);
    at += n;
  });
  return parts;
}

/**
 * An immutable, ordered collection of examples with the operations of DSPy's and Hugging Face's
 * datasets that matter for evaluation and optimization: seeded sampling and splitting, batches for
 * streaming, and `partition(n)` for sharded evaluation. Every operation is deterministic for a
 * given seed and returns a new `Dataset`; the examples themselves are shared, not copied.
 *
 * @example
 * ```ts
 * import { Dataset } from 'dspex';
 * const data = Dataset.from(examples);
 * const { train, dev } = data.trainDevSplit(0.2, 0);
 * const five = train.sample(5, { seed: 1 });
 * for (const shard of dev.partition(4)) queueShard(shard.toArray());
 * ```
 */
export class Dataset<T> implements Iterable<T> {
  private readonly items: readonly T[];

  private constructor(items: readonly T[]) {
    this.items = items;
  }

  /** A dataset over `items` (the array is copied; the items are not). */
  static from<T>(items: Iterable<T>): Dataset<T> {
    return new Dataset([...items]);
  }

  /** Number of examples. */
  get size(): number {
    return this.items.length;
  }

  /** The example at `index` (undefined outside the dataset). */
  at(index: number): T | undefined {
    return this.items[index];
  }

  /** The examples as a new array. */
  toArray(): T[] {
    return [...this.items];
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }

  /** The examples at the given positions, in the order given (a range or an index list). */
  select(selection: DatasetSelection): Dataset<T> {
    const indices =
      'indices' in selection
        ? selection.indices
        : Array.from(
            { length: Math.max(0, selection.to - selection.from) },
            (_, i) => selection.from + i,
          );
    return new Dataset(
      indices.map((i) => {
        if (!Number.isInteger(i) || i < 0 || i >= this.items.length)
          throw new RangeError(`index ${i} is outside the dataset (size ${this.items.length})`);
        return this.items[i] as T;
      }),
    );
  }

  /** All examples in an order fixed by `seed` (Fisher–Yates over a seeded generator). */
  shuffle(seed: number): Dataset<T> {
    return new Dataset(shuffleInPlace(seededRandom(seed), [...this.items]));
  }

  /**
   * `n` distinct examples drawn with `seed` (without replacement, as DSPy's `random.sample`), in
   * the order drawn. `n` larger than the dataset is a `RangeError`.
   */
  sample(n: number, options: { seed: number }): Dataset<T> {
    if (!Number.isInteger(n) || n < 0 || n > this.items.length)
      throw new RangeError(`cannot sample ${n} of ${this.items.length} examples`);
    return new Dataset(this.shuffle(options.seed).items.slice(0, n));
  }

  /** Named parts of the given fractions, seeded (see {@link splitIndices}); they cover every example once. */
  split(fractions: Readonly<Record<string, number>>, seed: number): Record<string, Dataset<T>> {
    const parts = splitIndices(this.items.length, fractions, seed);
    return Object.fromEntries(
      Object.entries(parts).map(([name, indices]) => [name, this.select({ indices })]),
    );
  }

  /** A seeded train/dev split with `devFraction` of the examples (rounded) in `dev`. */
  trainDevSplit(devFraction: number, seed: number): { train: Dataset<T>; dev: Dataset<T> } {
    if (!(devFraction >= 0 && devFraction <= 1))
      throw new RangeError(`devFraction must be in [0, 1], got ${devFraction}`);
    const { train, dev } = this.split({ train: 1 - devFraction, dev: devFraction }, seed);
    return { train: train as Dataset<T>, dev: dev as Dataset<T> };
  }

  /**
   * `n` contiguous shards for sharded evaluation: in order, sizes differing by at most one (the
   * first `size % n` shards hold one more), so concatenating them gives the dataset back and every
   * example is in exactly one shard. With more shards than examples the last ones are empty.
   */
  partition(n: number): Dataset<T>[] {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`partition needs a positive integer, got ${n}`);
    const base = Math.floor(this.items.length / n);
    const extra = this.items.length % n;
    const shards: Dataset<T>[] = [];
    let at = 0;
    for (let i = 0; i < n; i++) {
      const len = base + (i < extra ? 1 : 0);
      shards.push(new Dataset(this.items.slice(at, at + len)));
      at += len;
    }
    return shards;
  }

  /** The examples in batches of `size` (the last may be shorter), for streaming work through. */
  *batches(size: number): Generator<T[]> {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`batch size must be a positive integer, got ${size}`);
    for (let at = 0; at < this.items.length; at += size) yield this.items.slice(at, at + size);
  }
}

/**
 * Batches of `size` from any (async) source without holding it all in memory: lines of a large
 * file, a cursor over a store. The last batch may be shorter.
 *
 * @example
 * ```ts
 * for await (const batch of streamBatches(readExamples('big.jsonl'), 64)) await evaluateBatch(batch);
 * ```
 */
export async function* streamBatches<T>(
  source: AsyncIterable<T> | Iterable<T>,
  size: number,
): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be a positive integer, got ${size}`);
  let batch: T[] = [];
  for await (const item of source) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
