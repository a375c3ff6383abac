import { describe, expect, it } from 'vitest';

import type { Metric } from '../../src/evaluate/metric.js';
import { ChainOfThought } from '../../src/modules/chain-of-thought.js';
import { Example } from '../../src/modules/example.js';
import type { Module } from '../../src/modules/module.js';
import { Predict } from '../../src/modules/predict.js';
import type { Prediction } from '../../src/modules/prediction.js';
import { context } from '../../src/modules/settings.js';
import {
  BootstrapFewShot,
  type BootstrapCheckpoint,
} from '../../src/optimizers/bootstrap-few-shot.js';
import { OptimizerError } from '../../src/optimizers/optimizer-error.js';
import type { OptimizerProgress } from '../../src/optimizers/optimizer.js';
import { PythonRandom, type Rng } from '../../src/optimizers/python-random.js';
import { RuleLM, demoText, itemOf } from './rule-lm.js';

const item = (n: number): Example =>
  new Example({ question: `What is item ${n}?`, answer: `a${n}` }).withInputs('question');
const trainset = Array.from({ length: 8 }, (_, i) => item(i));
function exact(ex: Example, pred: Prediction): boolean {
  return ex.answer === pred.answer;
}

/** Answers item N with aN, except the items in `wrong`. */
const answering = (wrong: ReadonlySet<number> = new Set()): RuleLM =>
  new RuleLM((m) => {
    const n = itemOf(m);
    return { reasoning: `because ${n}`, answer: wrong.has(n) ? 'wrong' : `a${n}` };
  });

const questions = (demos: readonly unknown[]): unknown[] =>
  demos.map((d) => (d as Example).question);

describe('BootstrapFewShot: which demos', () => {
  it('bootstraps the first maxBootstrappedDemos passing examples, in train order, and stops there', async () => {
    const lm = answering(new Set([0, 2]));
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 2,
    });
    const { program, stats, bootstrap } = await context({ lm }, () =>
      opt.optimize(new Predict('question -> answer'), { trainset }),
    );
    const demos = program.predictors()[0]!.demos as Example[];
    expect(demos.map((d) => [d.question, d.augmented])).toEqual([
      ['What is item 1?', true],
      ['What is item 3?', true],
    ]);
    expect(demos[0]!.toDict()).toEqual({
      augmented: true,
      question: 'What is item 1?',
      answer: 'a1',
    });
    // Items 0..3 ran, nothing after the second success.
    expect(stats.lmCalls).toBe(4);
    expect(stats.metricCalls).toBe(4);
    expect(bootstrap).toMatchObject({
      bootstrapped: 2,
      attempts: 4,
      errors: 0,
      lmCalls: 4,
      metricCalls: 4,
    });
    expect(program.compiled).toBe(true);
  });

  it('fills up to maxLabeledDemos with a Random(0) sample of the shuffled unbootstrapped examples', async () => {
    const lm = answering();
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 1,
      maxLabeledDemos: 4,
    });
    const program = await context({ lm }, () =>
      opt.compile(new Predict('question -> answer'), { trainset }),
    );
    const rest = trainset.slice(1);
    new PythonRandom(0).shuffle(rest);
    const expected = new PythonRandom(0).sample(rest, 3);
    const demos = program.predictors()[0]!.demos;
    expect(questions(demos)).toEqual(['What is item 0?', ...expected.map((e) => e.question)]);
    expect((demos[1] as Example).has('augmented')).toBe(false);
  });

  it('accepts every trace without a metric', async () => {
    const lm = answering(new Set([0, 1, 2]));
    const opt = new BootstrapFewShot({ maxBootstrappedDemos: 2, maxLabeledDemos: 0 });
    const program = await context({ lm }, () =>
      opt.compile(new Predict('question -> answer'), { trainset }),
    );
    expect(program.predictors()[0]!.demos.map((d) => (d as Example).answer)).toEqual([
      'wrong',
      'wrong',
    ]);
  });

  it('uses metricThreshold on numeric metrics', async () => {
    const lm = answering();
    const byItem: Metric = (ex) => (Number(String(ex.answer).slice(1)) % 2 === 0 ? 0.9 : 0.4);
    const opt = new BootstrapFewShot({
      metric: byItem,
      metricThreshold: 0.5,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 0,
    });
    const program = await context({ lm }, () =>
      opt.compile(new Predict('question -> answer'), { trainset }),
    );
    expect(questions(program.predictors()[0]!.demos)).toEqual([
      'What is item 0?',
      'What is item 2?',
    ]);
  });

  it('passes the trace to the metric', async () => {
    const lm = answering();
    const seen: number[] = [];
    const metric: Metric = (_ex, _pred, trace) => {
      seen.push(trace?.length ?? -1);
      return true;
    };
    const opt = new BootstrapFewShot({ metric, maxBootstrappedDemos: 2, maxLabeledDemos: 0 });
    await context({ lm }, () =>
      opt.compile(new ChainOfThought('question -> answer'), { trainset }),
    );
    expect(seen).toEqual([1, 1]);
  });

  it('records ChainOfThought reasoning in the demos', async () => {
    const lm = answering();
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 1,
      maxLabeledDemos: 0,
    });
    const program = await context({ lm }, () =>
      opt.compile(new ChainOfThought('question -> answer'), { trainset }),
    );
    expect((program.predictors()[0]!.demos[0] as Example).toDict()).toEqual({
      augmented: true,
      question: 'What is item 0?',
      reasoning: 'because 0',
      answer: 'a0',
    });
  });
});

