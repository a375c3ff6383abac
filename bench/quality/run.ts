/**
 * Quality benchmark: held-out test accuracy of each optimizer on simulated tasks served through
 * the OpenAI wire protocol (bench/quality/simulator.ts explains the simulated world), with the LM
 * calls and dollars each optimization spent and its wall time.
 *
 *   npm run bench -- quality                       # every task and row
 *   npm run bench -- quality --task arithmetic     # one task
 *   npm run bench -- quality --show                # also each row's instructions and demo count
 *
 * Rows are the `ROWS` list below: adding an optimizer is one line. SIMBA and GEPA rows appear
 * when `src/optimizers` exports them.
 */
import { parseArgs } from 'node:util';

import { CallAccounting } from '../../src/evaluate/call-accounting.js';
import { Evaluate } from '../../src/evaluate/evaluate.js';
import type { Metric } from '../../src/evaluate/metric.js';
import { openai } from '../../src/lm/openai-lm.js';
import type { LM } from '../../src/lm/types.js';
import { ChainOfThought } from '../../src/modules/chain-of-thought.js';
import type { Example } from '../../src/modules/example.js';
import type { Prediction } from '../../src/modules/prediction.js';
import type { Module } from '../../src/modules/module.js';
import { Predict } from '../../src/modules/predict.js';
import { context } from '../../src/modules/settings.js';
import * as optimizers from '../../src/optimizers/index.js';
import { startOpenAIFixture } from '../../test/fixtures/openai-fixture.js';
import {
  TASKS,
  TICKET_QUEUES,
  datasets,
  resetSampling,
  simulate,
  type SimTask,
} from './simulator.js';

const { values } = parseArgs({
  options: {
    task: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    show: { type: 'boolean', default: false },
  },
  strict: false,
});
const concurrency = Number(values.concurrency);

/** What a row gets: the task's program, data, metric and the two models. */
interface Setup {
  student: Module;
  train: Example[];
  val: Example[];
  metric: Metric;
  /** The metric with textual feedback (GEPA). */
  feedback: GepaMetricLike;
  small: LM;
  large: LM;
}

interface Row {
  name: string;
  /** Returns the program to test (runs in a context whose LM is the small task model). */
  run(s: Setup): Promise<Module>;
}

type AnyOptimizer = { compile(student: Module, options: Record<string, unknown>): Promise<Module> };
type OptimizerClass = new (options: Record<string, unknown>) => AnyOptimizer;

/** A row for an optimizer another module may export (SIMBA, GEPA): absent until it exists. */
function optionalRow(
  name: string,
  row: string,
  options: (s: Setup) => Record<string, unknown>,
): Row[] {
  const ctor = (optimizers as Record<string, unknown>)[name];
  if (typeof ctor !== 'function') return [];
  return [
    {
      name: row,
      run: (s) =>
        new (ctor as OptimizerClass)(options(s)).compile(s.student, {
          trainset: s.train,
          valset: s.val,
        }),
    },
  ];
}

const ROWS: Row[] = [
  { name: 'zero-shot', run: (s) => Promise.resolve(s.student) },
  {
    name: 'zero-shot, large model (ref.)',
    run: (s) => Promise.resolve(s.student.deepCopy().setLm(s.large)),
  },
  {
    name: 'BootstrapFewShot',
    run: (s) =>
      new optimizers.BootstrapFewShot({
        metric: s.metric,
        maxBootstrappedDemos: 4,
        maxLabeledDemos: 4,
        concurrency,
      }).compile(s.student, { trainset: s.train }),
  },
  {
    name: 'random search (6)',
    run: (s) =>
      new optimizers.BootstrapFewShotWithRandomSearch({
        metric: s.metric,
        maxBootstrappedDemos: 4,
        maxLabeledDemos: 4,
        numCandidatePrograms: 6,
        concurrency,
        display: false,
      }).compile(s.student, { trainset: s.train, valset: s.val }),
  },
  {
    name: 'COPRO (6x2)',
    run: (s) =>
      new optimizers.COPRO({
        metric: s.metric,
        promptModel: s.large,
        breadth: 6,
        depth: 2,
        concurrency,
      }).compile(s.student, { trainset: s.train }),
  },
  {
    name: 'MIPROv2 light',
    run: (s) =>
      new optimizers.MIPROv2({
        metric: s.metric,
        promptModel: s.large,
        auto: 'light',
        concurrency,
      }).compile(s.student, { trainset: s.train, valset: s.val }),
  },
  ...optionalRow('SIMBA', 'SIMBA', (s) => ({
    metric: s.metric,
    promptModel: s.large,
    concurrency,
  })),
  ...optionalRow('GEPA', 'GEPA light', (s) => ({
    metric: s.feedback,
    auto: 'light',
    reflectionLm: s.large,
    concurrency,
  })),
];

