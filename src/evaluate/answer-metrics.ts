import type { Example } from '../modules/example.js';
import type { TraceEntry } from '../modules/parameter.js';
import type { Prediction } from '../modules/prediction.js';
import { EvaluateError } from './evaluate-error.js';
import { passageMatch } from './passage-match.js';
import { EM, F1 } from './text-normalization.js';

function referenceAnswers(example: Example): string[] {
  const answer: unknown = example.get('answer');
  if (typeof answer === 'string') return [answer];
  if (Array.isArray(answer)) return answer.map((a) => String(a));
  throw new EvaluateError(
    'invalid_metric_value',
    `Invalid answer type: ${answer === null ? 'null' : typeof answer}`,
    { details: { answer } },
  );
}

/**
 * Normalised exact match of `prediction.answer` against `example.answer` (a string or a list of
 * accepted strings); with `frac < 1`, a token F1 of at least `frac` is enough (DSPy
 * `answer_exact_match`). Non-string predicted answers are compared by their string form.
 *
 * @example
 * ```ts
 * answerExactMatch(new Example({ answer: ['2', 'two'] }), new Prediction({ answer: '2' })); // true
 * ```
 */
export function answerExactMatch(
  example: Example,
  prediction: Prediction,
  _trace?: readonly TraceEntry[],
  frac = 1.0,
): boolean {
  const answers = referenceAnswers(example);
  const predicted = String(prediction.get('answer'));
  return frac >= 1.0 ? EM(predicted, answers) : F1(predicted, answers) >= frac;
}

/**
 * True when any passage of `prediction.context` contains an answer of `example.answer`
 * (DSPy `answer_passage_match`, with DPR tokenisation).
 */
export function answerPassageMatch(
  example: Example,
  prediction: Prediction,
  _trace?: readonly TraceEntry[],
): boolean {
  const answers = referenceAnswers(example);
  const context: unknown = prediction.get('context');
  const passages = Array.isArray(context) ? context.map((p) => String(p)) : [String(context)];
  return passageMatch(passages, answers);
}