describe('BootstrapFewShot: teacher', () => {
  it('runs the teacher with LabeledFewShot demos that never include the example being bootstrapped', async () => {
    const lm = answering();
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 3,
      maxLabeledDemos: 4,
    });
    await context({ lm }, () => opt.compile(new Predict('question -> answer'), { trainset }));
    expect(lm.requests).toHaveLength(3);
    for (const req of lm.requests) {
      const n = itemOf(req.messages);
      expect(demoText(req.messages)).not.toContain(`What is item ${n}?`);
      // The teacher holds 4 labeled demos; the current example, when among them, is removed.
      const expected = new PythonRandom(0)
        .sample(trainset, 4)
        .filter((e) => e.question !== `What is item ${n}?`);
      expect(req.messages.filter((m) => m.role === 'assistant')).toHaveLength(expected.length);
    }
  });

  it('runs an explicit teacher under teacherSettings and gives its traces to the student', async () => {
    const studentLm = answering(new Set(trainset.map((_, i) => i)));
    const teacherLm = answering();
    const teacher = new Predict('question -> answer');
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 0,
      teacherSettings: { lm: teacherLm },
    });
    const program = await context({ lm: studentLm }, () =>
      opt.compile(new Predict('question -> answer'), { trainset, teacher }),
    );
    expect(teacherLm.requests).toHaveLength(2);
    expect(studentLm.requests).toHaveLength(0);
    expect(questions(program.predictors()[0]!.demos)).toEqual([
      'What is item 0?',
      'What is item 1?',
    ]);
    expect(teacher.demos).toEqual([]);
  });

  it('counts teacher calls even when teacherSettings brings its own callbacks', async () => {
    const teacherLm = answering();
    const seen: string[] = [];
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 0,
      teacherSettings: { lm: teacherLm, callbacks: [{ onLmStart: (id) => seen.push(id) }] },
    });
    const { stats } = await opt.optimize(new Predict('question -> answer'), { trainset });
    expect(seen).toHaveLength(2);
    expect(stats.lmCalls).toBe(2);
  });

  it('keeps a compiled teacher as is (no labeled demos added)', async () => {
    const lm = answering();
    const teacher = new Predict('question -> answer');
    teacher.demos = [{ question: 'What is item 50?', answer: 'a50' }];
    teacher.compiled = true;
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 1,
      maxLabeledDemos: 4,
    });
    await context({ lm }, () =>
      opt.compile(new Predict('question -> answer'), { trainset, teacher }),
    );
    expect(demoText(lm.requests[0]!.messages)).toContain('What is item 50?');
  });

  it('rejects a teacher of another structure or signature', async () => {
    const lm = answering();
    const opt = new BootstrapFewShot({ metric: exact });
    const run = (teacher: Module) =>
      context({ lm }, () => opt.compile(new Predict('question -> answer'), { trainset, teacher }));
    await expect(run(new ChainOfThought('question -> answer'))).rejects.toMatchObject({
      code: 'program_mismatch',
    });
    await expect(run(new Predict('question -> reply'))).rejects.toMatchObject({
      code: 'program_mismatch',
    });
  });

  it('rejects a compiled student', async () => {
    const student = new Predict('question -> answer');
    student.compiled = true;
    await expect(
      new BootstrapFewShot({ metric: exact }).compile(student, { trainset }),
    ).rejects.toMatchObject({
      code: 'already_compiled',
    });
  });
});

