import { describe, expect, it } from 'vitest';

import type { LMRequest } from '../../src/lm/types.js';
import { Example } from '../../src/modules/example.js';
import { Predict } from '../../src/modules/predict.js';
import type { Prediction } from '../../src/modules/prediction.js';
import { context } from '../../src/modules/settings.js';
import { MIPROv2 } from '../../src/optimizers/mipro.js';
import { stripPrefix } from '../../src/optimizers/propose.js';
import type { OptimizerCheckpoint } from '../../src/optimizers/run-journal.js';
import { ChoiceLM, systemOf, userOf } from './choice-lm.js';

const item = (n: number): Example =>
  new Example({ question: `What is item ${n}?`, answer: `a${n}` }).withInputs('question');
const trainset = Array.from({ length: 30 }, (_, i) => item(i));
const valset = Array.from({ length: 20 }, (_, i) => item(100 + i));
const exact = (ex: Example, pred: Prediction): boolean => ex.answer === pred.answer;

/**
 * Proposer calls get fixed descriptions; a proposed instruction is `level k` with k from the
 * request's rollout id. The task model answers item N right iff the instruction's level plus one
 * for having at least two demos exceeds N % 5.
 */
function makeLm(requests: LMRequest[] = []): ChoiceLM {
  return new ChoiceLM(
    (request) => {
      const system = systemOf(request);
      const user = userOf(request);
      const outputs =
        system.split('Your output fields are:')[1]?.split('All interactions')[0] ?? '';
      if (outputs.includes('`observations`')) return { observations: 'Items and answers.' };
      if (outputs.includes('`summary`')) return { summary: 'Summary: items.' };
      if (outputs.includes('`program_description`'))
        return { program_description: 'Answers item questions.' };
      if (outputs.includes('`module_description`'))
        return { module_description: 'The only module.' };
      if (outputs.includes('`proposed_instruction`')) {
        return {
          proposed_instruction: `Proposed Instruction: level ${1 + (Number(request.rolloutId) % 4)}`,
        };
      }
      const n = Number(/What is item (\d+)\?/.exec(user)?.[1]);
      const level = Number(/level (\d+)/.exec(system)?.[1] ?? 0);
      const demos = request.messages.filter((m) => m.role === 'assistant').length;
      return { answer: level + (demos >= 2 ? 1 : 0) > n % 5 ? `a${n}` : 'wrong' };
    },
    requests,
    'sim-mini',
    { pricing: { input: 1, output: 5 } },
  );
}

