import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AdapterParseError, ChatAdapter, JSONAdapter } from '../../src/adapters/index.js';
import { signature } from '../../src/signatures/index.js';

const adapter = new ChatAdapter();

describe('ChatAdapter.parse (DSPy parsing rules)', () => {
  it('T10: sections by header, misspelled terminator ignored', () => {
    const sig = signature('question -> answer').prepend('reasoning', 'output', {
      desc: '${reasoning}',
    });
    const text =
      '[[ ## reasoning ## ]]\nStep-by-step thinking about the capital of France\n[[ ## answer ## ]]\nParis\n[[ ## completion ## ]]';
    expect(adapter.parse(sig, text)).toEqual({
      reasoning: 'Step-by-step thinking about the capital of France',
      answer: 'Paris',
    });
  });

  it('T10: the completed marker is not required', () => {
    expect(adapter.parse(signature('question -> answer'), '[[ ## answer ## ]]\nParis')).toEqual({
      answer: 'Paris',
    });
  });

  it('T10: a model output written as a Python dict with an underscored float', () => {
    const Score = z.object({ score: z.number() }).meta({ title: 'Score' });
    const sig = signature({ inputs: { question: z.string() }, outputs: { score: Score } });
    const parsed = adapter.parse(
      sig,
      "[[ ## score ## ]]\n{'score': 123_456.789}\n[[ ## completed ## ]]",
    );
    expect(parsed).toEqual({ score: { score: 123456.789 } });
  });

  it('T2: typed outputs are coerced', () => {
    const sig = signature('question: str -> answer: int, score: float');
    const text = '[[ ## answer ## ]]\n42\n\n[[ ## score ## ]]\n0.9\n\n[[ ## completed ## ]]';
    expect(adapter.parse(sig, text)).toEqual({ answer: 42, score: 0.9 });
  });

  it('the first occurrence of a field wins; text before the first header and unknown headers are ignored', () => {
    const sig = signature('q -> answer, note');
    const text =
      'preamble\n[[ ## answer ## ]] first\nmore\n[[ ## bogus ## ]]\nx\n[[ ## answer ## ]]\nsecond\n[[ ## note ## ]]\n  n  ';
    expect(adapter.parse(sig, text)).toEqual({ answer: 'first\nmore', note: 'n' });
  });

  it('indented headers keep the text after them (DSPy would slice the unstripped line and keep "]]")', () => {
    expect(
      adapter.parse(signature('q -> answer'), '  [[ ## answer ## ]] Paris\n  and more'),
    ).toEqual({
      answer: 'Paris\n  and more',
    });
  });

  it("T11: a response without sections fails with DSPy's message", () => {
    const sig = signature('question -> answer');
    expect(() => adapter.parse(sig, "{'output':'mismatched value'}")).toThrowError(
      /^Adapter ChatAdapter failed to parse/,
    );
    try {
      adapter.parse(sig, 'nonsense');
    } catch (e) {
      expect(e).toBeInstanceOf(AdapterParseError);
      const err = e as AdapterParseError;
      expect(err.code).toBe('adapter_parse');
      expect(err.adapterName).toBe('ChatAdapter');
      expect(err.lmResponse).toBe('nonsense');
      expect(err.parsedResult).toEqual({});
      expect(err.message).toBe(
        'Adapter ChatAdapter failed to parse the LM response. \n\nLM Response: nonsense \n\nExpected to find output fields in the LM response: [answer] \n\nActual output fields parsed from the LM response: [] \n\n',
      );
    }
  });

  it('a value that does not fit its type reports the field and value', () => {
    const sig = signature('q -> n: int');
    expect(() => adapter.parse(sig, '[[ ## n ## ]]\nmany')).toThrowError(
      /^Failed to parse field n with value many from the LM response\. Error message: .*\n\nAdapter ChatAdapter failed to parse/s,
    );
  });

  describe('T12: optional outputs', () => {
    const sig = signature('question -> answer')
      .append('note', 'output', { type: 'str | None', default: 'No note' })
      .append('tags', 'output', { type: 'list[str]', defaultFactory: () => [] })
      .append('maybe', 'output', { type: 'str | None' });

    it('missing optional outputs take their defaults (or None)', () => {
      expect(adapter.parse(sig, '[[ ## answer ## ]]\n42')).toEqual({
        answer: '42',
        note: 'No note',
        tags: [],
        maybe: null,
      });
    });

    it('values supplied by the LM override defaults', () => {
      expect(adapter.parse(sig, '[[ ## answer ## ]]\n42\n[[ ## tags ## ]]\n["a"]')).toEqual({
        answer: '42',
        note: 'No note',
        tags: ['a'],
        maybe: null,
      });
    });

    it('a missing required output still fails, in both adapters', () => {
      expect(() => adapter.parse(sig, '[[ ## note ## ]]\nonly a note')).toThrowError(
        AdapterParseError,
      );
      expect(() => new JSONAdapter().parse(sig, '{"note": "only a note"}')).toThrowError(
        AdapterParseError,
      );
    });

    it('zod .optional() and .default() outputs are optional too', () => {
      const zsig = signature({
        inputs: { q: z.string() },
        outputs: { a: z.string(), b: z.string().optional(), c: z.array(z.string()).default([]) },
      });
      expect(adapter.parse(zsig, '[[ ## a ## ]]\nx')).toEqual({ a: 'x', b: null, c: [] });
    });
  });

  it('zod refinements are enforced on parsed values', () => {
    const sig = signature({ inputs: { q: z.string() }, outputs: { n: z.number().int().min(10) } });
    expect(adapter.parse(sig, '[[ ## n ## ]]\n12')).toEqual({ n: 12 });
    expect(() => adapter.parse(sig, '[[ ## n ## ]]\n3')).toThrowError(AdapterParseError);
  });

  it('T14: JSONAdapter mismatch error carries the adapter name, response and parsed result', () => {
    const sig = signature('question->answer');
    let caught: unknown;
    try {
      new JSONAdapter().parse(sig, "{'answer1': 'Paris'}");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AdapterParseError);
    const err = caught as AdapterParseError;
    expect(err.adapterName).toBe('JSONAdapter');
    expect(err.lmResponse).toBe("{'answer1': 'Paris'}");
    expect(err.parsedResult).toEqual({});
    expect(err.message).toBe(
      "Adapter JSONAdapter failed to parse the LM response. \n\nLM Response: {'answer1': 'Paris'} \n\nExpected to find output fields in the LM response: [answer] \n\nActual output fields parsed from the LM response: [] \n\n",
    );
  });
});
