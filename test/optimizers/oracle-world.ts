import { Example } from '../../src/modules/example.js';
import { Module } from '../../src/modules/module.js';
import { Predict } from '../../src/modules/predict.js';
import type { Prediction } from '../../src/modules/prediction.js';
import type { LMMessage, LMRequest } from '../../src/lm/types.js';
import { RuleLM, demoText, itemOf } from './rule-lm.js';

/** The stub world of fixtures/dspy_oracle.py, shared by the golden tests. */
const WRONG = new Set([1, 4, 7, 10]);

/** The oracle's rule: train items answered right unless in WRONG; valset item 100+j right iff a demo asks item j. */
export function oracleLm(
  other?: (
    messages: readonly LMMessage[],
    request: LMRequest,
  ) => Record<string, unknown> | undefined,
): RuleLM {
  return new RuleLM((messages, request) => {
    const answer = other?.(messages, request);
    if (answer !== undefined) return answer;
    const n = itemOf(messages);
    if (n >= 100) {
      return {
        hint: `h${n}`,
        answer: demoText(messages).includes(`What is item ${n - 100}?`) ? `a${n}` : 'wrong',
      };
    }
    return { hint: `h${n}`, answer: WRONG.has(n) ? 'wrong' : `a${n}` };
  });
}

export class HintThenAnswer extends Module {
  hint = new Predict('question -> hint');
  answer = new Predict('question, hint -> answer');
  async forward(inputs: { question: string }): Promise<Prediction> {
    const { hint } = await this.hint.call({ question: inputs.question });
    return this.answer.call({ question: inputs.question, hint });
  }
}

export const item = (n: number): Example =>
  new Example({ question: `What is item ${n}?`, answer: `a${n}` }).withInputs('question');
export const trainset = Array.from({ length: 12 }, (_, i) => item(i));
export const valset = Array.from({ length: 6 }, (_, j) => item(100 + j));
export function metric(ex: Example, pred: Prediction): boolean {
  return ex.answer === pred.answer;
}
