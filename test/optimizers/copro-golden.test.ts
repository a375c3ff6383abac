import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { LMRequest } from '../../src/lm/types.js';
import { Example } from '../../src/modules/example.js';
import { Module } from '../../src/modules/module.js';
import { Predict } from '../../src/modules/predict.js';
import type { Prediction } from '../../src/modules/prediction.js';
import { context } from '../../src/modules/settings.js';
import { COPRO } from '../../src/optimizers/copro.js';
import { systemOf, userOf } from './choice-lm.js';
import { levelWorld as world } from './level-world.js';

/*
 * The copro_* entries of dspy-golden.json come from fixtures/dspy_oracle.py running DSPy 3.3.1's
 * own copro_optimizer.py on a stub world: the prompt model proposes `level j` (first round) or
 * `"level top+1+j"` after the best attempt; item N is right iff the last predictor's level exceeds
 * N % 5. The same world here must give DSPy's candidates, scores, attempts and best program.
 */
interface CoproGolden {
  best: string[];
  best_prefix: string[];
  total_calls: number;
  candidates: { instruction: string; prefix: string; score: number; depth: number }[];
  proposals: { signature: string; n: number; temperature: number; attempts?: string[] }[];
}
const golden = JSON.parse(
  readFileSync(new URL('./fixtures/dspy-golden.json', import.meta.url), 'utf8'),
) as Record<string, CoproGolden>;

const item = (n: number): Example =>
  new Example({ question: `What is item ${n}?`, answer: `a${n}` }).withInputs('question');
const trainset = Array.from({ length: 10 }, (_, i) => item(i));
const metric = (ex: Example, pred: Prediction): boolean => ex.answer === pred.answer;
class Chain extends Module {
  readonly steps: Predict[];
  constructor(count: number) {
    super();
    this.steps = Array.from({ length: count }, () => new Predict('question -> answer'));
  }
  async forward(inputs: { question: string }): Promise<Prediction> {
    let last: Prediction | undefined;
    for (const step of this.steps) last = await step.call(inputs);
    return last!;
  }
}

describe("COPRO matches DSPy's copro_optimizer.py", () => {
  for (const [key, count, breadth, depth] of [
    ['copro_1x3x3', 1, 3, 3],
    ['copro_2x3x2', 2, 3, 2],
  ] as const) {
    it(`${count} predictor(s), breadth ${breadth}, depth ${depth}: same candidates, attempts and best`, async () => {
      const g = golden[key]!;
      const requests: LMRequest[] = [];
      const result = await context({ lm: world(requests) }, () =>
        new COPRO({ metric, breadth, depth, initTemperature: 1.1 }).optimize(new Chain(count), {
          trainset,
        }),
      );
      expect(result.program.predictors().map((p) => p.signature.instructions)).toEqual(g.best);
      expect(result.program.predictors().map((p) => p.signature.field('answer')!.prefix)).toEqual(
        g.best_prefix,
      );
      expect(result.totalCalls).toBe(g.total_calls);
      expect(
        result.candidates.map(({ instruction, prefix, score, depth: d }) => ({
          instruction,
          prefix,
          score,
          depth: d,
        })),
      ).toEqual(g.candidates);
      const proposals = requests.filter((r) => systemOf(r).includes('instruction optimizer'));
      expect(proposals.map((r) => ({ n: r.n, temperature: r.temperature }))).toEqual(
        g.proposals.map((p) => ({ n: p.n, temperature: p.temperature })),
      );
      for (const [i, p] of g.proposals.entries()) {
        if (p.attempts === undefined) continue;
        const shown = userOf(proposals[i]!);
        p.attempts.forEach((a, k) => expect(shown).toContain(`[${k + 1}] «${a}»`));
      }
    });
  }
});
