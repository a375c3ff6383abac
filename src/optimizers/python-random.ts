import { createHash } from 'node:crypto';

import { OptimizerError } from './optimizer-error.js';

/**
 * The random source every optimizer draws from. Injectable so tests (and users who want another
 * generator) can replace it; the default, {@link PythonRandom}, reproduces CPython's `random.Random`
 * so a seed picks the same demos as DSPy does.
 */
export interface Rng {
  /** A float in [0, 1). */
  random(): number;
  /** An integer in [0, n). */
  randBelow(n: number): number;
  /** An integer in [a, b], both ends included (Python's `randint`). */
  randint(a: number, b: number): number;
  /** Shuffles `items` in place (Python's `shuffle`) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** `k` distinct elements in selection order (Python's `sample`). */
  sample<T>(population: readonly T[], k: number): T[];
  /** One element (Python's `choice`). */
  choice<T>(items: readonly T[]): T;
}

/** Builds a fresh generator for a seed; optimizers call it wherever DSPy calls `random.Random(seed)`. */
export type RngFactory = (seed: number | string) => Rng;

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * CPython's Mersenne Twister (`random.Random`), bit for bit: the same seeding (`init_by_array` over
 * the absolute value's 32-bit words; strings hashed with SHA-512 as seed version 2), the same
 * `random()`, `getrandbits`, `_randbelow`, `shuffle`, `sample` (both its pool and set strategies),
 * `randint` and `choice`. DSPy's optimizers are defined by these draws (`Random(0).sample`,
 * `Random(seed).shuffle`), so matching them makes our candidate programs DSPy's.
 *
 * @example
 * ```ts
 * new PythonRandom(0).sample(['a', 'b', 'c', 'd'], 2); // same picks as random.Random(0).sample(...)
 * ```
 */
export class PythonRandom implements Rng {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;

  constructor(seed: number | string | bigint = 0) {
    this.seed(seed);
  }

  /** Re-seeds exactly as `random.seed(a)` (version 2) does for ints and strings. */
  seed(seed: number | string | bigint): void {
    let value: bigint;
    if (typeof seed === 'string') {
      const bytes = Buffer.from(seed, 'utf8');
      const digest = createHash('sha512').update(bytes).digest();
      value = BigInt('0x' + Buffer.concat([bytes, digest]).toString('hex'));
    } else if (typeof seed === 'bigint') {
      value = seed < 0n ? -seed : seed;
    } else {
      if (!Number.isInteger(seed)) {
        throw new OptimizerError(
          'invalid_option',
          `seed must be an integer or a string, got ${seed}`,
          {
            details: { seed },
          },
        );
      }
      value = BigInt(Math.abs(seed));
    }
    const key: number[] = [];
    while (value > 0n) {
      key.push(Number(value & 0xffffffffn));
      value >>= 32n;
    }
    if (key.length === 0) key.push(0);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = N;
  }

  /** One tempered 32-bit output (`genrand_uint32`). */
  private next32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  random(): number {
    const a = this.next32() >>> 5;
    const b = this.next32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `getrandbits(k)` for k ≤ 53 (all our ranges fit a JS number). */
  getrandbits(k: number): number {
    if (k <= 0) return 0;
    if (k <= 32) return this.next32() >>> (32 - k);
    // Python fills 32-bit words least significant first; the last word keeps its top bits.
    const low = this.next32();
    const high = this.next32() >>> (64 - k);
    return high * 4294967296 + low;
  }

  randBelow(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new OptimizerError('invalid_option', `randBelow needs a positive integer, got ${n}`, {
        details: { n },
      });
    }
    const k = n.toString(2).length;
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  randint(a: number, b: number): number {
    const width = b + 1 - a;
    if (width < 1) {
      throw new OptimizerError('invalid_option', `empty range for randint(${a}, ${b})`, {
        details: { a, b },
      });
    }
    return a + this.randBelow(width);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.randBelow(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new OptimizerError(
        'invalid_option',
        `sample larger than population or is negative (k=${k}, n=${n})`,
        {
          details: { k, n },
        },
      );
    }
    const result: T[] = new Array<T>(k);
    // CPython picks a strategy by size: a shrinking pool for small populations, a rejection set
    // otherwise. Both consume the generator differently, so both are reproduced.
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = population.slice();
      for (let i = 0; i < k; i++) {
        const j = this.randBelow(n - i);
        result[i] = pool[j]!;
        pool[j] = pool[n - i - 1]!;
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randBelow(n);
        while (selected.has(j)) j = this.randBelow(n);
        selected.add(j);
        result[i] = population[j]!;
      }
    }
    return result;
  }

  choice<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new OptimizerError('invalid_option', 'cannot choose from an empty sequence');
    }
    return items[this.randBelow(items.length)]!;
  }
}

/** The default {@link RngFactory}: CPython-compatible generators, as DSPy seeds them. */
export const pythonRandom: RngFactory = (seed) => new PythonRandom(seed);
