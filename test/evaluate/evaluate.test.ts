import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Callback } from '../../src/context/index.js';
import { Evaluate, type EvaluableProgram } from '../../src/evaluate/evaluate.js';
import { EvaluateError } from '../../src/evaluate/evaluate-error.js';
import type { Metric } from '../../src/evaluate/metric.js';
import { context } from '../../src/modules/settings.js';
import { Example } from '../../src/modules/example.js';
import { Prediction } from '../../src/modules/prediction.js';

const qa = (question: string, answer: string): Example =>
  new Example({ question, answer }).withInputs('question');

/** Answers from a table; questions listed in `fail` throw. Records concurrency. */
class TableProgram implements EvaluableProgram {
  inFlight = 0;
  maxInFlight = 0;
  calls: string[] = [];
  constructor(
    private readonly answers: Record<string, string>,
    private readonly fail: ReadonlySet<string> = new Set(),
    private readonly gate?: (question: string) => Promise<void>,
  ) {}
  async call(inputs: Record<string, unknown>): Promise<Prediction> {
    const q = String(inputs['question']);
    this.calls.push(q);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate(q);
      else await Promise.resolve();
      if (this.fail.has(q)) throw new Error(`boom ${q}`);
      return new Prediction({ answer: this.answers[q] ?? '' });
    } finally {
      this.inFlight--;
    }
  }
}

function exact(ex: Example, pred: Prediction): boolean {
  return ex.answer === pred.answer;
}

const devset = [qa('1+1', '2'), qa('2+2', '4'), qa('3+3', '6')];
const answers = { '1+1': '2', '2+2': '4', '3+3': '7' };

describe('Evaluate score', () => {
  it('is a percentage rounded to 2 decimals as Python (2/3 → 66.67)', async () => {
    const result = await new Evaluate({ devset, metric: exact, display: false }).run(
      new TableProgram(answers),
    );
    expect(result.score).toBe(66.67);
    expect(result.results.map((r) => r.score)).toEqual([true, true, false]);
    expect(result.summary()).toBe('Average Metric: 2 / 3 (66.7%)');
  });

  it('accepts numeric and Prediction-valued metrics', async () => {
    const half: Metric = () => new Prediction({ score: 0.5 });
    const result = await new Evaluate({ devset, metric: half, display: false }).run(
      new TableProgram(answers),
    );
    expect(result.score).toBe(50);
    expect(result.results[0]?.score).toBe(0.5);
  });

  it('run() overrides replace options for one run', async () => {
    const evaluate = new Evaluate({ devset, metric: exact, display: false });
    const result = await evaluate.run(new TableProgram(answers), { devset: devset.slice(0, 2) });
    expect(result.score).toBe(100);
  });
});

