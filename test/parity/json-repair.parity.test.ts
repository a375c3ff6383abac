import { describe, expect, it } from 'vitest';
import { jsonRepairLoads } from '../../src/signatures/json-repair/index.js';
import { PythonLiteralError, pythonLiteralEval } from '../../src/signatures/python-literal.js';
import { decode, loadFixture, type CorpusCase } from './fixtures.js';

/**
 * The json_repair port against json_repair itself: every string DSPy handed to
 * `json_repair.loads` while generate.py recorded the adapter parse cases, plus a hand-written
 * corpus of repairs (fences, prose, missing brackets, quotes, comments, tuples, several values).
 */
const corpus = loadFixture<{ json_repair_loads: CorpusCase[] }>('json-repair.json');

describe('jsonRepairLoads matches json_repair.loads', () => {
  it.each(corpus.json_repair_loads.map((c) => [JSON.stringify(c.input), c] as const))(
    '%s',
    (_name, c) => {
      expect('value' in c.expected).toBe(true);
      expect(jsonRepairLoads(c.input)).toEqual(decode((c.expected as { value: unknown }).value));
    },
  );
});

function isTagged(v: unknown, tag: string): boolean {
  return v !== null && typeof v === 'object' && tag in v;
}

const literals = loadFixture<{ literal_eval: CorpusCase[] }>('json-repair.json').literal_eval;

describe('pythonLiteralEval matches ast.literal_eval', () => {
  it.each(literals.map((c) => [JSON.stringify(c.input), c] as const))('%s', (_name, c) => {
    const unrepresentable = 'value' in c.expected && isTagged(c.expected.value, '$repr');
    // bytes, complex and Ellipsis have no JSON-like counterpart: dspex rejects them (README).
    if ('error' in c.expected || unrepresentable) {
      expect(() => pythonLiteralEval(c.input)).toThrow(PythonLiteralError);
    } else {
      expect(pythonLiteralEval(c.input)).toEqual(decode(c.expected.value));
    }
  });
});
