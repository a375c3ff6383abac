import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dataset, splitIndices, streamBatches } from '../../src/evaluate/index.js';

const FC = { seed: 42, numRuns: 200 };
const items = fc.array(fc.integer(), { maxLength: 60 });
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('Dataset.partition', () => {
  it('covers every example exactly once, in order, with shard sizes differing by at most one', () => {
    fc.assert(
      fc.property(items, fc.integer({ min: 1, max: 20 }), (xs, n) => {
        const shards = Dataset.from(xs).partition(n);
        expect(shards).toHaveLength(n);
        expect(shards.flatMap((s) => s.toArray())).toEqual(xs);
        const sizes = shards.map((s) => s.size);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        // Deterministic: the same call gives the same shards.
        expect(
          Dataset.from(xs)
            .partition(n)
            .map((s) => s.toArray()),
        ).toEqual(shards.map((s) => s.toArray()));
      }),
      FC,
    );
  });

  it('refuses a shard count that is not a positive integer', () => {
    expect(() => Dataset.from([1]).partition(0)).toThrow(/positive integer/);
  });
});

describe('Dataset.split and splitIndices', () => {
  const fractions = fc.dictionary(
    fc.constantFrom('train', 'dev', 'test', 'holdout'),
    fc.double({ min: 0.01, max: 1, noNaN: true }),
    {
      minKeys: 1,
    },
  );

  it('splits positions into disjoint parts that cover all, sized by the fractions, same for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 80 }), fractions, seed, (size, f, s) => {
        const parts = splitIndices(size, f, s);
        const all = Object.values(parts)
          .flat()
          .sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: size }, (_, i) => i));
        const total = Object.values(f).reduce((a, b) => a + b, 0);
        for (const [name, indices] of Object.entries(parts))
          expect(Math.abs(indices.length - (size * (f[name] as number)) / total)).toBeLessThan(1);
        expect(splitIndices(size, f, s)).toEqual(parts);
      }),
      FC,
    );
  });

  it('trainDevSplit puts the rounded dev fraction in dev and the rest in train', () => {
    fc.assert(
      fc.property(items, fc.double({ min: 0, max: 1, noNaN: true }), seed, (xs, fraction, s) => {
        const { train, dev } = Dataset.from(xs).trainDevSplit(fraction, s);
        expect(train.size + dev.size).toBe(xs.length);
        expect(Math.abs(dev.size - fraction * xs.length)).toBeLessThanOrEqual(1);
        expect([...train, ...dev].sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b));
      }),
      FC,
    );
  });

  it('gives another split for another seed on a large enough set', () => {
    const data = Dataset.from(Array.from({ length: 50 }, (_, i) => i));
    expect(data.trainDevSplit(0.2, 0).dev.toArray()).not.toEqual(
      data.trainDevSplit(0.2, 1).dev.toArray(),
    );
  });

  it('refuses negative or all-zero fractions with the fraction named', () => {
    expect(() => splitIndices(3, { train: -1 }, 0)).toThrow(/"train" must be >= 0/);
    expect(() => splitIndices(3, { train: 0 }, 0)).toThrow(/all be 0/);
  });
});

describe('Dataset.sample', () => {
  it('draws n distinct examples of the dataset, the same ones for the same seed', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer(), { maxLength: 40 }), fc.nat(), seed, (xs, k, s) => {
        const n = xs.length === 0 ? 0 : k % (xs.length + 1);
        const drawn = Dataset.from(xs).sample(n, { seed: s }).toArray();
        expect(drawn).toHaveLength(n);
        expect(new Set(drawn).size).toBe(n);
        for (const x of drawn) expect(xs).toContain(x);
        expect(Dataset.from(xs).sample(n, { seed: s }).toArray()).toEqual(drawn);
      }),
      FC,
    );
  });

  it('refuses more than the dataset holds', () => {
    expect(() => Dataset.from([1, 2]).sample(3, { seed: 0 })).toThrow(
      'cannot sample 3 of 2 examples',
    );
  });
});

describe('Dataset streaming and selection', () => {
  it('batches cover the examples in order with only the last batch shorter', async () => {
    await fc.assert(
      fc.asyncProperty(items, fc.integer({ min: 1, max: 10 }), async (xs, size) => {
        const sync = [...Dataset.from(xs).batches(size)];
        async function* source() {
          yield* xs;
        }
        const streamed: number[][] = [];
        for await (const b of streamBatches(source(), size)) streamed.push(b);
        expect(streamed).toEqual(sync);
        expect(sync.flat()).toEqual(xs);
        expect(sync.slice(0, -1).every((b) => b.length === size)).toBe(true);
      }),
      FC,
    );
  });

  it('selects a range or indices and names an index outside the dataset', () => {
    const data = Dataset.from(['a', 'b', 'c']);
    expect(data.select({ from: 1, to: 3 }).toArray()).toEqual(['b', 'c']);
    expect(data.select({ indices: [2, 0] }).toArray()).toEqual(['c', 'a']);
    expect(() => data.select({ indices: [3] })).toThrow('index 3 is outside the dataset (size 3)');
  });
});
