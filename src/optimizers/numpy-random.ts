const M32 = 0xffffffffn;
const M64 = (1n << 64n) - 1n;
const M128 = (1n << 128n) - 1n;
const PCG_MULT = 0x2360ed051fc65da44385df649fccf645n;

/** uint32 multiply, as NumPy's SeedSequence does on `uint32` values. */
function mul32(a: number, b: number): number {
  return Math.imul(a, b) >>> 0;
}

function hashmix(value: number, hash: { c: number }): number {
  let v = (value ^ hash.c) >>> 0;
  hash.c = mul32(hash.c, 0x931e8875);
  v = mul32(v, hash.c);
  return (v ^ (v >>> 16)) >>> 0;
}

function mix(x: number, y: number): number {
  const r = (mul32(0xca01f9dd, x) - mul32(0x4973f715, y)) >>> 0;
  return (r ^ (r >>> 16)) >>> 0;
}

/** NumPy's `SeedSequence(seed).generate_state(4, uint64)` for a non-negative integer seed. */
function seedSequenceState(seed: number): bigint[] {
  const entropy: number[] = [];
  let rest = BigInt(seed);
  do {
    entropy.push(Number(rest & M32));
    rest >>= 32n;
  } while (rest > 0n);
  while (entropy.length < 4) entropy.push(0);
  const pool = [0, 0, 0, 0];
  const hashA = { c: 0x43b0d7e5 };
  for (let i = 0; i < 4; i++) pool[i] = hashmix(entropy[i]!, hashA);
  for (let src = 0; src < 4; src++) {
    for (let dst = 0; dst < 4; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst]!, hashmix(pool[src]!, hashA));
    }
  }
  for (let src = 4; src < entropy.length; src++) {
    for (let dst = 0; dst < 4; dst++) pool[dst] = mix(pool[dst]!, hashmix(entropy[src]!, hashA));
  }
  const words: number[] = [];
  let hashB = 0x8b51f9dd;
  for (let i = 0; i < 8; i++) {
    let v = (pool[i % 4]! ^ hashB) >>> 0;
    hashB = mul32(hashB, 0x58f38ded);
    v = mul32(v, hashB);
    words.push((v ^ (v >>> 16)) >>> 0);
  }
  const out: bigint[] = [];
  for (let i = 0; i < 8; i += 2) out.push((BigInt(words[i + 1]!) << 32n) | BigInt(words[i]!));
  return out;
}

const LOGGAM_A = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4,
  8.417508417508418e-4, -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2,
  1.796443723688307e-1, -1.3924322169059,
];

function loggam(x: number): number {
  if (x === 1 || x === 2) return 0;
  const n = x < 7 ? Math.trunc(7 - x) : 0;
  let x0 = x + n;
  const x2 = (1 / x0) * (1 / x0);
  let gl0 = LOGGAM_A[9]!;
  for (let k = 8; k >= 0; k--) gl0 = gl0 * x2 + LOGGAM_A[k]!;
  let gl = gl0 / x0 + 0.5 * Math.log(6.283185307179586) + (x0 - 0.5) * Math.log(x0) - x0;
  if (x < 7) {
    for (let k = 1; k <= n; k++) {
      gl -= Math.log(x0 - 1);
      x0 -= 1;
    }
  }
  return gl;
}

/** JSON-safe state of a {@link NumpyRandom} (hex of PCG64's 128-bit state and increment). */
export interface NumpyRandomState {
  state: string;
  inc: string;
}

/**
 * NumPy's `np.random.default_rng(seed)` (PCG64 seeded through SeedSequence), enough of it for the
 * draws DSPy's optimizers make with it: `random()` and `poisson(lam)` (NumPy's multiplication
 * method below 10, PTRS from 10). SIMBA draws its demo-dropping counts from it, so matching it
 * reproduces DSPy's SIMBA runs seed for seed.
 *
 * @example
 * ```ts
 * new NumpyRandom(0).poisson(0.5); // == np.random.default_rng(0).poisson(0.5)
 * ```
 */
export class NumpyRandom {
  private state = 0n;
  private inc = 0n;

  constructor(seed: number | NumpyRandomState = 0) {
    if (typeof seed === 'object') {
      this.state = BigInt(seed.state);
      this.inc = BigInt(seed.inc);
      return;
    }
    const [s0, s1, i0, i1] = seedSequenceState(seed) as [bigint, bigint, bigint, bigint];
    this.inc = ((((i0 << 64n) | i1) << 1n) | 1n) & M128;
    this.step();
    this.state = (this.state + ((s0 << 64n) | s1)) & M128;
    this.step();
  }

  /** The generator's state, to rebuild it with `new NumpyRandom(state)`. */
  getState(): NumpyRandomState {
    return { state: '0x' + this.state.toString(16), inc: '0x' + this.inc.toString(16) };
  }

  private step(): void {
    this.state = (this.state * PCG_MULT + this.inc) & M128;
  }

  private next64(): bigint {
    this.step();
    const x = ((this.state >> 64n) ^ this.state) & M64;
    const rot = this.state >> 122n;
    return ((x >> rot) | (x << ((64n - rot) & 63n))) & M64;
  }

  /** A float in [0, 1) (`Generator.random()`). */
  random(): number {
    return Number(this.next64() >> 11n) * (1 / 9007199254740992);
  }

  /** A Poisson draw with mean `lam` (`Generator.poisson(lam)`). */
  poisson(lam: number): number {
    if (lam >= 10) return this.poissonPtrs(lam);
    if (lam === 0) return 0;
    const enlam = Math.exp(-lam);
    let x = 0;
    let prod = 1;
    for (;;) {
      prod *= this.random();
      if (prod > enlam) x += 1;
      else return x;
    }
  }

  private poissonPtrs(lam: number): number {
    const slam = Math.sqrt(lam);
    const loglam = Math.log(lam);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.random() - 0.5;
      const v = this.random();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lam + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
        -lam + k * loglam - loggam(k + 1)
      ) {
        return k;
      }
    }
  }
}
