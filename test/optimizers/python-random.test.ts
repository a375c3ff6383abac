import { describe, expect, it } from 'vitest';

import { PythonRandom } from '../../src/optimizers/python-random.js';
import { OptimizerError } from '../../src/optimizers/optimizer-error.js';

// Expected values were produced by CPython 3.11 `random.Random` (see the calls in each test name);
// DSPy's optimizers are defined by these draws.
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('PythonRandom matches CPython random.Random', () => {
  it('Random(0).random() x3', () => {
    const r = new PythonRandom(0);
    expect([r.random(), r.random(), r.random()]).toEqual([
      0.8444218515250481, 0.7579544029403025, 0.420571580830845,
    ]);
  });

  it('Random(0).sample(range(10), 4) uses the pool strategy', () => {
    expect(new PythonRandom(0).sample(range(10), 4)).toEqual([6, 9, 0, 2]);
  });

  it('Random(0).sample(range(100), 16) uses the set strategy', () => {
    expect(new PythonRandom(0).sample(range(100), 16)).toEqual([
      49, 97, 53, 5, 33, 65, 62, 51, 38, 61, 45, 74, 27, 64, 17, 36,
    ]);
  });

  it('Random(0).sample(range(30), 5) switches to the set strategy above 21 elements', () => {
    expect(new PythonRandom(0).sample(range(30), 5)).toEqual([27, 12, 24, 28, 13]);
  });

  it.each([
    [0, [1, 9, 8, 5, 10, 2, 3, 7, 4, 0, 11, 6], 4],
    [1, [7, 11, 0, 8, 5, 6, 3, 10, 4, 1, 9, 2], 2],
    [2, [9, 11, 3, 4, 7, 6, 8, 2, 5, 10, 1, 0], 1],
    [5, [10, 2, 11, 7, 1, 3, 6, 0, 8, 5, 4, 9], 3],
    [-3, [1, 7, 10, 0, 6, 11, 4, 5, 2, 8, 9, 3], 2],
    [-1, [7, 11, 0, 8, 5, 6, 3, 10, 4, 1, 9, 2], 2],
    [123456789012, [7, 8, 9, 11, 5, 1, 3, 2, 4, 0, 10, 6], 4],
  ])('Random(%i).shuffle(range(12)) and .randint(1, 4)', (seed, shuffled, randint) => {
    expect(new PythonRandom(seed).shuffle(range(12))).toEqual(shuffled);
    expect(new PythonRandom(seed).randint(1, 4)).toBe(randint);
  });

  it('Random(3) successive randint(1, 4)', () => {
    const r = new PythonRandom(3);
    expect(range(6).map(() => r.randint(1, 4))).toEqual([2, 2, 3, 4, 1, 1]);
  });

  it("Random(7).choice('abcdefg') x5", () => {
    const r = new PythonRandom(7);
    expect(range(5).map(() => r.choice([...'abcdefg']))).toEqual(['c', 'b', 'd', 'f', 'a']);
  });

  it("Random('hello') seeds strings with SHA-512 (seed version 2)", () => {
    const r = new PythonRandom('hello');
    expect([r.random(), r.random()]).toEqual([0.3537754404730722, 0.6631985810268619]);
  });

  it('Random(2**40 + 5).getrandbits(40/40/53) spans several key words and output words', () => {
    const r = new PythonRandom(2 ** 40 + 5);
    expect([r.getrandbits(40), r.getrandbits(40), r.getrandbits(53)]).toEqual([
      569101979940, 727003120297, 247050495088864,
    ]);
  });
});

describe('PythonRandom errors', () => {
  it('randint with an empty range throws invalid_option', () => {
    expect(() => new PythonRandom(0).randint(1, 0)).toThrow(OptimizerError);
  });
  it('sample larger than the population throws invalid_option', () => {
    expect(() => new PythonRandom(0).sample([1, 2], 3)).toThrow(/larger than population/);
  });
});
