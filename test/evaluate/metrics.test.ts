import { describe, expect, it } from 'vitest';

import { answerExactMatch, answerPassageMatch } from '../../src/evaluate/answer-metrics.js';
import { passes, scoreOf } from '../../src/evaluate/metric.js';
import { passageMatch } from '../../src/evaluate/passage-match.js';
import { pythonRound } from '../../src/evaluate/python-round.js';
import {
  EM,
  F1,
  HotPotF1,
  f1Score,
  hotpotF1Score,
  normalizeText,
  precisionScore,
} from '../../src/evaluate/text-normalization.js';
import { Example } from '../../src/modules/example.js';
import { Prediction } from '../../src/modules/prediction.js';

// Expected values were computed by DSPy 3.3.1's dspy/evaluate/metrics.py under CPython 3.11.
describe('normalizeText (DSPy normalize_text)', () => {
  it.each([
    ['The,  Eiffel  Tower!', 'eiffel tower'], // T24
    ['thé café', '\u0301 café'], // NFD: the accent is not a word character, so "the" goes
    ['A man, a plan', 'man plan'],
    ['Hello\u00a0World\u2003x', 'hello world x'],
    ['Ünïcödé—dash', 'u\u0308ni\u0308co\u0308de\u0301—dash'],
    ['an_apple the_end', 'anapple theend'],
    ['x\x1cy', 'x y'],
    ['tab\there', 'tab here'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeText(input)).toBe(expected.normalize('NFD'));
  });
});

describe('token scores', () => {
  it('F1("Eiffel Tower is in Paris", ["Paris"]) = 0.33333333333333337', () => {
    expect(F1('Eiffel Tower is in Paris', ['Paris'])).toBe(0.33333333333333337);
  });
  it('precisionScore counts overlap over predicted tokens', () => {
    expect(precisionScore('eiffel tower in paris', 'eiffel tower')).toBe(0.5);
  });
  it('f1Score ignores articles and counts repeated tokens once each', () => {
    expect(f1Score('the cat sat on the mat', 'a cat on a mat')).toBe(0.8571428571428571);
  });
  it('two empty answers score 0, as DSPy (unlike SQuAD 2.0)', () => {
    expect(f1Score('', '')).toBe(0);
  });
  it('HotPotF1 zeroes mismatched yes/no answers', () => {
    expect(hotpotF1Score('yes', 'no')).toBe(0);
    expect(hotpotF1Score('yes it is', 'yes')).toBe(0);
    expect(HotPotF1('Paris', ['paris'])).toBe(1);
  });
  it('EM normalises before comparing', () => {
    expect(EM('The Eiffel Tower', ['Eiffel Tower', 'Louvre'])).toBe(true);
    expect(EM('paris', ['Paris, France'])).toBe(false);
  });
});

describe('answerExactMatch (T24)', () => {
  const pred = (answer: string): Prediction => new Prediction({ answer });
  it('matches any of a list of answers', () => {
    expect(answerExactMatch(new Example({ answer: ['2', 'two'] }), pred('2'))).toBe(true);
  });
  it('rejects a different answer', () => {
    expect(answerExactMatch(new Example({ answer: ['2', 'two'] }), pred('3'))).toBe(false);
  });
  it('frac < 1 accepts an F1 of at least frac', () => {
    const ex = new Example({ answer: ['Eiffel Tower', 'Louvre'] });
    expect(answerExactMatch(ex, pred('The Eiffel Tower'), undefined, 1.0)).toBe(true);
    expect(answerExactMatch(ex, pred('Eiffel Tower in Paris'), undefined, 0.5)).toBe(true);
    expect(answerExactMatch(ex, pred('Eiffel Tower in Paris'), undefined, 0.8)).toBe(false);
  });
  it('rejects an example whose answer is neither a string nor a list', () => {
    expect(() => answerExactMatch(new Example({ answer: 3 }), pred('3'))).toThrow(
      /Invalid answer type/,
    );
  });
});

describe('answerPassageMatch (DPR tokens)', () => {
  it.each([
    [['The Eiffel Tower is in Paris.', '...'], ['Eiffel Tower'], true],
    [['Eiffel Towers are'], ['Eiffel Tower'], false],
    [['The tower, Eiffel.'], ['Eiffel Tower'], false],
    [['Café au lait'], ['cafe'], false],
    [['price: 3.5€ today'], ['3.5'], true],
    [['x 3 5 y'], ['3.5'], false],
  ])('%j contains %j → %s', (passages, answers, expected) => {
    expect(passageMatch(passages, answers)).toBe(expected);
  });
  it('reads pred.context and example.answer', () => {
    const ex = new Example({ answer: 'Eiffel Tower' });
    expect(
      answerPassageMatch(ex, new Prediction({ context: ['The Eiffel Tower is in Paris.'] })),
    ).toBe(true);
  });
});

describe('metric values', () => {
  it('scoreOf accepts numbers, booleans and objects with a score', () => {
    expect(scoreOf(true)).toBe(1);
    expect(scoreOf(0.25)).toBe(0.25);
    expect(scoreOf(new Prediction({ score: 0.5 }))).toBe(0.5);
    expect(() => scoreOf({} as never)).toThrow(/must return a number/);
  });
  it('passes() uses the threshold when it is truthy, truthiness otherwise (DSPy)', () => {
    expect(passes(0.7, 0.66)).toBe(true);
    expect(passes(0.5, 0.66)).toBe(false);
    expect(passes(0, 0)).toBe(false);
    expect(passes(0.1)).toBe(true);
    expect(passes(false)).toBe(false);
  });
});

describe('pythonRound (Python round)', () => {
  it.each([
    [2.675, 2.67, 2.7],
    [0.125, 0.12, 0.1],
    [0.375, 0.38, 0.4],
    [66.66666666666667, 66.67, 66.7],
    [12.345, 12.35, 12.3],
    [99.995, 100, 100],
    [1e-5, 0, 0],
    [123456.785, 123456.79, 123456.8],
    [2.5, 2.5, 2.5],
    [33.335, 33.34, 33.3],
  ])('round(%f, 2) = %f, round(x, 1) = %f', (x, r2, r1) => {
    expect(pythonRound(x, 2)).toBe(r2);
    expect(pythonRound(x, 1)).toBe(r1);
  });
});
