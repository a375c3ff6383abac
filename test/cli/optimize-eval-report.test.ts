import { describe, expect, it } from 'vitest';
import { OPTIMIZER_NAMES } from '../../src/contracts/index.js';
import { renderEvalReport } from '../../src/cli/commands/eval.js';
import { OPTIMIZER_PARAMS, checkOptimizerParams } from '../../src/cli/optimizer-params.js';

describe('checkOptimizerParams', () => {
  it('accepts the options each optimizer takes', () => {
    expect(() =>
      checkOptimizerParams('random-search', { metric: 'exact_match', numCandidatePrograms: 4 }),
    ).not.toThrow();
    expect(() => checkOptimizerParams('labeled-few-shot', { k: 3, sample: false })).not.toThrow();
  });

  it('rejects an unknown key by name, listing the keys the optimizer takes (exit 2)', () => {
    expect(() => checkOptimizerParams('labeled-few-shot', { kk: 3 })).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: "--params: unknown option 'kk' for labeled-few-shot (it takes: k, sample, seed)",
      }),
    );
  });

  it('rejects counts and sizes out of range before anything runs', () => {
    expect(() => checkOptimizerParams('bootstrap', { maxBootstrappedDemos: -5 })).toThrow(
      "option 'maxBootstrappedDemos' of bootstrap must be an integer ≥ 0, got -5",
    );
    expect(() => checkOptimizerParams('mipro', { numTrials: 2.5 })).toThrow(
      "option 'numTrials' of mipro must be an integer ≥ 1, got 2.5",
    );
    expect(() => checkOptimizerParams('gepa', { maxUsd: -1 })).toThrow(
      "option 'maxUsd' of gepa must be a number ≥ 0, got -1",
    );
    expect(() =>
      checkOptimizerParams('mipro', { auto: null, numTrials: 1, maxBootstrappedDemos: 0 }),
    ).not.toThrow();
  });

  it('rejects a value of the wrong JSON type and the deploy key', () => {
    expect(() => checkOptimizerParams('bootstrap-few-shot', { maxRounds: '2' })).toThrow(
      `option 'maxRounds' of bootstrap-few-shot must be an integer ≥ 1, got "2"`,
    );
    expect(() => checkOptimizerParams('bootstrap-few-shot', { metricThreshold: 'x' })).toThrow(
      `option 'metricThreshold' of bootstrap-few-shot must be a number, got "x"`,
    );
    expect(() => checkOptimizerParams('bootstrap-few-shot', { deploy: true })).toThrow(
      'use --deploy',
    );
  });

  it('knows every optimizer the runtime accepts', () => {
    expect(Object.keys(OPTIMIZER_PARAMS)).toEqual([...OPTIMIZER_NAMES]);
  });
});

describe('renderEvalReport', () => {
  const devset = [{ question: 'a' }, { question: 'b'.repeat(200) }];

  it('prints the score in percent and each failed example with its reason', () => {
    const text = renderEvalReport(
      { score: 50, failures: [{ index: 1, reason: 'LM down\n  twice' }] },
      devset,
      true,
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('score 50.00% over 2 examples (1 raised an error)');
    expect(lines[1]).toMatch(/^ {2}example 2 \{"question":"b+\.\.\.: LM down twice$/);
  });

  it('without --show-errors hints at it when examples failed', () => {
    expect(
      renderEvalReport({ score: 0, failures: [{ index: 0, reason: 'x' }] }, devset, false),
    ).toContain('--show-errors');
    expect(renderEvalReport({ score: 100, failures: [] }, devset, false)).toBe(
      'score 100.00% over 2 examples\n',
    );
  });
});