describe('Evaluate concurrency', () => {
  it('never runs more than `concurrency` examples at once', async () => {
    const many = Array.from({ length: 20 }, (_, i) => qa(`q${i}`, 'a'));
    const program = new TableProgram({});
    await new Evaluate({ devset: many, metric: exact, concurrency: 3, display: false }).run(
      program,
    );
    expect(program.maxInFlight).toBe(3);
  });

  it('keeps devset order when examples finish out of order', async () => {
    const release = new Map<string, () => void>();
    const gate = (q: string): Promise<void> => new Promise((r) => release.set(q, r));
    const program = new TableProgram(answers, new Set(), gate);
    const running = new Evaluate({ devset, metric: exact, concurrency: 3, display: false }).run(
      program,
    );
    await new Promise((r) => setImmediate(r));
    for (const q of ['3+3', '1+1', '2+2']) release.get(q)?.();
    const result = await running;
    expect(result.results.map((r) => r.example.question)).toEqual(['1+1', '2+2', '3+3']);
    expect(result.results.map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it('gives the same results with concurrency 1 and 4', async () => {
    const many = Array.from({ length: 12 }, (_, i) => qa(`q${i}`, i % 3 === 0 ? 'x' : 'y'));
    const table = Object.fromEntries(
      many.map((e, i) => [e.question as string, i % 2 === 0 ? 'x' : 'y']),
    );
    const run = (concurrency: number) =>
      new Evaluate({ devset: many, metric: exact, concurrency, display: false }).run(
        new TableProgram(table),
      );
    const [a, b] = [await run(1), await run(4)];
    expect(b.score).toBe(a.score);
    expect(b.rows()).toEqual(a.rows());
  });
});

describe('Evaluate error budget', () => {
  it('scores failed examples with failureScore and records the error', async () => {
    const program = new TableProgram(answers, new Set(['2+2']));
    const result = await new Evaluate({
      devset,
      metric: exact,
      failureScore: 0.5,
      display: false,
    }).run(program);
    expect(result.score).toBe(50); // (1 + 0.5 + 0) / 3
    expect(result.errorCount).toBe(1);
    expect(result.results[1]?.error).toBeInstanceOf(Error);
    expect(result.results[1]?.prediction.keys()).toEqual([]);
  });

  it('counts metric exceptions as failures', async () => {
    const throwing: Metric = () => {
      throw new Error('metric broke');
    };
    const result = await new Evaluate({
      devset,
      metric: throwing,
      maxErrors: 5,
      display: false,
    }).run(new TableProgram(answers));
    expect(result.errorCount).toBe(3);
    expect(result.score).toBe(0);
  });

  it('aborts with max_errors_exceeded once maxErrors failures occurred, starting nothing more', async () => {
    const many = Array.from({ length: 10 }, (_, i) => qa(`q${i}`, 'a'));
    const program = new TableProgram({}, new Set(['q1', 'q2', 'q3', 'q4']));
    const evaluate = new Evaluate({
      devset: many,
      metric: exact,
      maxErrors: 2,
      concurrency: 1,
      display: false,
    });
    const error = await evaluate.run(program).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvaluateError);
    expect((error as EvaluateError).code).toBe('max_errors_exceeded');
    expect((error as EvaluateError).details['failedIndices']).toEqual([1, 2]);
    expect(((error as EvaluateError).cause as Error).message).toBe('boom q2');
    expect(program.calls).toEqual(['q0', 'q1', 'q2']);
  });

  it('with concurrency, stops starting examples at the budget and waits for the running ones', async () => {
    const many = Array.from({ length: 12 }, (_, i) => qa(`q${i}`, 'a'));
    const program = new TableProgram({}, new Set(['q0']));
    const evaluate = new Evaluate({
      devset: many,
      metric: exact,
      maxErrors: 1,
      concurrency: 3,
      display: false,
    });
    await expect(evaluate.run(program)).rejects.toMatchObject({ code: 'max_errors_exceeded' });
    expect(program.calls.length).toBeLessThan(12);
    expect(program.inFlight).toBe(0);
  });

  it('rejects a devset without marked inputs and a missing metric', async () => {
    const raw = [new Example({ question: 'q', answer: 'a' })];
    await expect(
      new Evaluate({ devset: raw, metric: exact }).run(new TableProgram({})),
    ).rejects.toThrow(/no inputs marked/);
    await expect(new Evaluate({ devset }).run(new TableProgram({}))).rejects.toThrow(
      /needs a metric/,
    );
    await expect(
      new Evaluate({ devset: [], metric: exact }).run(new TableProgram({})),
    ).rejects.toThrow(/empty/);
  });
});

describe('Evaluate export', () => {
  it('builds DSPy rows: example fields, prediction fields, colliding keys prefixed, metric last', async () => {
    const result = await new Evaluate({ devset, metric: exact, display: false }).run(
      new TableProgram(answers),
    );
    expect(result.rows()[2]).toEqual({
      question: '3+3',
      example_answer: '6',
      pred_answer: '7',
      exact: false,
    });
  });

  it('writes CSV and JSON files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-eval-'));
    const csv = join(dir, 'r.csv');
    const json = join(dir, 'r.json');
    await new Evaluate({
      devset,
      metric: exact,
      display: false,
      saveAsCsv: csv,
      saveAsJson: json,
    }).run(new TableProgram({ ...answers, '1+1': 'two, "2"' }));
    expect(readFileSync(csv, 'utf8')).toBe(
      'question,example_answer,pred_answer,exact\r\n' +
        '1+1,2,"two, ""2""",False\r\n2+2,4,4,True\r\n3+3,6,7,False\r\n',
    );
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual([
      { question: '1+1', example_answer: '2', pred_answer: 'two, "2"', exact: false },
      { question: '2+2', example_answer: '4', pred_answer: '4', exact: true },
      { question: '3+3', example_answer: '6', pred_answer: '7', exact: false },
    ]);
  });

  it('prints a text table, truncated to displayTable rows', async () => {
    const printed: string[] = [];
    await new Evaluate({
      devset,
      metric: exact,
      display: false,
      displayTable: 2,
      print: (t) => printed.push(t),
    }).run(new TableProgram(answers));
    expect(printed).toHaveLength(1);
    const lines = printed[0]!.split('\n');
    expect(lines[0]).toMatch(/^\s+question\s+example_answer\s+pred_answer\s+exact$/);
    expect(lines[1]).toMatch(/^0\s+1\+1\s+2\s+2\s+✔️ \[True\]$/);
    expect(lines[3]).toBe('... 1 more rows not displayed ...');
  });

  it('JSON.stringify(result) carries score, counts and rows', async () => {
    const result = await new Evaluate({ devset, metric: exact, display: false }).run(
      new TableProgram(answers),
    );
    const json = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
    expect(json['score']).toBe(66.67);
    expect(json['examples']).toBe(3);
    expect(json['calls']).toEqual({ lmCalls: 0, cachedCalls: 0, failedCalls: 0, usage: {} });
  });
});

describe('Evaluate callbacks and progress', () => {
  it('emits onEvaluateStart/End with the same call id and reports progress per example', async () => {
    const events: string[] = [];
    const cb: Callback = {
      onEvaluateStart: (id) => events.push(`start:${id.length > 0}`),
      onEvaluateEnd: (_id, out, err) =>
        events.push(`end:${(out as { score: number }).score}:${String(err)}`),
    };
    const progress: number[] = [];
    await context({ callbacks: [cb] }, () =>
      new Evaluate({
        devset,
        metric: exact,
        display: false,
        onProgress: (p) => progress.push(p.completed),
      }).run(new TableProgram(answers)),
    );
    expect(events).toEqual(['start:true', 'end:66.67:undefined']);
    expect(progress).toEqual([1, 2, 3]);
  });
});