describe('BootstrapFewShot: rounds', () => {
  it('retries a failing example at temperature 1.0 with rolloutId = round, stopping at the first success', async () => {
    // Item 0 fails at temperature 0 and passes at 1.0; item 1 always fails.
    const lm = new RuleLM((m, req) => {
      const n = itemOf(m);
      return {
        answer: n === 0 && req.temperature === 1 ? 'a0' : n === 1 ? 'no' : n === 0 ? 'no' : `a${n}`,
      };
    });
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 0,
      maxRounds: 3,
    });
    const { program, bootstrap } = await context({ lm }, () =>
      opt.optimize(new Predict('question -> answer'), { trainset }),
    );
    expect(lm.requests.map((r) => [itemOf(r.messages), r.temperature, r.rolloutId])).toEqual([
      [0, 0, undefined],
      [0, 1, 1],
      [1, 0, undefined],
      [1, 1, 1],
      [1, 1, 2],
      [2, 0, undefined],
    ]);
    expect(questions(program.predictors()[0]!.demos)).toEqual([
      'What is item 0?',
      'What is item 2?',
    ]);
    expect(bootstrap.attempts).toBe(6);
  });
});

describe('BootstrapFewShot: call budgets', () => {
  it('starts no train example once the examples before it used maxLmCalls, whatever the concurrency', async () => {
    for (const concurrency of [1, 3]) {
      const lm = answering(new Set([0, 1, 2, 3]));
      const opt = new BootstrapFewShot({
        metric: exact,
        maxLmCalls: 3,
        maxLabeledDemos: 0,
        concurrency,
      });
      const { bootstrap, program } = await context({ lm }, () =>
        opt.optimize(new Predict('question -> answer'), { trainset }),
      );
      expect(bootstrap).toMatchObject({ attempts: 3, lmCalls: 3, budgetExhausted: true });
      expect(program.demos).toEqual([]);
    }
  });

  it('maxMetricCalls counts metric calls the same way; a zero budget starts nothing', async () => {
    const lm = answering(new Set([0]));
    const run = (maxMetricCalls: number) =>
      context({ lm }, () =>
        new BootstrapFewShot({ metric: exact, maxMetricCalls, maxLabeledDemos: 0 }).optimize(
          new Predict('question -> answer'),
          { trainset },
        ),
      );
    const two = await run(2);
    expect(questions(two.program.demos)).toEqual(['What is item 1?']);
    expect(two.bootstrap.metricCalls).toBe(2);
    const zero = await run(0);
    expect(zero.stats.lmCalls).toBe(0);
    expect(zero.bootstrap.budgetExhausted).toBe(true);
  });
});

