import { describe, expect, it } from 'vitest';
import { checkFields } from '../../src/cli/commands/datasets.js';

const file = (examples: Record<string, unknown>[]) => ({
  path: '/d/qa.jsonl',
  examples,
  lines: examples.map((_, i) => i * 2 + 1),
});

describe('checkFields', () => {
  it('accepts examples holding every input and output field', () => {
    expect(() =>
      checkFields(file([{ q: 'a', a: '1' }]), { inputs: ['q'], outputs: ['a'] }),
    ).not.toThrow();
  });

  it('names the file, line and field of examples lacking inputs or labels (empty counts as missing)', () => {
    expect(() =>
      checkFields(file([{ q: 'a', a: '1' }, { a: '2' }, { q: 'c', a: '' }]), {
        inputs: ['q'],
        outputs: ['a'],
      }),
    ).toThrow(
      '2 of 3 examples lack fields:\n  /d/qa.jsonl line 3: missing input field "q"\n  /d/qa.jsonl line 5: missing output field "a"',
    );
  });

  it('lists five problems and counts the rest', () => {
    const bad = Array.from({ length: 8 }, () => ({ a: '1' }));
    expect(() => checkFields(file(bad), { inputs: ['q'], outputs: [] })).toThrow('… and 3 more');
  });
});
