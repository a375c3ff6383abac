import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { context } from '../../src/modules/settings.js';
import { MIPROv2 } from '../../src/optimizers/mipro.js';
import { HintThenAnswer, metric, oracleLm, trainset, valset } from './oracle-world.js';

/*
 * mipro_demo_sets in dspy-golden.json: DSPy 3.3.1's own create_minibatch and
 * create_n_fewshot_demo_sets (dspy/teleprompt/utils.py) run as MIPROv2 runs them — one
 * Random(seed) shared by the valset sample of auto runs and the demo-set shuffles — on the oracle
 * world. Our MIPROv2 must bootstrap the same demo sets (per predictor, set by set).
 */
type Sets = Record<string, Record<string, unknown>[][]>;
const golden = (
  JSON.parse(readFileSync(new URL('./fixtures/dspy-golden.json', import.meta.url), 'utf8')) as {
    mipro_demo_sets: { explicit_5: Sets; light: Sets; light_valset: string[] };
  }
).mipro_demo_sets;

/** Proposer calls get a fixed instruction; everything else is the oracle's rule. */
const lm = () =>
  oracleLm((messages) =>
    ((messages[0]?.content as string | undefined) ?? '').includes('`proposed_instruction`')
      ? { proposed_instruction: 'Answer.' }
      : undefined,
  );
const proposer = { programAwareProposer: false, dataAwareProposer: false } as const;

describe("MIPROv2's demo sets match DSPy's", () => {
  it('auto null, numCandidates 5: sets -3 … 1 from Random(9)', async () => {
    const result = await context({ lm: lm() }, () =>
      new MIPROv2({
        metric,
        auto: null,
        numCandidates: 5,
        maxBootstrappedDemos: 3,
        maxLabeledDemos: 2,
      }).optimize(new HintThenAnswer(), {
        trainset,
        valset,
        numTrials: 2,
        minibatch: false,
        ...proposer,
      }),
    );
    expect(Object.fromEntries(result.demoCandidates!.map((sets, i) => [String(i), sets]))).toEqual(
      golden.explicit_5,
    );
  });

  it("auto 'light': the valset sample comes first from the same generator", async () => {
    const result = await context({ lm: lm() }, () =>
      new MIPROv2({ metric, auto: 'light', maxBootstrappedDemos: 3, maxLabeledDemos: 2 }).optimize(
        new HintThenAnswer(),
        { trainset, valset, ...proposer },
      ),
    );
    expect(Object.fromEntries(result.demoCandidates!.map((sets, i) => [String(i), sets]))).toEqual(
      golden.light,
    );
    expect(result.settings.valsetSize).toBe(golden.light_valset.length);
  });
});
