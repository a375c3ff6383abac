import type { LMMessage } from '../../src/lm/types.js';
import { Example } from '../../src/modules/example.js';
import { Module } from '../../src/modules/module.js';
import { Predict } from '../../src/modules/predict.js';
import type { Prediction } from '../../src/modules/prediction.js';
import { RuleLM, demoText, itemOf, lastUser } from './rule-lm.js';

/*
 * The fake world of fixtures/simba_oracle.py (see its docstring), shared by the SIMBA tests:
 * answers depend on demos, instructions ("For item N, answer aN.") and the sampling rollout.
 */

/** The task LM of the oracle's world. */
export function worldLm(): RuleLM {
  return new RuleLM((messages, request) => {
    const n = itemOf(messages);
    const system = (messages[0]?.content as string | undefined) ?? '';
    const known =
      demoText(messages).includes(`What is item ${n}?`) || system.includes(`For item ${n}, answer`);
    let answer: string;
    if (known) answer = `a${n}`;
    else if (request.rolloutId === undefined) answer = n % 4 === 0 ? `a${n}` : 'wrong';
    else {
      const v = (7 * n + 3 * Number(request.rolloutId)) % 5;
      answer = v < 2 ? `a${n}` : v === 2 ? 'near' : 'wrong';
    }
    return { hint: `h${n}`, answer };
  });
}

/** The prompt model: advice for the `answer` predictor naming the item of the program inputs. */
export function adviceLm(): RuleLM {
  return new RuleLM((messages) => {
    const n = itemOf(messages);
    return { discussion: 'd', module_advice: { answer: `For item ${n}, answer a${n}.` } };
  });
}

/** The input fields of an OfferFeedback request, JSON values parsed (as the oracle records them). */
export function feedbackFields(messages: readonly LMMessage[]): Record<string, unknown> {
  const parts = lastUser(messages).split(/\[\[ ## (\w+) ## \]\]\n/);
  const out: Record<string, unknown> = {};
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const name = parts[i]!;
    if (name === 'program_code' || name === 'modules_defn') continue;
    const raw = parts[i + 1]!.split('\n\nRespond with')[0]!.trim();
    out[name] = raw === 'N/A' ? raw : (JSON.parse(raw) as unknown);
  }
  return out;
}

export class HintThenAnswer extends Module<{ question: string }> {
  hint = new Predict('question -> hint');
  answer = new Predict('question, hint -> answer');
  async forward(inputs: { question: string }): Promise<Prediction> {
    const { hint } = await this.hint.call({ question: inputs['question'] });
    return this.answer.call({ question: inputs['question'], hint });
  }
}

export const item = (n: number): Example =>
  new Example({ question: `What is item ${n}?`, answer: `a${n}` }).withInputs('question');

/** 1.0 for the right answer, 0.25 for "near", else 0. */
export function worldMetric(ex: Example, pred: Prediction): number {
  if (pred.answer === ex.answer) return 1.0;
  return pred.answer === 'near' ? 0.25 : 0.0;
}

/** Instructions and demos per predictor (the oracle's `state_of`). */
export function stateOf(
  program: Module,
): Record<string, { instructions: string; demos: unknown[] }> {
  return Object.fromEntries(
    Object.entries(program.save()).map(([name, s]) => [
      name,
      { instructions: s.signature.instructions, demos: s.demos },
    ]),
  );
}
