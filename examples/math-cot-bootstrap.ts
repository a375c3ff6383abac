/**
 * ChainOfThought arithmetic, optimized with BootstrapFewShot on a tiny trainset: evaluated before
 * and after, the optimized state saved to JSON, reloaded into a fresh program, and its prompts
 * checked to be identical.
 *
 *   npx tsx examples/math-cot-bootstrap.ts       # offline, scripted DummyLM
 *   OPENAI_API_KEY=sk-... npx tsx examples/math-cot-bootstrap.ts
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  BootstrapFewShot,
  ChainOfThought,
  ChatAdapter,
  Evaluate,
  Example,
  configure,
  type Prediction,
} from 'dspex';
import { lmFromEnv } from './lm-from-env.js';

const problems: [string, number][] = [
  ['What is 12 + 30?', 42],
  ['What is 7 * 6?', 42],
  ['What is 100 - 58?', 42],
  ['What is 9 * 9?', 81],
  ['What is 144 / 12?', 12],
  ['What is 15 + 27 + 3?', 45],
  ['What is 2 ** 10?', 1024],
  ['What is 81 / 3 - 7?', 20],
];
const examples = problems.map(([question, answer]) =>
  new Example({ question, answer }).withInputs('question'),
);
const trainset = examples.slice(0, 5);
const devset = examples.slice(5);

// The scripted answers for DummyLM mode (one deliberately wrong, so the metric has work to do).
const script = Object.fromEntries(
  problems.map(([q, a], i) => [
    q,
    { reasoning: `Compute ${q.slice(8, -1)}.`, answer: i === 7 ? a + 1 : a },
  ]),
);
const { lm, dummy, describe } = lmFromEnv(script);
console.log(`LM: ${describe}`);
configure({ lm });

function correct(example: Example, pred: Prediction): boolean {
  return Number(pred.answer) === Number(example.answer);
}

const program = new ChainOfThought('question -> answer: int');
const evaluate = new Evaluate({ devset, metric: correct, concurrency: 4 });

const before = await evaluate.run(program);
console.log(`before: ${before.score}% (${before.summary()})`);

const optimizer = new BootstrapFewShot({
  metric: correct,
  maxBootstrappedDemos: 3,
  maxLabeledDemos: 4,
  concurrency: 4,
});
const { program: optimized, stats, bootstrap } = await optimizer.optimize(program, { trainset });
console.log(
  `optimized: ${bootstrap.bootstrapped} bootstrapped demos after ${bootstrap.attempts} attempts, ` +
    `${stats.lmCalls} LM calls, ${stats.metricCalls} metric calls`,
);

const after = await evaluate.run(optimized, { displayTable: true });
console.log(`after: ${after.score}% (${after.summary()})`);
if (dummy)
  console.log(
    '(DummyLM answers are scripted, so the score cannot improve; set OPENAI_* to see a real run)',
  );

const dir = process.env['DSPEX_OUT'] ?? mkdtempSync(join(tmpdir(), 'dspex-example-'));
const file = join(dir, 'math-cot.json');
writeFileSync(file, JSON.stringify(optimized.save(), null, 2));
console.log(`saved: ${file}`);

const reloaded = new ChainOfThought('question -> answer: int').load(
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>,
);
const adapter = new ChatAdapter();
const render = (p: ChainOfThought, question: string) =>
  adapter.format(
    p.predict.signature,
    p.predict.demos.map((d) => (d instanceof Example ? d.toDict() : d)),
    { question },
  );
const same = devset.every(
  (ex) =>
    JSON.stringify(render(optimized, String(ex.question))) ===
    JSON.stringify(render(reloaded, String(ex.question))),
);
console.log(`reloaded program renders identical prompts: ${same}`);
if (!same) process.exitCode = 1;
