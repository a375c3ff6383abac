import { describe, expect, it } from 'vitest';

import type { Example } from '../../src/modules/example.js';
import type { Module } from '../../src/modules/module.js';
import type { Prediction } from '../../src/modules/prediction.js';
import { context } from '../../src/modules/settings.js';
import { BetterTogether, type PromptOptimizer } from '../../src/optimizers/better-together.js';
import { RuleLM, itemOf } from './rule-lm.js';
import { HintThenAnswer, item } from './simba-world.js';

/** The answer is right for items whose number is in the instructions' "know:" list. */
function lm(): RuleLM {
  return new RuleLM((messages) => {
    const n = itemOf(messages);
    const known =
      /know: ([\d,]+)/.exec((messages[0]?.content as string | undefined) ?? '')?.[1]?.split(',') ??
      [];
    return { hint: `h${n}`, answer: known.includes(String(n)) ? `a${n}` : 'wrong' };
  });
}

/** A stand-in optimizer that teaches the answer predictor some items (and records its trainsets). */
function teach(items: number[], seen: Example[][], fail = false): PromptOptimizer {
  return {
    compile<M extends Module>(student: M, { trainset }: { trainset: readonly Example[] }) {
      seen.push([...trainset]);
      if (fail) return Promise.reject(new Error('boom'));
      const program = student.deepCopy();
      const answer = program.namedPredictors()[1]![1];
      const prev = /know: ([\d,]*)/.exec(answer.signature.instructions)?.[1] ?? '';
      answer.signature = answer.signature.withInstructions(
        `know: ${[prev, ...items].filter((x) => x !== '').join(',')}`,
      );
      return Promise.resolve(program);
    },
  };
}

const metric = (ex: Example, pred: Prediction) => ex['answer'] === pred['answer'];
const trainset = Array.from({ length: 20 }, (_, n) => item(n));

describe('BetterTogether', () => {
  it('chains the optimizers of the strategy, scores each step on the held-out valset, returns the best', async () => {
    const seen: Example[][] = [];
    const bt = new BetterTogether({
      metric,
      optimizers: { p: teach([0], seen), q: teach([1], seen), bad: teach([], seen) },
    });
    const result = await context({ lm: lm() }, () =>
      bt.optimize(new HintThenAnswer(), { trainset, strategy: 'p -> q' }),
    );
    // valsetRatio 0.1 holds out items 0 and 1.
    expect(result.candidates.map((c) => [c.strategy, c.score])).toEqual([
      ['p -> q', 100],
      ['p', 50],
      ['', 0],
    ]);
    expect(result.program.namedPredictors()[1]![1].signature.instructions).toBe('know: 0,1');
    expect(seen.every((t) => t.length === 18)).toBe(true);
    expect(seen[0]!.map((e) => e['answer'])).not.toEqual(trainset.slice(2).map((e) => e['answer']));
    expect(result.compilationErrorOccurred).toBe(false);
  });

  it('a failing step stops the run and returns the best so far', async () => {
    const seen: Example[][] = [];
    const bt = new BetterTogether({
      metric,
      optimizers: { p: teach([0], seen), f: teach([], seen, true) },
    });
    const result = await context({ lm: lm() }, () =>
      bt.optimize(new HintThenAnswer(), { trainset, strategy: 'p -> f -> p' }),
    );
    expect(result.compilationErrorOccurred).toBe(true);
    expect(result.candidates.map((c) => c.strategy)).toEqual(['p', '']);
  });

  it('rejects unknown optimizer names in the strategy', async () => {
    const bt = new BetterTogether({ metric, optimizers: { p: teach([0], []) } });
    await expect(
      bt.optimize(new HintThenAnswer(), { trainset, strategy: 'p -> w' }),
    ).rejects.toThrow(/invalid optimizer keys: \["w"\]/);
  });
});
