// Type tests of the modules: `npm run typecheck` (tsc over test/) checks every expectTypeOf and
// every expected-error directive below. Calls sit in functions never run: only their types matter.
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { signature, type AnyFields, type Field } from '../../src/signatures/index.js';
import {
  ChainOfThought,
  Example,
  Module,
  Predict,
  ReAct,
  batch,
  majority,
  type CallOptions,
  type Prediction,
} from '../../src/modules/index.js';

const qa = new Predict('question, context: list[str] -> answer, confidence: float');

describe('Predict is typed by its signature', () => {
  it('rejects missing, misspelled and wrongly typed inputs at compile time', () => {
    const never = async (): Promise<void> => {
      await qa.call({ question: 'q', context: ['c'] });
      await qa.forward({ question: 'q', context: ['c'] });
      await qa.call(new Example({ question: 'q', context: ['c'] }));
      // @ts-expect-error -- `context` is missing
      await qa.call({ question: 'q' });
      // @ts-expect-error -- `questoin` is misspelled
      await qa.call({ questoin: 'q', context: ['c'] });
      // @ts-expect-error -- `context` is list[str]
      await qa.call({ question: 'q', context: 'c' });
      // @ts-expect-error -- forward checks the same
      await qa.forward({ question: 'q' });
      // @ts-expect-error -- the inputs are required
      await qa.call();
    };
    expectTypeOf(never).toBeFunction();
  });

  it('returns a Prediction whose outputs are typed', () => {
    type Pred = Awaited<ReturnType<typeof qa.call>>;
    expectTypeOf<Pred>().toEqualTypeOf<Prediction<{ answer: string; confidence: number }>>();
    expectTypeOf<Pred['answer']>().toEqualTypeOf<string>();
    expectTypeOf<Pred['confidence']>().toEqualTypeOf<number>();
    expectTypeOf<Pred['outputs']>().toEqualTypeOf<
      Readonly<{ answer: string; confidence: number }>
    >();
    const never = async (): Promise<void> => {
      const pred = await qa.call({ question: 'q', context: [] });
      expectTypeOf(pred.completions.get('confidence')).toEqualTypeOf<number[] | undefined>();
      expectTypeOf(pred.completions.at(0)?.answer).toEqualTypeOf<string | undefined>();
    };
    expectTypeOf(never).toBeFunction();
  });

  it('types fields named like members only through outputs', () => {
    const p = new Predict('question -> labels, size: int, toJSON: bool, get: list[str]');
    expectTypeOf(p.signature.outputFields).toEqualTypeOf<readonly Field[]>();
    type Pred = Awaited<ReturnType<typeof p.call>>;
    expectTypeOf<Pred['outputs']['labels']>().toEqualTypeOf<string>();
    expectTypeOf<Pred['outputs']['size']>().toEqualTypeOf<number>();
    expectTypeOf<Pred['outputs']['toJSON']>().toEqualTypeOf<boolean>();
    expectTypeOf<Pred['outputs']['get']>().toEqualTypeOf<string[]>();
    expectTypeOf<Pred['labels']>().toBeFunction();
    expectTypeOf<Pred['size']>().toEqualTypeOf<number>();
  });

  it('takes zod signatures and typed Signature objects', () => {
    const classify = new Predict(
      signature({
        inputs: { sentence: z.string() },
        outputs: { sentiment: z.enum(['positive', 'negative']), score: z.number() },
      }),
    );
    type Pred = Awaited<ReturnType<typeof classify.call>>;
    expectTypeOf<Pred['sentiment']>().toEqualTypeOf<'positive' | 'negative'>();
    expectTypeOf(classify.signature.withInstructions('x')).toEqualTypeOf(classify.signature);
  });

  it('is untyped for signatures built at run time', () => {
    const spec: string = 'question -> answer';
    const p = new Predict(spec);
    const never = async (): Promise<void> => {
      const pred = await p.call({ anything: 1 });
      expectTypeOf(pred).toEqualTypeOf<Prediction<AnyFields>>();
      expectTypeOf(pred.answer).toBeAny();
    };
    expectTypeOf(never).toBeFunction();
  });

  it('typed predictors are still Predicts and Modules', () => {
    const plain: Predict = qa;
    const modules: Module[] = [qa, new ChainOfThought('a -> b'), new Predict(signature('x -> y'))];
    expectTypeOf(plain).toMatchTypeOf<Module>();
    expectTypeOf(modules).toBeArray();
  });
});

describe('ChainOfThought, ReAct, majority and batch carry the types', () => {
  it('ChainOfThought adds reasoning: string (or the rationale name given)', () => {
    const cot = new ChainOfThought('question -> answer: int');
    type Pred = Awaited<ReturnType<typeof cot.call>>;
    expectTypeOf<Pred['outputs']>().toEqualTypeOf<
      Readonly<{ reasoning: string; answer: number }>
    >();
    expectTypeOf(cot.predict.signature).toEqualTypeOf(
      signature('question -> reasoning, answer: int'),
    );
    const named = new ChainOfThought('question -> answer', { rationaleField: { name: 'why' } });
    expectTypeOf(named.call).returns.resolves.toEqualTypeOf<
      Prediction<{ why: string; answer: string }>
    >();
    const never = async (): Promise<void> => {
      // @ts-expect-error -- `question` is missing
      await cot.call({});
    };
    expectTypeOf(never).toBeFunction();
  });

  it('ReAct returns the trajectory, reasoning and outputs', () => {
    const agent = new ReAct('question -> answer: float', []);
    type Pred = Awaited<ReturnType<typeof agent.call>>;
    expectTypeOf<Pred['answer']>().toEqualTypeOf<number>();
    expectTypeOf<Pred['trajectory']>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<Pred['reasoning']>().toEqualTypeOf<string>();
    expectTypeOf(agent.call).parameter(0).toEqualTypeOf<{ question: string } | Example>();
  });

  it('majority and batch keep the outputs type', () => {
    const never = async (): Promise<void> => {
      const pred = await qa.call({ question: 'q', context: [] });
      expectTypeOf(majority(pred).confidence).toEqualTypeOf<number>();
      const results = await batch(qa, [{ question: 'q', context: [] }]);
      expectTypeOf(results[0]?.answer).toEqualTypeOf<string | undefined>();
      const viaModule = await qa.batch([new Example({ question: 'q', context: [] })]);
      expectTypeOf(viaModule).toEqualTypeOf<
        (Prediction<{ answer: string; confidence: number }> | null)[]
      >();
    };
    expectTypeOf(never).toBeFunction();
  });

  it('a Module subclass declares its own inputs and outputs', () => {
    class Rag extends Module<{ question: string }, { answer: string }> {
      retrieve = new Predict('question -> queries: list[str]');
      answer = new ChainOfThought('question, context: list[str] -> answer');
      async forward(
        { question }: { question: string },
        options?: CallOptions,
      ): Promise<Prediction<{ answer: string }>> {
        const { queries } = await this.retrieve.call({ question }, options);
        return this.answer.call({ question, context: queries }, options);
      }
    }
    const never = async (): Promise<void> => {
      const pred = await new Rag().call({ question: 'q' });
      expectTypeOf(pred.answer).toEqualTypeOf<string>();
      // @ts-expect-error -- Rag takes `question`
      await new Rag().call({ query: 'q' });
    };
    expectTypeOf(never).toBeFunction();
  });
});