describe('BootstrapFewShot: error budget', () => {
  const failingOn =
    (bad: ReadonlySet<number>): Metric =>
    (ex, pred) => {
      if (bad.has(Number(String(ex.answer).slice(1))))
        throw new Error(`metric failed on ${String(ex.answer)}`);
      return ex.answer === pred.answer;
    };

  it('tolerates errors below maxErrors and skips those examples', async () => {
    const lm = answering();
    const opt = new BootstrapFewShot({
      metric: failingOn(new Set([0, 1])),
      maxErrors: 3,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 0,
    });
    const { program, bootstrap } = await context({ lm }, () =>
      opt.optimize(new Predict('question -> answer'), { trainset }),
    );
    expect(questions(program.predictors()[0]!.demos)).toEqual([
      'What is item 2?',
      'What is item 3?',
    ]);
    expect(bootstrap.errors).toBe(2);
  });

  it('aborts with max_errors_exceeded at the error reaching maxErrors, whatever the concurrency', async () => {
    for (const concurrency of [1, 4]) {
      const lm = answering();
      const opt = new BootstrapFewShot({
        metric: failingOn(new Set([1, 3, 5])),
        maxErrors: 2,
        concurrency,
      });
      const error = await context({ lm }, () =>
        opt.compile(new Predict('question -> answer'), { trainset }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OptimizerError);
      expect((error as OptimizerError).code).toBe('max_errors_exceeded');
      expect((error as OptimizerError).details['index']).toBe(3);
      expect(((error as OptimizerError).cause as Error).message).toBe('metric failed on a3');
    }
  });

  it('counts program errors too (an LM that throws)', async () => {
    const lm = new RuleLM(() => {
      throw new Error('provider down');
    });
    const opt = new BootstrapFewShot({ metric: exact, maxErrors: 1 });
    await expect(
      context({ lm }, () => opt.compile(new Predict('question -> answer'), { trainset })),
    ).rejects.toMatchObject({
      code: 'max_errors_exceeded',
    });
  });
});

describe('BootstrapFewShot: concurrency, determinism, isolation', () => {
  const wrong = new Set([1, 2, 5]);

  it('concurrency 4 yields exactly the demos of concurrency 1', async () => {
    const run = async (concurrency: number) => {
      const lm = answering(wrong);
      const opt = new BootstrapFewShot({
        metric: exact,
        maxBootstrappedDemos: 3,
        maxLabeledDemos: 5,
        concurrency,
      });
      return context({ lm }, () =>
        opt.optimize(new ChainOfThought('question -> answer'), { trainset }),
      );
    };
    const [one, four] = [await run(1), await run(4)];
    expect(four.program.save()).toEqual(one.program.save());
    expect(one.stats.lmCalls).toBe(5); // items 0..4: successes at 0, 3, 4
    // Speculative runs past the stopping point are bounded by the window (4 ahead).
    expect(four.stats.lmCalls).toBeGreaterThanOrEqual(5);
    expect(four.stats.lmCalls).toBeLessThanOrEqual(8);
  });

  it('runs at most `concurrency` teacher calls at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const gateLm = new RuleLM((m) => ({ answer: `a${itemOf(m)}` }));
    const metric: Metric = async (ex, pred) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return ex.answer === pred.answer;
    };
    const opt = new BootstrapFewShot({
      metric,
      maxBootstrappedDemos: 8,
      maxLabeledDemos: 0,
      concurrency: 3,
    });
    await context({ lm: gateLm }, () =>
      opt.compile(new Predict('question -> answer'), { trainset }),
    );
    expect(peak).toBe(3);
  });

  it('same seed gives the same demos; another seed reshuffles the labeled fill', async () => {
    const run = async (seed: number) => {
      const lm = answering(wrong);
      const opt = new BootstrapFewShot({
        metric: exact,
        maxBootstrappedDemos: 1,
        maxLabeledDemos: 6,
        seed,
      });
      return questions(
        (
          await context({ lm }, () => opt.compile(new Predict('question -> answer'), { trainset }))
        ).predictors()[0]!.demos,
      );
    };
    expect(await run(7)).toEqual(await run(7));
    expect(await run(7)).not.toEqual(await run(0));
  });

  it('uses an injected RNG for every draw', async () => {
    const draws: string[] = [];
    const identity = (): Rng => ({
      random: () => 0,
      randBelow: () => 0,
      randint: (a) => a,
      shuffle: <T>(xs: T[]) => (draws.push('shuffle'), xs),
      sample: <T>(xs: readonly T[], k: number) => (draws.push(`sample${k}`), xs.slice(0, k)),
      choice: <T>(xs: readonly T[]) => xs[0]!,
    });
    const lm = answering();
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 1,
      maxLabeledDemos: 3,
      rng: identity,
    });
    const program = await context({ lm }, () =>
      opt.compile(new Predict('question -> answer'), { trainset }),
    );
    expect(draws).toEqual(['sample3', 'shuffle', 'sample2']);
    expect(questions(program.predictors()[0]!.demos)).toEqual([
      'What is item 0?',
      'What is item 1?',
      'What is item 2?',
    ]);
  });

  it('leaves the student untouched and reports progress in train order', async () => {
    const lm = answering(wrong);
    const student = new Predict('question -> answer');
    const events: OptimizerProgress[] = [];
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 2,
      onProgress: (e) => events.push(e),
    });
    const program = await context({ lm }, () => opt.compile(student, { trainset }));
    expect(program).not.toBe(student);
    expect(student.demos).toEqual([]);
    expect(student.compiled).toBe(false);
    expect(
      events.map((e) => (e.phase === 'bootstrap' ? [e.processed, e.bootstrapped] : [])),
    ).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
    ]);
  });

  it('counts usage of the run', async () => {
    const lm = answering();
    const opt = new BootstrapFewShot({
      metric: exact,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 0,
    });
    const { stats } = await context({ lm }, () =>
      opt.optimize(new Predict('question -> answer'), { trainset }),
    );
    expect(stats.usage['rule/rule']).toMatchObject({
      calls: 2,
      promptTokens: 20,
      completionTokens: 4,
    });
  });
});

