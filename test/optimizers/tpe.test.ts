import { describe, expect, it } from 'vitest';

import { TPESampler } from '../../src/optimizers/tpe.js';

const space = { a: 8, b: 4 };
const objective = (p: Record<string, number>): number =>
  (p.a === 3 ? 1 : 0) + (p.b === 1 ? 0.5 : 0);

function run(seed: number, trials: number): Record<string, number>[] {
  const tpe = new TPESampler(space, { seed });
  const asked: Record<string, number>[] = [];
  for (let i = 0; i < trials; i++) {
    const p = tpe.ask();
    asked.push(p);
    tpe.tell(p, objective(p));
  }
  return asked;
}

describe('TPESampler', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(run(9, 30)).toEqual(run(9, 30));
    expect(run(9, 30)).not.toEqual(run(10, 30));
  });

  it('samples uniformly during the startup trials, within the space', () => {
    const asked = run(1, 10);
    for (const p of asked) {
      expect(p.a).toBeGreaterThanOrEqual(0);
      expect(p.a).toBeLessThan(8);
      expect(p.b).toBeGreaterThanOrEqual(0);
      expect(p.b).toBeLessThan(4);
    }
  });

  it('concentrates on the best choices after the startup trials', () => {
    let hits = 0;
    let total = 0;
    for (let seed = 0; seed < 5; seed++) {
      const asked = run(seed, 40).slice(20);
      hits += asked.filter((p) => p.a === 3 && p.b === 1).length;
      total += asked.length;
    }
    // Uniform sampling would hit (3, 1) with probability 1/32.
    expect(hits / total).toBeGreaterThan(0.4);
  });

  it('learns from told trials (a baseline added to the study counts)', () => {
    const tpe = new TPESampler({ x: 5 }, { seed: 0, nStartupTrials: 3 });
    for (let i = 0; i < 6; i++) tpe.tell({ x: i % 5 }, i % 5 === 2 ? 1 : 0);
    const picks = Array.from({ length: 10 }, () => {
      const p = tpe.ask();
      tpe.tell(p, p.x === 2 ? 1 : 0);
      return p.x;
    });
    expect(picks.filter((x) => x === 2).length).toBeGreaterThanOrEqual(7);
  });

  it('rejects bad spaces and bad trials with a clear error', () => {
    expect(() => new TPESampler({ x: 0 })).toThrow(
      /parameter x must have an integer number of choices >= 1/,
    );
    expect(() => new TPESampler({ x: 2 }).tell({ x: 2 }, 1)).toThrow(/no valid value for x: 2/);
  });
});
