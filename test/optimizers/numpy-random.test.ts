import { describe, expect, it } from 'vitest';

import { NumpyRandom } from '../../src/optimizers/numpy-random.js';
import { pythonRandom } from '../../src/optimizers/python-random.js';
import { ReplayRng, weightedChoice } from '../../src/optimizers/replay-rng.js';

// Values printed by numpy 2.4 (`g = np.random.default_rng(seed)`; two g.random(), then g.poisson
// of each lam in order) on this machine.
const LAMS = [0.25, 0.5, 1, 2.5, 0, 12, 30, 12, 50];
const NUMPY: [number, number[], number[]][] = [
  [0, [0.6369616873214543, 0.2697867137638703], [0, 0, 3, 3, 0, 16, 34, 16, 46]],
  [7, [0.625095466604667, 0.8972138009695755], [0, 0, 0, 1, 0, 12, 26, 11, 57]],
  [2 ** 40 + 3, [0.7736560850714245, 0.9958573802012665], [0, 0, 0, 3, 0, 13, 44, 15, 42]],
];

describe('NumpyRandom', () => {
  it.each(NUMPY)(
    'reproduces default_rng(%i): random() and poisson (mult and PTRS)',
    (seed, floats, counts) => {
      const g = new NumpyRandom(seed);
      expect([g.random(), g.random()]).toEqual(floats);
      expect(LAMS.map((l) => g.poisson(l))).toEqual(counts);
    },
  );

  it('continues from a saved state', () => {
    const a = new NumpyRandom(3);
    a.poisson(4);
    const b = new NumpyRandom(
      JSON.parse(JSON.stringify(a.getState())) as ReturnType<NumpyRandom['getState']>,
    );
    expect([b.random(), b.poisson(20)]).toEqual([a.random(), a.poisson(20)]);
  });
});

describe('ReplayRng', () => {
  it('restores a generator mid-stream from its JSON checkpoint', () => {
    const a = new ReplayRng(pythonRandom, 5);
    a.shuffle([1, 2, 3, 4, 5]);
    a.random();
    a.sample(['x', 'y', 'z'], 2);
    a.randBelow(7);
    a.choice([1, 2]);
    a.randint(1, 9);
    const b = ReplayRng.restore(pythonRandom, JSON.parse(JSON.stringify(a.checkpoint())));
    expect([b.random(), b.randBelow(100), b.shuffle([1, 2, 3, 4])]).toEqual([
      a.random(),
      a.randBelow(100),
      a.shuffle([1, 2, 3, 4]),
    ]);
  });

  it('weightedChoice follows Python choices(weights=...): bisect over cumulative weights', () => {
    const fixed = { random: () => 0.5 } as unknown as ReplayRng;
    expect(weightedChoice(fixed, ['a', 'b', 'c'], [0.2, 0.3, 0.5])).toBe('c');
    expect(weightedChoice(fixed, ['a', 'b', 'c'], [0.2, 0.31, 0.49])).toBe('b');
    expect(weightedChoice(fixed, ['a', 'b'], [0.5, 0.5])).toBe('b');
  });
});
