import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { runGepa, type GepaEngineOptions } from '../../src/optimizers/gepa-engine.js';
import { toyAdapter, toyReflection } from './gepa-world.js';

/*
 * gepa-golden.json is the output of fixtures/gepa_oracle.py: GEPA's own engine (gepa.optimize, as
 * DSPy 3.3.1's dspy.GEPA drives it) run under CPython's `random` on the toy world of
 * gepa-world.ts. Matching it shows our engine selects the same parents from the Pareto fronts,
 * samples the same minibatches, sends the same reflection prompts, merges the same programs and
 * spends the same metric calls.
 */
interface GoldenRun {
  candidates: Record<string, string>[];
  parents: (number | null)[][];
  val_subscores: number[][];
  discovery: number[];
  total_metric_calls: number;
  num_full_val_evals: number;
  prompts: string[];
}
const golden = JSON.parse(
  readFileSync(new URL('./fixtures/gepa-golden.json', import.meta.url), 'utf8'),
) as Record<string, GoldenRun>;

const cases: [
  string,
  Partial<GepaEngineOptions> & { train?: number; val?: number; objectives?: boolean },
][] = [
  ['instance', { maxMetricCalls: 60 }],
  ['merge', { maxMetricCalls: 120, useMerge: true, maxMergeInvocations: 3, val: 8 }],
  [
    'all_components_b4',
    { maxMetricCalls: 60, componentSelector: 'all', reflectionMinibatchSize: 4 },
  ],
  ['hybrid', { maxMetricCalls: 80, objectives: true, frontierType: 'hybrid', useMerge: true }],
  [
    'current_best_noskip',
    { maxMetricCalls: 50, candidateSelectionStrategy: 'current_best', skipPerfectScore: false },
  ],
];

describe.each(cases)(
  'GEPA engine matches gepa.optimize (%s)',
  (key, { train = 9, val = 6, objectives, ...options }) => {
    it('same candidates, lineage, scores, prompts and metric calls', async () => {
      const g = golden[key]!;
      const prompts: string[] = [];
      const result = await runGepa(
        toyAdapter(objectives),
        { a: 'solve', b: 'answer' },
        Array.from({ length: train }, (_, i) => i),
        Array.from({ length: val }, (_, i) => 100 + i),
        { maxMetricCalls: 0, reflect: toyReflection(prompts), seed: 0, ...options },
      );
      expect(prompts).toEqual(g.prompts);
      expect(result.state.candidates).toEqual(g.candidates);
      expect(result.state.parents).toEqual(g.parents);
      expect(result.state.valScores).toEqual(g.val_subscores);
      expect(result.state.discoveryMetricCalls).toEqual(g.discovery);
      expect(result.state.totalMetricCalls).toBe(g.total_metric_calls);
      expect(result.state.fullValEvals).toBe(g.num_full_val_evals);
    });
  },
);
