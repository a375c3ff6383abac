import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChatAdapter } from '../../src/adapters/index.js';
import { DummyLM, globalLMHistory, resetGlobalHistory } from '../../src/lm/index.js';
import { Predict, Refine, context, type Prediction } from '../../src/modules/index.js';

// DSPy's own Refine, ChatAdapter and DummyLM on the same script (generator:
// test/modules/fixtures/dspy_refine_oracle.py). The program's and reward's source code differ by
// language, so those two fields are blanked on both sides; every other byte must match.
interface Golden {
  answer: string;
  calls: { messages: { role: string; content: string }[] }[];
}
const golden = JSON.parse(
  readFileSync(new URL('./fixtures/dspy-refine-golden.json', import.meta.url), 'utf8'),
) as Golden;

const blankCode = (text: string): string =>
  text.replace(
    /(\[\[ ## (?:program_code|reward_code) ## \]\]\n)[\s\S]*?(?=\n\n\[\[ ## )/g,
    '$1<source>',
  );

describe("Refine matches DSPy's prompts", () => {
  it('attempt, OfferFeedback and the hinted retry render byte for byte as DSPy', async () => {
    resetGlobalHistory();
    const lm = new DummyLM(
      [
        { answer: 'It is Brussels' },
        { discussion: 'The answer was long.', advice: { self: 'Answer with one word.' } },
        { answer: 'Brussels' },
      ],
      { completedMarker: false },
    );
    const oneWord = (_: unknown, pred: Prediction): number =>
      String(pred.answer).split(/\s+/).length === 1 ? 1.0 : 0.0;
    const refine = new Refine(new Predict('question -> answer'), {
      n: 3,
      rewardFn: oneWord,
      threshold: 1.0,
    });
    const pred = await context({ lm, adapter: new ChatAdapter(), logger: { warn: () => {} } }, () =>
      refine.call({ question: 'Capital of Belgium?' }),
    );
    expect(pred.answer).toBe(golden.answer);
    const ours = globalLMHistory().map((c) =>
      c.messages.map((m) => ({ role: m.role, content: blankCode(String(m.content)) })),
    );
    const theirs = golden.calls.map((c) =>
      c.messages.map((m) => ({ role: m.role, content: blankCode(m.content) })),
    );
    expect(ours).toEqual(theirs);
  });
});