describe('MIPROv2', () => {
  it('settles light runs as DSPy does, proposes with the grounded proposer, and beats the baseline', async () => {
    const requests: LMRequest[] = [];
    const lm = makeLm(requests);
    const mipro = new MIPROv2({ metric: exact, auto: 'light' });
    const result = await context({ lm }, () =>
      mipro.optimize(new Predict('question -> answer'), { trainset, valset }),
    );
    expect(result.settings).toEqual({
      numTrials: 10,
      minibatch: false,
      valsetSize: 20,
      numInstructCandidates: 3,
      numFewshotCandidates: 6,
    });
    expect(result.instructionCandidates[0]![0]).toBe(
      'Given the fields `question`, produce the fields `answer`.',
    );
    expect(result.instructionCandidates[0]!.slice(1).every((i) => /^level \d$/.test(i))).toBe(true);
    expect(result.demoCandidates![0]).toHaveLength(6);
    expect(result.demoCandidates![0]![0]).toEqual([]); // zero-shot set
    expect(result.trials).toHaveLength(11);
    expect(result.score).toBe(Math.max(...result.trials.map((t) => t.score)));
    expect(result.score).toBeGreaterThan(result.trials[0]!.score);
    // Dataset summary: 1 + 1 (examples 10..19; the train split is 10 examples here? no: 30) …
    const proposals = requests.filter((r) => systemOf(r).includes('`proposed_instruction`'));
    expect(proposals).toHaveLength(3);
    expect(systemOf(proposals[0]!)).toContain(
      'Use the information below to learn about a task that we are trying to solve using calls to an LM, then generate a new instruction that will be used to prompt a Language Model to better solve the task.',
    );
    // The first demo set's proposal is shown no demos (DSPy), later ones bootstrapped demos.
    expect(userOf(proposals[0]!)).toContain('No task demos provided.');
    expect(userOf(proposals[1]!)).toContain('Question: What is item');
    const taskCalls = requests.filter(
      (r) => /What is item \d+\?/.test(userOf(r)) && systemOf(r).includes('`answer`'),
    );
    expect(result.usage.task.lmCalls).toBe(taskCalls.length);
    // Summary of 30 train examples: 3 batches of 10 + the summarizer; 3 proposals x (program,
    // module, instruction).
    expect(result.usage.prompt.lmCalls).toBe(4 + 9);
    expect(requests.length - taskCalls.length).toBe(13);
    expect(result.usage.task.lmCalls + result.usage.prompt.lmCalls).toBe(requests.length);
    expect(result.stats.lmCalls).toBe(requests.length);
  });

  it('uses minibatches with periodic full evaluations of the best mean combination', async () => {
    const big = Array.from({ length: 60 }, (_, i) => item(200 + i));
    const mipro = new MIPROv2({ metric: exact, auto: null, numCandidates: 3 });
    const result = await context({ lm: makeLm() }, () =>
      mipro.optimize(new Predict('question -> answer'), {
        trainset,
        valset: big,
        numTrials: 7,
        minibatchSize: 10,
        minibatchFullEvalSteps: 3,
        programAwareProposer: false,
        dataAwareProposer: false,
      }),
    );
    const full = result.trials.filter((t) => t.full);
    const mini = result.trials.filter((t) => !t.full);
    expect(mini).toHaveLength(7);
    // trial numbers count the added full evaluations too (Optuna's study.add_trial): full
    // evaluations follow trial numbers divisible by steps + 1 and the adjusted last one (10).
    expect(mini.map((t) => t.trial)).toEqual([2, 3, 4, 6, 7, 8, 10]);
    expect(full.map((t) => t.trial)).toEqual([1, 5, 9, 11]);
    expect(result.score).toBe(Math.max(...full.map((t) => t.score)));
    expect(result.usage.task.lmCalls).toBeGreaterThanOrEqual(7 * 10 + full.length * 60);
  });

  it('stops at the metric-call cap with the best full evaluation so far', async () => {
    const mipro = new MIPROv2({ metric: exact, auto: 'light', maxMetricCalls: 60 });
    const result = await context({ lm: makeLm() }, () =>
      mipro.optimize(new Predict('question -> answer'), { trainset, valset }),
    );
    expect(result.stopReason).toBe('max_metric_calls');
    expect(result.trials.length).toBeLessThan(11);
  });

  it('resumes from a checkpoint to the same result as an uninterrupted run', async () => {
    const checkpoints: OptimizerCheckpoint[] = [];
    const options = { metric: exact, auto: 'light' as const, seed: 3 };
    const full = await context({ lm: makeLm() }, () =>
      new MIPROv2({
        ...options,
        checkpoint: (c) =>
          void checkpoints.push(JSON.parse(JSON.stringify(c)) as OptimizerCheckpoint),
      }).optimize(new Predict('question -> answer'), { trainset, valset }),
    );
    for (const cut of [2, 9, checkpoints.length - 2]) {
      const requests: LMRequest[] = [];
      const resumed = await context({ lm: makeLm(requests) }, () =>
        new MIPROv2(options).optimize(new Predict('question -> answer'), {
          trainset,
          valset,
          resumeFrom: checkpoints[cut - 1]!,
        }),
      );
      expect(resumed.program.save()).toEqual(full.program.save());
      expect(resumed.trials).toEqual(full.trials);
      expect(resumed.usage).toEqual(full.usage);
      const before = checkpoints[cut - 1]!.usage;
      expect(requests.length).toBe(
        full.stats.lmCalls - before.task.lmCalls - before.prompt.lmCalls,
      );
    }
  });

  it('validates auto and explicit candidates as DSPy does', () => {
    expect(() => new MIPROv2({ metric: exact, auto: 'huge' as 'light' })).toThrow(
      /Invalid value for auto/,
    );
    return expect(
      context({ lm: makeLm() }, () =>
        new MIPROv2({ metric: exact, auto: null, numCandidates: 4 }).optimize(
          new Predict('question -> answer'),
          { trainset },
        ),
      ),
    ).rejects.toThrow(/numTrials must also be provided/);
  });

  it("strips a label prefix from proposals as DSPy's strip_prefix", () => {
    expect(stripPrefix('Proposed Instruction: Answer well.')).toBe('Answer well.');
    expect(stripPrefix('"Answer well."')).toBe('Answer well.');
    expect(stripPrefix('**New instruction**: x')).toBe('**New instruction**: x');
  });
});
