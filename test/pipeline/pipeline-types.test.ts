// Type tests of the pipeline DSL: `npm run typecheck` checks every expectTypeOf and every
// expected-error directive below. The pipelines are built, never called with an LM.
import { describe, expectTypeOf, it } from 'vitest';
import { ChainOfThought, Predict, type Prediction } from '../../src/modules/index.js';
import { pipeline } from '../../src/pipeline/index.js';

describe('the pipeline state is typed end to end', () => {
  it('grows_with_each_stage_and_types_the_prediction', () => {
    const p = pipeline<{ ticket: string }>('t')
      .transform('clean', (s) => {
        expectTypeOf(s).toEqualTypeOf<{ ticket: string }>();
        return { text: s.ticket.trim() };
      })
      .predict('classify', new Predict('text -> category, confidence: confidence'))
      .validate('sure', (s) => {
        expectTypeOf(s.confidence).toEqualTypeOf<number>();
        return s.confidence > 0.5;
      })
      .predict('reply', new ChainOfThought('text, category -> reply'));
    expectTypeOf(p).toHaveProperty('steps');
    type Out = typeof p extends { call(i: never): Promise<Prediction<infer O>> } ? O : never;
    expectTypeOf<Out>().toEqualTypeOf<{
      ticket: string;
      text: string;
      category: string;
      confidence: number;
      reasoning: string;
      reply: string;
    }>();
  });

  it('refuses_a_module_whose_inputs_the_state_lacks', () => {
    const p = pipeline<{ ticket: string }>();
    // @ts-expect-error -- the state has no `text`
    p.predict('classify', new Predict('text -> category'));
    p.predict('classify', new Predict('ticket -> category'));
  });

  it('joins_parallel_branches_and_unions_branch_arms', () => {
    const fan = pipeline<{ n: number }>().parallel('f', {
      a: (b) => b.transform('x', (s) => ({ doubled: s.n * 2 })),
      b: (b) => b.transform('y', () => ({ label: 'hi' })),
    });
    expectTypeOf(fan).toHaveProperty('steps');
    type FanOut = typeof fan extends { call(i: never): Promise<Prediction<infer O>> } ? O : never;
    expectTypeOf<FanOut>().toEqualTypeOf<{ n: number; doubled: number; label: string }>();
    const route = pipeline<{ n: number }>().branch('r', () => 'a', {
      a: (b) => b.transform('x', () => ({ out: 1 })),
      b: (b) => b.transform('y', () => ({ out: 'one' })),
    });
    expectTypeOf(route).toHaveProperty('steps');
    type Routed = typeof route extends { call(i: never): Promise<Prediction<infer O>> } ? O : never;
    expectTypeOf<Routed['out']>().toEqualTypeOf<number | string>();
  });
});
