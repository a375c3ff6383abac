import { describe, expect, it } from 'vitest';

import { Example } from '../../src/modules/example.js';
import { context } from '../../src/modules/settings.js';
import {
  GEPA,
  gepaAutoBudget,
  type GepaCheckpoint,
  type GepaMetric,
} from '../../src/optimizers/gepa.js';
import { INSTRUCTION_PROPOSAL_TEMPLATE } from '../../src/optimizers/gepa-proposal.js';
import { OptimizerError } from '../../src/optimizers/optimizer-error.js';
import { RuleLM, itemOf, lastUser } from './rule-lm.js';
import { HintThenAnswer, item } from './simba-world.js';

/*
 * A world where instructions matter (HintThenAnswer of simba-world.ts): the `answer` predictor answers "aN" only when its
 * instructions say "Use prefix a", and the hint predictor's hint is "hN" only when its
 * instructions say "Give hints". The reflection LM reads GEPA's prompt and, when the feedback
 * names the expected answer, proposes the instruction that fixes it.
 */
function taskLm(): RuleLM {
  return new RuleLM((messages) => {
    const n = itemOf(messages);
    const system = (messages[0]?.content as string | undefined) ?? '';
    return {
      hint: system.includes('Give hints') ? `h${n}` : 'none',
      answer: system.includes('Use prefix a') ? `a${n}` : `${n}`,
    };
  });
}

function reflectionLm(): RuleLM {
  return new RuleLM((messages) => {
    const prompt = lastUser(messages);
    const current = prompt.split('```\n')[1]!.split('\n```')[0]!;
    const fix = prompt.includes('Expected a') ? 'Use prefix a.' : 'Give hints.';
    return { text: `Here is the new instruction:\n\`\`\`\n${current} ${fix}\n\`\`\`` };
  });
}

const trainset = Array.from({ length: 6 }, (_, n) => item(n));
const valset = Array.from({ length: 5 }, (_, n) => item(10 + n));

const feedbackMetric: GepaMetric = (gold, pred, _trace, predName) => {
  const ok = gold['answer'] === pred['answer'];
  const hinted = pred['answer'] !== undefined && String(gold['question']).includes('item');
  return {
    score: ok ? 1 : 0,
    feedback: ok
      ? 'Correct.'
      : `Expected ${String(gold['answer'])}${predName ? ` (${predName})` : ''}.`,
    objectiveScores: { correct: ok ? 1 : 0, hinted: hinted ? 1 : 0 },
  };
};

function run(gepa: GEPA, resumeFrom?: GepaCheckpoint) {
  return context({ lm: taskLm(), logger: { warn: () => undefined } }, () =>
    gepa.optimize(new HintThenAnswer(), {
      trainset,
      valset,
      ...(resumeFrom ? { resumeFrom } : {}),
    }),
  );
}

