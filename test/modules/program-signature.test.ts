import { describe, expect, it } from 'vitest';
import {
  BestOfN,
  ChainOfThought,
  Module,
  Predict,
  ReAct,
  ReActV2,
  Tool,
  programSignature,
} from '../../src/modules/index.js';

const lookup = new Tool({
  name: 'lookup',
  description: 'Looks a word up.',
  args: { word: { type: 'string' } },
  func: (args) => String(args['word']),
});

/** A user module with two predictors and no signature of its own. */
class TwoStep extends Module {
  readonly draft = new Predict('topic -> draft');
  readonly polish = new Predict('draft -> text');
  override async forward(inputs: { topic: string }) {
    const { draft } = await this.draft.call(inputs);
    return this.polish.call({ draft });
  }
}

describe('programSignature: the signature a program presents to its caller', () => {
  it.each([
    ['Predict', new Predict('question -> answer'), 'question -> answer'],
    // The agents rebuild their inner predictor's signature per turn; the caller never sees it.
    ['ReActV2', new ReActV2('question -> answer', [lookup]), 'question -> answer'],
    ['ReAct', new ReAct('question -> answer', [lookup]), 'question -> answer'],
    [
      'BestOfN over ReActV2',
      new BestOfN(new ReActV2('question -> answer', [lookup]), {
        n: 2,
        rewardFn: () => 1,
        threshold: 1,
      }),
      'question -> answer',
    ],
    // ChainOfThought answers its reasoning too: its predictor's signature is what the caller gets.
    ['ChainOfThought', new ChainOfThought('question -> answer'), 'question -> reasoning, answer'],
    ['a module of two predictors', new TwoStep(), 'topic -> draft'],
  ])('%s', (_name, program, expected) => {
    expect(programSignature(program)?.toString()).toBe(expected);
  });

  it('is undefined for a program without a predictor', () => {
    class Empty extends Module {
      override forward() {
        return Promise.reject(new Error('unused'));
      }
    }
    expect(programSignature(new Empty())).toBeUndefined();
  });
});
