import { describe, expect, it } from 'vitest';
import { DummyLM } from '../../src/lm/index.js';
import {
  Completions,
  Example,
  Predict,
  Prediction,
  context,
  majority,
} from '../../src/modules/index.js';

describe('Prediction and Completions (T19)', () => {
  it('fromCompletions exposes the first completion and all of them', () => {
    const pred = Prediction.fromCompletions([
      { answer: 'my first answer' },
      { answer: 'my second answer' },
    ]);
    expect(pred.answer).toBe('my first answer');
    expect(pred.completions.answer).toEqual(['my first answer', 'my second answer']);
    expect(pred.completions.length).toBe(2);
    expect(pred.completions[1].answer).toBe('my second answer');
    expect(pred.completions.at(-1)?.answer).toBe('my second answer');
    expect([...pred.completions].map((c) => c.answer)).toEqual([
      'my first answer',
      'my second answer',
    ]);
  });

  it('with two outputs each field lists its values per completion', () => {
    const pred = Prediction.fromCompletions([
      { answer1: 'my 0 answer', answer2: 'my 2 answer' },
      { answer1: 'my 1 answer', answer2: 'my 3 answer' },
    ]);
    expect(pred.completions.answer1[1]).toBe('my 1 answer');
    expect(pred.completions.answer2[0]).toBe('my 2 answer');
  });

  it('is an Example and converts its score to a number', () => {
    const pred = new Prediction({ score: 0.75 });
    expect(pred).toBeInstanceOf(Example);
    expect(Number(pred)).toBe(0.75);
    expect(+pred + 0.25).toBe(1);
    expect(() => new Prediction({ answer: 'x' }).toNumber()).toThrow(/score/);
  });

  it('a plain prediction has a single completion view', () => {
    const pred = new Prediction({ answer: 'a' });
    expect(pred.completions.length).toBe(1);
    expect(pred.completions.answer).toEqual(['a']);
  });

  it('Completions accept a field → list record and reject uneven lists', () => {
    const c = new Completions({ answer: ['a', 'b'] });
    expect(c.at(1)?.answer).toBe('b');
    expect(() => new Completions({ a: ['1'], b: ['1', '2'] })).toThrow(/same length/);
  });
});

describe('majority (T20)', () => {
  const three = [{ answer: '2' }, { answer: '2' }, { answer: '3' }];

  it('votes over a Prediction, Completions or a list', () => {
    expect(majority(Prediction.fromCompletions(three)).completions[0].answer).toBe('2');
    expect(majority(new Completions(three)).completions[0].answer).toBe('2');
    expect(majority(three).answer).toBe('2');
  });

  it('normalises values before counting', () => {
    const result = majority([{ answer: '2' }, { answer: ' 2' }, { answer: '3' }]);
    expect(result.answer).toBe('2');
  });

  it('votes on the given field', () => {
    const result = majority(
      [
        { answer: '2', other: '1' },
        { answer: '2', other: '1' },
        { answer: '3', other: '2' },
      ],
      { field: 'other' },
    );
    expect(result.completions[0].other).toBe('1');
  });

  it('returns the first completion when all differ', () => {
    expect(majority([{ answer: '2' }, { answer: '3' }, { answer: '4' }]).answer).toBe('2');
  });

  it('a later value that wins outright beats an earlier one', () => {
    expect(majority([{ answer: 'x' }, { answer: 'The Y!' }, { answer: 'y' }]).answer).toBe(
      'The Y!',
    );
  });
});

describe('pred.outputs reads every field, also one named like a member', () => {
  const names = ['labels', 'size', 'toJSON', 'get', 'keys', 'copy', 'completions', 'outputs'];

  it('outputs gives the field where property access gives the member', () => {
    const data = Object.fromEntries(names.map((n) => [n, `value of ${n}`]));
    const pred = Prediction.fromCompletions([data]);
    for (const n of names) expect(pred.outputs[n]).toBe(`value of ${n}`);
    expect(typeof pred.labels).toBe('function');
    expect(pred.size).toBe(names.length);
    expect(JSON.parse(JSON.stringify(pred))).toEqual(data);
    expect(pred.get('labels')).toBe('value of labels');
  });

  it('outputs is a fresh snapshot: writing to it leaves the prediction alone', () => {
    const pred = new Prediction<{ answer: string }>({ answer: 'a' });
    const outputs = pred.outputs as { answer: string };
    outputs.answer = 'changed';
    expect(pred.answer).toBe('a');
    pred.answer = 'b';
    expect(pred.outputs.answer).toBe('b');
  });

  it('a Predict call with colliding output names parses them into outputs', async () => {
    const lm = new DummyLM([{ labels: 'pos', size: '3', toJSON: 'true', get: '["x"]' }]);
    const p = new Predict('question -> labels, size: int, toJSON: bool, get: list[str]');
    const pred = await context({ lm }, () => p.call({ question: 'q' }));
    expect(pred.outputs).toEqual({ labels: 'pos', size: 3, toJSON: true, get: ['x'] });
    expect(pred.outputs.size + 1).toBe(4);
    expect(pred.completions.get('labels')).toEqual(['pos']);
    expect(typeof pred.toJSON).toBe('function');
  });
});
