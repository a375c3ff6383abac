/**
 * Quality loops: BestOfN, Refine (with the LM's advice between attempts), output checks that retry
 * with feedback, MultiChainComparison over sampled attempts, and Parallel over a small batch.
 *
 *   npx tsx examples/quality-loops.ts        # offline, scripted DummyLM (answers are canned)
 *   OPENAI_API_KEY=sk-... npx tsx examples/quality-loops.ts
 */
import {
  BestOfN,
  ChainOfThought,
  CheckOutputs,
  DummyLM,
  MultiChainComparison,
  Parallel,
  Predict,
  Refine,
  configure,
  type Prediction,
} from '../src/index.js';
import { lmFromEnv } from './lm-from-env.js';

const { lm, dummy, describe } = lmFromEnv({});
console.log(`LM: ${describe}`);
// Offline, each section gets its own script so the flow is visible; online, the model answers.
// Refine sends OfferFeedback its numbers and lists as JSON text, as DSPy does, which Predict
// reports as type mismatches (DSPy logs the same warnings); this logger keeps the output readable.
const logger = {
  warn: (details: Record<string, unknown>, message: string): void => {
    if (!message.startsWith('Type mismatch')) console.warn(message, details);
  },
};
const use = (script: ConstructorParameters<typeof DummyLM>[0]): void =>
  configure({ lm: dummy ? new DummyLM(script) : lm, logger });

const oneWord = (_: unknown, pred: Prediction): number =>
  String(pred.answer).trim().split(/\s+/).length === 1 ? 1 : 0;
const question = 'What is the capital of Belgium?';

use([
  { reasoning: 'Belgium…', answer: 'It is Brussels' },
  { reasoning: 'Short.', answer: 'Brussels' },
]);
const best = new BestOfN(new ChainOfThought('question -> answer'), {
  n: 3,
  rewardFn: oneWord,
  threshold: 1,
});
console.log(`BestOfN: ${(await best.call({ question })).answer}`);

use([
  { answer: 'The capital is Brussels' },
  { discussion: 'The answer was a sentence.', advice: { self: 'Reply with the city name only.' } },
  { answer: 'Brussels' },
]);
const refine = new Refine(new Predict('question -> answer'), {
  n: 3,
  rewardFn: oneWord,
  threshold: 1,
});
console.log(`Refine: ${(await refine.call({ question })).answer}`);

use([{ answer: 'Brussels, Belgium' }, { answer: 'Brussels' }]);
const checked = new CheckOutputs(new Predict('question -> answer'), {
  checks: [
    (pred) => (String(pred.answer).includes(',') ? 'Give only the city, no commas.' : undefined),
  ],
  maxRetries: 2,
});
console.log(`CheckOutputs: ${(await checked.call({ question })).answer}`);

use([
  { reasoning: 'Brussels hosts the government.', answer: 'Brussels' },
  { reasoning: 'Antwerp is the largest port.', answer: 'Antwerp' },
  { reasoning: 'The royal palace is in Brussels.', answer: 'Brussels' },
  { rationale: 'Two of three attempts and the facts agree.', answer: 'Brussels' },
]);
const attempts = await new ChainOfThought('question -> answer', { n: 3 }).call({ question });
const compare = new MultiChainComparison('question -> answer', { m: 3 });
console.log(
  `MultiChainComparison: ${(await compare.call({ completions: attempts.completions, question })).answer}`,
);

use({ France: { answer: 'Paris' }, Japan: { answer: 'Tokyo' } });
const qa = new Predict('question -> answer');
const results = (await new Parallel({ numThreads: 2 }).forward([
  [qa, { question: 'Capital of France?' }],
  [qa, { question: 'Capital of Japan?' }],
])) as (Prediction | null)[];
console.log(`Parallel: ${results.map((r) => r?.answer).join(', ')}`);
