import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { context } from '../../src/modules/settings.js';
import { SIMBA } from '../../src/optimizers/simba.js';
import {
  HintThenAnswer,
  adviceLm,
  feedbackFields,
  item,
  stateOf,
  worldLm,
  worldMetric,
} from './simba-world.js';

/*
 * simba-golden.json is the output of fixtures/simba_oracle.py: DSPy 3.3.1's own simba.py and
 * simba_utils.py run under CPython's `random` and NumPy's `default_rng` on the fake world of
 * simba-world.ts. Matching it shows our SIMBA samples the same programs, builds the same
 * candidates (same sources, demo drops, strategies, rules) and ends with the same program.
 */
type Call = [number | null, number, number][];
interface GoldenRun {
  parallel: Call[];
  feedback: Record<string, unknown>[];
  poisson: [number, number][];
  candidates: { score: number; state: unknown }[];
  best: unknown;
  trial_logs: Record<string, { train_score?: number }>;
}
const golden = JSON.parse(
  readFileSync(new URL('./fixtures/simba-golden.json', import.meta.url), 'utf8'),
) as Record<string, GoldenRun>;

// DSPy's input type check warns that OfferFeedback's float/list inputs arrive as JSON strings.
const quiet = { warn: () => undefined };
const trainset = Array.from({ length: 10 }, (_, n) => item(n));

describe.each([
  ['b4_c3_s4_d2', { bsize: 4, numCandidates: 3, maxSteps: 4, maxDemos: 2 }],
  ['b3_c2_s3_d0', { bsize: 3, numCandidates: 2, maxSteps: 3, maxDemos: 0 }],
] as const)('SIMBA matches DSPy (%s)', (key, shape) => {
  it.each([1, 4])('step for step, concurrency %i', async (concurrency) => {
    const g = golden[key]!;
    const prompt = adviceLm();
    const simba = new SIMBA({
      metric: worldMetric,
      ...shape,
      promptModel: prompt,
      concurrency,
    });
    const result = await context({ lm: worldLm(), logger: quiet }, () =>
      simba.optimize(new HintThenAnswer(), { trainset, seed: 0 }),
    );
    expect(result.stopReason).toBe('completed');
    expect(result.trialLogs).toHaveLength(shape.maxSteps);
    result.trialLogs.forEach((log, step) => {
      const sampling = g.parallel[2 * step]!;
      expect(log.sampled).toEqual(sampling.map(([idx]) => idx));
      expect(log.batch.map((i) => i)).toEqual(sampling.slice(0, shape.bsize).map(([, n]) => n));
      expect(log.sampledScores).toEqual(sampling.map(([, , s]) => s));
      const evals = g.parallel[2 * step + 1]!;
      expect(log.candidates.map((c) => c.source)).toEqual(
        evals.filter((_, i) => i % shape.bsize === 0).map(([idx]) => idx),
      );
      log.candidates.forEach((c, ci) => {
        const scores = evals.slice(ci * shape.bsize, (ci + 1) * shape.bsize).map(([, , s]) => s);
        expect(c.score).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 12);
      });
      expect(log.trainScore).toBe(g.trial_logs[String(step)]?.train_score);
    });
    expect(prompt.requests.map((r) => feedbackFields(r.messages))).toEqual(g.feedback);
    expect(result.candidates.map((c) => ({ score: c.score, state: stateOf(c.program) }))).toEqual(
      g.candidates,
    );
    expect(stateOf(result.program)).toEqual(g.best);
    expect(result.promptLmCalls).toBe(g.feedback.length);
  });
});
