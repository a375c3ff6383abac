import { describe, expect, it } from 'vitest';
import { Example, ModuleError } from '../../src/modules/index.js';

describe('Example (T24)', () => {
  it('reads fields as properties and with get()', () => {
    const ex = new Example({ question: 'Why?', answer: 'Because.' });
    expect(ex.question).toBe('Why?');
    expect(ex.get('answer')).toBe('Because.');
    expect(ex.get('missing', 'fallback')).toBe('fallback');
    expect(ex.missing).toBeUndefined();
    expect('question' in ex).toBe(true);
    expect(ex.has('nope')).toBe(false);
  });

  it('splits inputs and labels after withInputs', () => {
    const ex = new Example({ question: 'Why?', answer: 'Because.' }).withInputs('question');
    expect(ex.inputs().keys()).toEqual(['question']);
    expect(ex.labels().keys()).toEqual(['answer']);
    expect(ex.inputs().toDict()).toEqual({ question: 'Why?' });
    expect(ex.labels().answer).toBe('Because.');
    expect(ex.inputKeys).toEqual(['question']);
  });

  it('inputs() without withInputs throws', () => {
    const ex = new Example({ question: 'Why?' });
    expect(() => ex.inputs()).toThrow(ModuleError);
    expect(() => ex.inputs()).toThrow(/with_?[iI]nputs/);
  });

  it('hides dspy_ keys from keys() and size', () => {
    const ex = new Example({ question: 'q', dspy_uuid: 'x', dspy_split: 'train' });
    expect(ex.keys()).toEqual(['question']);
    expect(ex.size).toBe(1);
    expect(ex.keys(true)).toEqual(['question', 'dspy_uuid', 'dspy_split']);
  });

  it('withInputs returns a copy and leaves the original untouched', () => {
    const ex = new Example({ a: 1, b: 2 });
    const marked = ex.withInputs('a');
    expect(marked).not.toBe(ex);
    expect(ex.inputKeys).toBeNull();
    expect(marked.toDict()).toEqual({ a: 1, b: 2 });
  });

  it('copy applies a patch and keeps input keys; without drops fields', () => {
    const ex = new Example({ question: 'Why?', answer: 'Because.' }).withInputs('question');
    const copy = ex.copy({ answer: 'No reason.' });
    expect(copy.answer).toBe('No reason.');
    expect(ex.answer).toBe('Because.');
    expect(copy.inputs().keys()).toEqual(['question']);
    expect(ex.without('answer').keys()).toEqual(['question']);
  });

  it('property assignment sets a field', () => {
    const ex = new Example({ a: 1 });
    ex.b = 2;
    expect(ex.toDict()).toEqual({ a: 1, b: 2 });
    delete ex.a;
    expect(ex.keys()).toEqual(['b']);
  });

  it('equals compares fields, toDict/JSON convert nested examples', () => {
    const inner = new Example({ x: 1 });
    const ex = new Example({ nested: inner, list: [inner] });
    expect(ex.toDict()).toEqual({ nested: { x: 1 }, list: [{ x: 1 }] });
    expect(JSON.parse(JSON.stringify(ex))).toEqual({ nested: { x: 1 }, list: [{ x: 1 }] });
    expect(new Example({ a: [1, { b: 2 }] }).equals(new Example({ a: [1, { b: 2 }] }))).toBe(true);
    expect(new Example({ a: 1 }).equals(new Example({ a: 2 }))).toBe(false);
  });

  it('builds from another example and iterates its keys', () => {
    const ex = new Example(new Example({ a: 1, b: 2 }));
    expect([...ex]).toEqual(['a', 'b']);
    expect(ex.items()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});