const exact: Metric = (example, prediction) => {
  const key = example.labels().keys()[0]!;
  return String(prediction.get(key) ?? '').trim() === String(example.get(key));
};

/** The answer shapes a user of each task would check their outputs against. */
const ANSWER_SHAPE: Record<string, RegExp> = {
  arithmetic: /^-?\d+$/,
  sentiment: /^(pos|neg|mixed)$/,
  dates: /^\d{4}-\d{2}-\d{2}$/,
  tickets: new RegExp(`^(${TICKET_QUEUES.join('|')})$`),
};

/**
 * The feedback metric a user would write for GEPA: exact match, and on a miss what was expected,
 * whether the answer had the wrong shape, and the house rules that concern this input (the user
 * knows which inputs are tricky: ordinal dates, "but" reviews, dozens).
 */
function feedbackFor(task: SimTask): GepaMetricLike {
  return async (example, prediction) => {
    const key = example.labels().keys()[0]!;
    const score = Number(await exact(example, prediction));
    if (score === 1) return { score, feedback: 'Correct.' };
    const got = String(prediction.get(key) ?? '').trim();
    const expected = String(example.get(key));
    const input = String(example.get(task.input));
    const notes = [`Wrong ${key}: expected ${expected}, got ${JSON.stringify(got)}.`];
    if (!(ANSWER_SHAPE[task.name] ?? /^/).test(got)) notes.push(task.facts.format);
    for (const rule of task.rules) if (rule.applies.test(input)) notes.push(rule.fact);
    return { score, feedback: notes.join(' ') };
  };
}

type GepaMetricLike = (
  example: Example,
  prediction: Prediction,
) => Promise<{ score: number; feedback: string }>;

function programFor(task: SimTask): Module {
  return task.cot ? new ChainOfThought(task.signature) : new Predict(task.signature);
}

const fx = await startOpenAIFixture();
fx.recordRequests = false;
fx.handle((req) => {
  const body = req.body as Parameters<typeof simulate>[0];
  return { text: simulate(body), model: body.model };
});
const lm = (model: string, input: number, output: number): LM =>
  openai({ model, apiKey: 'sim', baseURL: fx.url, cache: false, pricing: { input, output } });
const small = lm('sim-small', 0.15, 0.6);
const large = lm('sim-large', 2.5, 10);

const tasks = TASKS.filter((t) => values.task === undefined || t.name === values.task);
const table = new Map<string, number[]>();
try {
  for (const task of tasks) {
    const data = datasets(task);
    console.log(
      `\n${task.name}  (${task.signature}${task.cot ? ', ChainOfThought' : ''}; train ${data.train.length}, val ${data.val.length}, test ${data.test.length}; task model sim-small, prompt model sim-large)`,
    );
    console.log(
      `${'optimizer'.padEnd(30)} ${'test acc'.padStart(8)} ${'LM calls'.padStart(9)} ${'(prompt)'.padStart(9)} ${'$ spent'.padStart(9)} ${'wall s'.padStart(7)}`,
    );
    for (const row of ROWS) {
      resetSampling();
      const setup: Setup = {
        student: programFor(task),
        train: data.train,
        val: data.val,
        metric: exact,
        feedback: feedbackFor(task),
        small,
        large,
      };
      const accounting = new CallAccounting();
      const t0 = performance.now();
      let line: string;
      let program: Module | undefined;
      try {
        program = await context({ lm: small }, () => accounting.run(() => row.run(setup)));
        const seconds = (performance.now() - t0) / 1000;
        const test = await context({ lm: small }, () =>
          new Evaluate({ devset: data.test, metric: exact, concurrency, display: false }).run(
            program!,
          ),
        );
        const stats = accounting.stats();
        const usd = Object.values(stats.usage).reduce((a, u) => a + u.cost, 0);
        const promptCalls = stats.usage['openai/sim-large']?.calls ?? 0;
        const scores = table.get(row.name) ?? [];
        scores.push(test.score);
        table.set(row.name, scores);
        line = `${test.score.toFixed(1).padStart(8)} ${String(stats.lmCalls).padStart(9)} ${String(promptCalls).padStart(9)} ${usd.toFixed(4).padStart(9)} ${seconds.toFixed(1).padStart(7)}`;
      } catch (error) {
        line = `  error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      }
      console.log(`${row.name.padEnd(30)} ${line}`);
      if (values.show === true && program !== undefined)
        for (const [name, p] of program.namedPredictors())
          console.log(`  ${name}: ${p.demos.length} demos; ${p.signature.instructions}`);
    }
  }
  if (tasks.length > 1) {
    console.log(`\nmean test accuracy over ${tasks.length} tasks`);
    for (const [name, scores] of table) {
      console.log(
        `${name.padEnd(30)} ${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(1).padStart(8)}`,
      );
    }
  }
} finally {
  await fx.close();
}
