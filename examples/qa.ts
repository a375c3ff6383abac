/**
 * A question-answering program with Predict, evaluated on a tiny devset.
 *
 *   npx tsx examples/qa.ts                      # offline, scripted DummyLM
 *   OPENAI_API_KEY=sk-... npx tsx examples/qa.ts
 *   OPENAI_BASE_URL=http://localhost:11434/v1 DSPEX_MODEL=llama3.2 npx tsx examples/qa.ts
 */
import { Evaluate, Example, Predict, answerExactMatch, configure } from 'dspex';
import { lmFromEnv } from './lm-from-env.js';

const devset = [
  ['What is the capital of France? Answer with one word.', 'Paris'],
  ['What is the capital of Italy? Answer with one word.', 'Rome'],
  ['What is the largest planet of the solar system? Answer with one word.', 'Jupiter'],
].map(([question, answer]) => new Example({ question, answer }).withInputs('question'));

const { lm, describe } = lmFromEnv({
  'capital of France': { answer: 'Paris' },
  'capital of Italy': { answer: 'Rome' },
  'largest planet': { answer: 'Saturn' },
});
console.log(`LM: ${describe}`);
configure({ lm });

const qa = new Predict('question -> answer');

const pred = await qa.call({ question: devset[0]!.get<string>('question') });
console.log(`Q: ${devset[0]!.get<string>('question')}\nA: ${String(pred.answer)}`);

const result = await new Evaluate({
  devset,
  metric: answerExactMatch,
  concurrency: 3,
  displayTable: true,
}).run(qa);
console.log(result.summary());
console.log(`score: ${result.score}%  LM calls: ${result.calls.lmCalls}`);