describe('BootstrapFewShot: checkpoints', () => {
  it('checkpoints after every train example and a resumed run ends with the same demos without rerunning them', async () => {
    const options = { metric: exact, maxBootstrappedDemos: 3, maxLabeledDemos: 5 };
    const wrong = new Set([0, 2, 3]);
    const checkpoints: BootstrapCheckpoint[] = [];
    const full = await context({ lm: answering(wrong) }, () =>
      new BootstrapFewShot({
        ...options,
        checkpoint: (c) => {
          checkpoints.push(JSON.parse(JSON.stringify(c)) as BootstrapCheckpoint);
        },
      }).optimize(new Predict('question -> answer'), { trainset }),
    );
    // Items 0..5 ran (successes at 1, 4, 5): one checkpoint per example.
    expect(checkpoints.map((c) => c.outcomes.length)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(checkpoints[1]!.outcomes[1]!.rounds[0]).toEqual({
      kind: 'success',
      demos: { self: [{ augmented: true, question: 'What is item 1?', answer: 'a1' }] },
    });

    // Taken over after item 3: only items 4 and 5 call the LM again.
    const lm = answering(wrong);
    const resumed = await context({ lm }, () =>
      new BootstrapFewShot(options).optimize(new Predict('question -> answer'), {
        trainset,
        resumeFrom: checkpoints[3]!,
      }),
    );
    expect(resumed.stats.lmCalls).toBe(2);
    expect(resumed.bootstrap).toMatchObject({
      bootstrapped: 3,
      attempts: 6,
      lmCalls: full.bootstrap.lmCalls,
      metricCalls: full.bootstrap.metricCalls,
    });
    const dicts = (m: Module) => m.predictors()[0]!.demos.map((d) => (d as Example).toDict());
    expect(dicts(resumed.program)).toEqual(dicts(full.program));
  });
});
