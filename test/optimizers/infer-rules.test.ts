import { describe, expect, it } from 'vitest';

import type { Example } from '../../src/modules/example.js';
import type { Prediction } from '../../src/modules/prediction.js';
import { context } from '../../src/modules/settings.js';
import { InferRules } from '../../src/optimizers/infer-rules.js';
import { PythonRandom } from '../../src/optimizers/python-random.js';
import { RuleLM, itemOf, lastUser } from './rule-lm.js';
import { HintThenAnswer, item } from './simba-world.js';

/*
 * The rule-induction LM sees the examples text; its rules name the answer format only on some
 * rollouts, and the task LM follows a rule "Answer aN for item N" when the instructions carry it.
 */
function worldLm(): RuleLM {
  return new RuleLM((messages, request) => {
    const user = lastUser(messages);
    if (user.includes('[[ ## examples_text ## ]]')) {
      const good = Number(request.rolloutId) % 2 === 1;
      return {
        reasoning: 'r',
        natural_language_rules: good ? '1. Answer aN for item N.' : '1. Be brief.',
      };
    }
    const n = itemOf(messages);
    const system = (messages[0]?.content as string | undefined) ?? '';
    return { hint: `h${n}`, answer: system.includes('Answer aN for item N') ? `a${n}` : 'wrong' };
  });
}

const metric = (ex: Example, pred: Prediction) => ex['answer'] === pred['answer'];

describe('InferRules', () => {
  it('induces rules per predictor, appends them to the instructions and keeps the best candidate', async () => {
    const lm = worldLm();
    const trainset = Array.from({ length: 8 }, (_, n) => item(n));
    const result = await context({ lm }, () =>
      new InferRules({
        metric,
        numCandidates: 3,
        numRules: 4,
        maxBootstrappedDemos: 0,
        maxLabeledDemos: 0,
      }).optimize(new HintThenAnswer(), { trainset }),
    );
    const induction = lm.requests.filter((r) => lastUser(r.messages).includes('examples_text'));
    expect(induction).toHaveLength(6); // 3 candidates x 2 predictors
    expect(induction[0]!.messages[0]!.content).toContain(
      'extract a list of 4 concise and non-redundant natural language rules',
    );
    // Only the first half of the trainset (no valset given) is shown, answer predictor fields only.
    const answerPrompt = lastUser(induction[1]!.messages);
    expect(answerPrompt).toContain(
      'Input Fields:\nquestion: What is item 0?\n\n=========\nOutput Fields:\nanswer: a0',
    );
    expect(answerPrompt).not.toContain('item 4?');
    expect(induction.every((r) => r.temperature === 1 && typeof r.rolloutId === 'number')).toBe(
      true,
    );
    const best = result.candidates.reduce((a, b) => (b.score > a.score ? b : a));
    expect(result.program).toBe(best.program);
    const instructions = result.program.namedPredictors()[1]![1].signature.instructions;
    expect(instructions).toContain(
      '\n\nPlease adhere to the following rules when making your prediction:\n',
    );
    // Random(0).randint(0, 10**9) draws the rollout ids; the answer predictor's rules are the
    // 2nd, 4th and 6th draws, good when odd.
    const rng = new PythonRandom(0);
    const draws = Array.from({ length: 6 }, () => rng.randint(0, 10 ** 9));
    expect(induction.map((r) => r.rolloutId)).toEqual(draws);
    expect(result.candidates.map((c) => c.score)).toEqual(
      [draws[1]!, draws[3]!, draws[5]!].map((d) => (d % 2 === 1 ? 100 : 0)),
    );
    expect(instructions.includes('Answer aN')).toBe(best.score === 100);
  });
});
