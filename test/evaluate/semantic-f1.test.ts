import { describe, expect, it } from 'vitest';

import { Evaluate } from '../../src/evaluate/evaluate.js';
import { CompleteAndGrounded } from '../../src/evaluate/complete-and-grounded.js';
import { SemanticF1, clampedF1 } from '../../src/evaluate/semantic-f1.js';
import { DummyLM } from '../../src/lm/dummy-lm.js';
import { Example } from '../../src/modules/example.js';
import { Prediction } from '../../src/modules/prediction.js';
import { Predict } from '../../src/modules/predict.js';
import { context } from '../../src/modules/settings.js';

const example = new Example({
  question: 'What is DSPy?',
  response: 'A framework for programming LMs.',
}).withInputs('question');
const prediction = new Prediction({ response: 'A framework.' });

describe('SemanticF1', () => {
  it('asks a ChainOfThought judge with DSPy\u2019s SemanticRecallPrecision signature', async () => {
    const lm = new DummyLM([{ reasoning: 'half covered', recall: 0.5, precision: 1.0 }]);
    const judge = new SemanticF1();
    const result = await context({ lm }, () => judge.call({ example, prediction }));
    expect(result.get('score')).toBeCloseTo(2 / 3, 12);
    const [entry] = lm.history.list(1);
    const system = entry!.messages[0]!.content ?? '';
    expect(system).toContain(
      [
        'Your output fields are:',
        '1. `reasoning` (str): ',
        '2. `recall` (float): fraction (out of 1.0) of ground truth covered by the system response',
        '3. `precision` (float): fraction (out of 1.0) of system response covered by the ground truth',
      ].join('\n'),
    );
    expect(system).toContain(
      "        Compare a system's response to the ground truth to compute its recall and precision.\n" +
        '        If asked to reason, enumerate key ideas in each response, and whether they are present in the other response.',
    );
    const user = entry!.messages.at(-1)!.content ?? '';
    expect(user).toContain('[[ ## ground_truth ## ]]\nA framework for programming LMs.');
    expect(user).toContain('[[ ## system_response ## ]]\nA framework.');
  });

  it('returns pass/fail against the threshold when a trace is given (bootstrapping)', async () => {
    const lm = new DummyLM([
      { reasoning: 'r', recall: 0.5, precision: 1.0 },
      { reasoning: 'r', recall: 0.5, precision: 0.5 },
    ]);
    const metric = new SemanticF1().asMetric();
    expect(metric.name).toBe('SemanticF1');
    expect(await context({ lm }, () => metric(example, prediction, []))).toBe(true);
    expect(await context({ lm }, () => metric(example, prediction, []))).toBe(false);
  });

  it('decompositional judge outputs key ideas and discussion before the scores', async () => {
    const judge = new SemanticF1({ decompositional: true });
    expect(judge.module.predict.signature.outputFields.map((f) => f.name)).toEqual([
      'reasoning',
      'ground_truth_key_ideas',
      'system_response_key_ideas',
      'discussion',
      'recall',
      'precision',
    ]);
    expect(judge.namedPredictors().map(([n]) => n)).toEqual(['module.predict']);
  });

  it('clamps precision and recall to [0, 1]', () => {
    expect(clampedF1(1.5, 1)).toBe(1);
    expect(clampedF1(-1, 0.5)).toBe(0);
    expect(clampedF1(0, 0)).toBe(0);
  });

  it('works as an Evaluate metric (scores averaged as percentages)', async () => {
    const lm = new DummyLM({
      // The judge's prompt also holds the question, so its key goes first (first match wins).
      'ground_truth ## ]]\nA framework for programming LMs.': {
        reasoning: 'r',
        recall: 1,
        precision: 1,
      },
      'What is DSPy?': { response: 'A framework.' },
    });
    const program = new Predict('question -> response');
    const result = await context({ lm }, () =>
      new Evaluate({ devset: [example], metric: new SemanticF1().asMetric(), display: false }).run(
        program,
      ),
    );
    expect(result.score).toBe(100);
    expect(result.calls.lmCalls).toBe(2);
    expect(result.metricName).toBe('SemanticF1');
  });
});

describe('CompleteAndGrounded', () => {
  it('combines completeness and groundedness (two judge calls) into an F1', async () => {
    const lm = new DummyLM([
      {
        reasoning: 'r',
        ground_truth_key_ideas: 'a',
        system_response_key_ideas: 'a',
        discussion: 'd',
        completeness: 1,
      },
      { reasoning: 'r', system_response_claims: 'c', discussion: 'd', groundedness: 0.5 },
    ]);
    const judge = new CompleteAndGrounded();
    const pred = new Prediction({ response: 'A framework.', context: 'DSPy is a framework.' });
    const result = await context({ lm }, () => judge.call({ example, prediction: pred }));
    expect(result.get('score')).toBeCloseTo(2 / 3, 12);
    expect(lm.history.list(2)[1]!.messages.at(-1)!.content).toContain(
      '[[ ## retrieved_context ## ]]\nDSPy is a framework.',
    );
    expect(judge.namedPredictors().map(([n]) => n)).toEqual([
      'completenessModule.predict',
      'groundednessModule.predict',
    ]);
  });
});