describe('GEPA', () => {
  it('evolves the instructions from feedback and returns lineage and per-instance scores', async () => {
    const reflection = reflectionLm();
    const result = await run(
      new GEPA({ metric: feedbackMetric, maxMetricCalls: 60, reflectionLm: reflection }),
    );
    expect(result.valAggregateScores[0]).toBe(0);
    expect(result.valAggregateScores[result.bestIdx]).toBe(1);
    expect(result.program.namedPredictors()[1]![1].signature.instructions).toContain(
      'Use prefix a',
    );
    expect(result.parents[0]).toEqual([null]);
    expect(result.parents.length).toBe(result.candidates.length);
    expect(result.valSubscores[result.bestIdx]).toEqual([1, 1, 1, 1, 1]);
    expect(result.perValInstanceBestCandidates.every((f) => f.includes(result.bestIdx))).toBe(true);
    expect(result.totalMetricCalls).toBeGreaterThanOrEqual(60);
    expect(result.reflectionLmCalls).toBe(reflection.requests.length);
    expect(result.stats.lmCalls).toBeGreaterThan(result.reflectionLmCalls);
    // The first reflection (round robin starts at `hint`) uses GEPA's prompt with DSPy's records.
    const first = lastUser(reflection.requests[0]!.messages);
    expect(first.startsWith(INSTRUCTION_PROPOSAL_TEMPLATE.split('<curr_param>')[0]!)).toBe(true);
    expect(first).toContain('Given the fields `question`, produce the fields `hint`.');
    expect(first).toMatch(
      /# Example 1\n## Inputs\n### question\nWhat is item \d\?\n\n## Generated Outputs\n### hint\nnone\n\n## Feedback\nExpected a\d \(hint\)\.\n\n/,
    );
  });

  it("keeps the student's demos in every candidate, as DSPy's adapter builds on a copy of the student", async () => {
    const student = new HintThenAnswer();
    student.answer.demos = [
      new Example({ question: 'What is item 99?', hint: 'h99', answer: 'a99' }),
    ];
    const result = await context({ lm: taskLm(), logger: { warn: () => undefined } }, () =>
      new GEPA({
        metric: feedbackMetric,
        maxMetricCalls: 60,
        reflectionLm: reflectionLm(),
      }).optimize(student, { trainset, valset }),
    );
    expect(result.candidates.length).toBeGreaterThan(1);
    for (const candidate of [...result.candidates, result.program]) {
      expect(candidate.answer.demos.map((d) => (d instanceof Example ? d.toDict() : d))).toEqual([
        { question: 'What is item 99?', hint: 'h99', answer: 'a99' },
      ]);
      expect(candidate.hint.demos).toEqual([]);
    }
    expect(result.program.answer.signature.instructions).toContain('Use prefix a');
  });

  it('uses "This trajectory got a score of …" when the metric gives no feedback', async () => {
    const reflection = reflectionLm();
    const result = await run(
      new GEPA({
        metric: (gold, pred) => (gold['answer'] === pred['answer'] ? 1 : 0),
        maxMetricCalls: 20,
        reflectionLm: reflection,
      }),
    );
    expect(lastUser(reflection.requests[0]!.messages)).toContain(
      '## Feedback\nThis trajectory got a score of 0.0.',
    );
    expect(result.valAggregateScores[result.bestIdx]).toBe(0);
  });

  it('tracks objective fronts for multi-objective metrics', async () => {
    const result = await run(
      new GEPA({
        metric: feedbackMetric,
        maxMetricCalls: 40,
        reflectionLm: reflectionLm(),
        frontierType: 'hybrid',
      }),
    );
    expect(result.valAggregateSubscores[0]).toEqual({ correct: 0, hinted: 1 });
    expect(result.objectiveParetoFront['correct']).toBe(1);
    expect(result.perObjectiveBestCandidates['correct']).toContain(result.bestIdx);
  });

  it('resuming from a checkpoint gives the uninterrupted result', async () => {
    const checkpoints: GepaCheckpoint[] = [];
    const options = { metric: feedbackMetric, maxMetricCalls: 60, useMerge: true };
    const full = await run(
      new GEPA({
        ...options,
        reflectionLm: reflectionLm(),
        checkpoint: (c) => void checkpoints.push(JSON.parse(JSON.stringify(c)) as GepaCheckpoint),
      }),
    );
    expect(checkpoints.length).toBeGreaterThan(2);
    for (const checkpoint of [checkpoints[0]!, checkpoints[2]!]) {
      const resumed = await run(new GEPA({ ...options, reflectionLm: reflectionLm() }), checkpoint);
      expect(resumed.candidateTexts).toEqual(full.candidateTexts);
      expect(resumed.parents).toEqual(full.parents);
      expect(resumed.log).toEqual(full.log);
      expect(resumed.totalMetricCalls).toBe(full.totalMetricCalls);
      expect(resumed.stats.metricCalls).toBe(full.stats.metricCalls);
    }
  });

  it('stops at the LM-call cap with the best so far', async () => {
    const result = await run(
      new GEPA({
        metric: feedbackMetric,
        maxMetricCalls: 500,
        maxLmCalls: 30,
        reflectionLm: reflectionLm(),
      }),
    );
    expect(result.stopReason).toBe('max_lm_calls');
    expect(result.stats.lmCalls).toBeGreaterThanOrEqual(30);
    expect(result.totalMetricCalls).toBeLessThan(500);
    expect(result.valAggregateScores[result.bestIdx]).toBe(Math.max(...result.valAggregateScores));
  });

  it("computes DSPy's auto budgets and maxFullEvals budgets", () => {
    expect([
      gepaAutoBudget(1, 6, 10),
      gepaAutoBudget(2, 12, 50),
      gepaAutoBudget(3, 18, 200),
      gepaAutoBudget(1, 6, 0),
    ]).toEqual([420, 1390, 4240, 380]);
    const student = new HintThenAnswer();
    const gepa = new GEPA({ metric: feedbackMetric, auto: 'light', reflectionLm: reflectionLm() });
    expect(gepa.metricBudget(student, 6, 5)).toBe(gepaAutoBudget(2, 6, 5));
    const full = new GEPA({
      metric: feedbackMetric,
      maxFullEvals: 3,
      reflectionLm: reflectionLm(),
    });
    expect(full.metricBudget(student, 6, 5)).toBe(33);
  });

  it('rejects ambiguous budgets and a missing reflection model', () => {
    expect(
      () =>
        new GEPA({
          metric: feedbackMetric,
          auto: 'light',
          maxMetricCalls: 5,
          reflectionLm: reflectionLm(),
        }),
    ).toThrow(/Exactly one of maxMetricCalls, maxFullEvals, auto must be set/);
    expect(() => new GEPA({ metric: feedbackMetric, auto: 'light' })).toThrow(OptimizerError);
  });
});
