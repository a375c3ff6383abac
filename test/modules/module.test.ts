import { describe, expect, it } from 'vitest';
import { ChatAdapter } from '../../src/adapters/index.js';
import { DummyLM } from '../../src/lm/index.js';
import {
  ChainOfThought,
  Example,
  Module,
  ModuleError,
  Predict,
  Prediction,
  context,
  contextWithUsage,
  type CallOptions,
} from '../../src/modules/index.js';
import { UsageTracker } from '../../src/context/index.js';

class QA extends Module {
  rewrite = new Predict('question -> query');
  answer = new ChainOfThought('question, context -> answer');

  async forward(inputs: { question: string }, options?: CallOptions): Promise<Prediction> {
    const { query } = await this.rewrite.call({ question: inputs.question }, options);
    return this.answer.call({ question: inputs.question, context: String(query) }, options);
  }
}

class Nested extends Module {
  qa = new QA();
  steps = [new Predict('a -> b'), new ChainOfThought('b -> c')];
  byName = { first: new Predict('x -> y') };
  shared: Predict;
  frozen = new QA();
  constructor() {
    super();
    this.shared = this.steps[0] as Predict;
    this.frozen.compiled = true;
  }
  forward(): Promise<Prediction> {
    return Promise.resolve(new Prediction({}));
  }
}

describe('named predictors', () => {
  it('a Predict names itself self', () => {
    const p = new Predict('q -> a');
    expect(p.namedPredictors()).toEqual([['self', p]]);
  });

  it("walks properties, sub-modules, arrays and plain objects with DSPy's names", () => {
    const n = new Nested();
    expect(n.namedPredictors().map(([name]) => name)).toEqual([
      'qa.rewrite',
      'qa.answer.predict',
      'steps[0]',
      'steps[1].predict',
      "byName['first']",
    ]);
    expect(n.predictors()).toHaveLength(5);
  });

  it('terminates on reference cycles between modules', () => {
    class Child extends Module {
      parent: Module | undefined;
      p = new Predict('a -> b');
      forward(): Promise<Prediction> {
        return Promise.resolve(new Prediction({}));
      }
    }
    class Parent extends Module {
      child = new Child();
      constructor() {
        super();
        this.child.parent = this;
      }
      forward(): Promise<Prediction> {
        return Promise.resolve(new Prediction({}));
      }
    }
    const parent = new Parent();
    expect(parent.namedPredictors().map(([n]) => n)).toEqual(['child.p']);
    const copy = parent.deepCopy();
    expect(copy.child.parent).toBe(copy);
    expect(parent.namedSubModules().map(([n]) => n)).toEqual([
      'self',
      'self.child',
      'self.child.p',
    ]);
  });

  it('lists sub-modules breadth first, once each', () => {
    const names = new Nested().namedSubModules().map(([name]) => name);
    // `shared` (a property) is reached before the items of `steps` (an array one level deeper).
    expect(names.slice(0, 4)).toEqual(['self', 'self.qa', 'self.shared', 'self.frozen']);
    expect(names).toContain('self.steps[1]');
    expect(names).toContain('self.qa.answer.predict');
    expect(names).not.toContain('self.steps[0]');
  });
});

describe('deepCopy and resetCopy', () => {
  it('copies predictors and demos, shares LMs, keeps shared references shared', () => {
    const n = new Nested();
    const lm = new DummyLM([]);
    n.setLm(lm);
    (n.steps[0] as Predict).demos = [new Example({ a: '1', b: '2' })];
    const copy = n.deepCopy();
    expect(copy).toBeInstanceOf(Nested);
    expect(copy.qa.rewrite).not.toBe(n.qa.rewrite);
    expect(copy.qa.rewrite.lm).toBe(lm);
    expect(copy.qa.rewrite.signature).toBe(n.qa.rewrite.signature);
    expect(copy.shared).toBe(copy.steps[0]);
    const copiedDemo = (copy.steps[0] as Predict).demos[0] as Example;
    copiedDemo.set('b', 'changed');
    expect(((n.steps[0] as Predict).demos[0] as Example).b).toBe('2');
    expect(copy.frozen.compiled).toBe(true);
  });

  it('resetCopy clears demos and LMs of the copy only', () => {
    const qa = new QA();
    qa.setLm(new DummyLM([]));
    qa.rewrite.demos = [{ question: 'q', query: 'x' }];
    const fresh = qa.resetCopy();
    expect(fresh.rewrite.demos).toEqual([]);
    expect(fresh.rewrite.lm).toBeUndefined();
    expect(qa.rewrite.demos).toHaveLength(1);
  });

  it('setLm/getLm set and read the LM of every predictor', () => {
    const qa = new QA();
    const lm = new DummyLM([]);
    expect(qa.setLm(lm).getLm()).toBe(lm);
    qa.rewrite.lm = new DummyLM([]);
    expect(() => qa.getLm()).toThrow(ModuleError);
  });
});

describe('save and load', () => {
  function optimized(): QA {
    const qa = new QA();
    qa.rewrite.demos = [new Example({ question: 'Who wrote Hamlet?', query: 'Hamlet author' })];
    qa.rewrite.signature = qa.rewrite.signature
      .withInstructions('Rewrite the question as a search query.')
      .withUpdatedFields('query', { prefix: 'Search Query:', desc: 'a short web query' });
    qa.answer.predict.demos = [
      {
        question: 'What is 2+2?',
        context: ['math'],
        reasoning: 'add',
        answer: '4',
        augmented: true,
      },
    ];
    qa.answer.predict.signature = qa.answer.predict.signature.withInstructions(
      'Answer using the context.\nBe brief.',
    );
    return qa;
  }

  it("dumps every named predictor in DSPy's state shape", () => {
    const state = optimized().save();
    expect(Object.keys(state)).toEqual(['rewrite', 'answer.predict']);
    expect(Object.keys(state['rewrite'] ?? {})).toEqual([
      'traces',
      'train',
      'demos',
      'signature',
      'lm',
    ]);
    expect(state['rewrite']?.signature).toEqual({
      instructions: 'Rewrite the question as a search query.',
      fields: [
        { prefix: 'Question:', description: '${question}' },
        { prefix: 'Search Query:', description: 'a short web query' },
      ],
    });
    expect(state['rewrite']?.demos).toEqual([
      { question: 'Who wrote Hamlet?', query: 'Hamlet author' },
    ]);
    expect(state['rewrite']?.lm).toBeNull();
  });

  it('round-trips through JSON into a fresh program with identical prompts', () => {
    const saved = optimized();
    const json = JSON.stringify(saved.save());
    const loaded = new QA().load(JSON.parse(json) as Record<string, unknown>);
    const adapter = new ChatAdapter();
    for (const [name, p] of saved.namedPredictors()) {
      const twin = loaded.namedPredictors().find(([n]) => n === name)?.[1];
      expect(twin).toBeDefined();
      const inputs = Object.fromEntries(
        p.signature.inputFields.map((f) => [f.name, `value of ${f.name}`]),
      );
      const plain = (d: unknown) =>
        d instanceof Example ? d.toDict() : (d as Record<string, unknown>);
      expect(adapter.format(twin!.signature, twin!.demos.map(plain), inputs)).toEqual(
        adapter.format(p.signature, p.demos.map(plain), inputs),
      );
    }
    expect(loaded.save()).toEqual(saved.save());
  });

  it('loads DSPy-saved files (metadata is ignored) and demos read as Examples', () => {
    const qa = new QA();
    const state = { ...optimized().save(), metadata: { dependency_versions: { python: '3.12' } } };
    qa.load(state);
    expect((qa.rewrite.demos[0] as Example).query).toBe('Hamlet author');
  });

  it('a state missing a predictor throws before touching the program', () => {
    const qa = optimized();
    const before = qa.save();
    const { ['answer.predict']: _dropped, ...partial } = new QA().save();
    expect(() => qa.load(partial)).toThrow(/answer\.predict/);
    expect(qa.save()).toEqual(before);
  });

  it('malformed demos are an invalid_state error', () => {
    const state = new QA().save();
    (state['rewrite'] as unknown as Record<string, unknown>)['demos'] = ['not an object'];
    expect(() => new QA().load(state)).toThrow(
      expect.objectContaining({ code: 'invalid_state' }) as unknown as Error,
    );
  });

  it('restores an LM only through lmFromState, without endpoint keys', () => {
    const qa = new QA();
    qa.setLm(new DummyLM([], { model: 'saved-model' }));
    const state = JSON.parse(JSON.stringify(qa.save())) as Record<string, Record<string, unknown>>;
    (state['rewrite']!['lm'] as Record<string, unknown>)['base_url'] = 'http://evil.example';
    const seen: Record<string, unknown>[] = [];
    const fresh = new QA().load(state, {
      lmFromState: (s) => {
        seen.push(s);
        return new DummyLM([], { model: String(s['model']) });
      },
    });
    expect(fresh.rewrite.lm?.model).toBe('saved-model');
    expect(seen[0]).not.toHaveProperty('base_url');
    const keep = new QA();
    const mine = new DummyLM([]);
    keep.setLm(mine).load(state);
    expect(keep.rewrite.lm).toBe(mine);
  });
});

describe('Module.call', () => {
  it('runs a composed program with the context LM', async () => {
    const lm = new DummyLM([
      { query: 'hamlet author' },
      { reasoning: 'known', answer: 'Shakespeare' },
    ]);
    const pred = await context({ lm }, () => new QA().call({ question: 'Who wrote Hamlet?' }));
    expect(pred.answer).toBe('Shakespeare');
    expect(pred.reasoning).toBe('known');
  });

  it('accepts an Example as inputs, using only its inputs when they are marked', async () => {
    const lm = new DummyLM([{ answer: 'a' }, { answer: 'b' }]);
    const warnings: unknown[] = [];
    const logger = { warn: (d: Record<string, unknown>) => void warnings.push(d) };
    const p = new Predict('question -> answer');
    const plain = await context({ lm, logger }, () => p.call(new Example({ question: 'q' })));
    const marked = new Example({ question: 'q', answer: 'gold' }).withInputs('question');
    const fromMarked = await context({ lm, logger }, () => p.call(marked));
    expect([plain.answer, fromMarked.answer]).toEqual(['a', 'b']);
    expect(warnings).toEqual([]);
  });

  class Throwing extends Module {
    override forward(): Promise<Prediction> {
      throw new RangeError('sync bug');
    }
  }

  it('rejects (never throws) when forward throws synchronously, in and out of a usage scope', async () => {
    const outside = new Throwing().call({});
    expect(outside).toBeInstanceOf(Promise);
    await expect(outside).rejects.toBeInstanceOf(RangeError);
    const tracker = new UsageTracker();
    const inside = contextWithUsage({}, tracker, () => new Throwing().call({}));
    expect(inside).toBeInstanceOf(Promise);
    await expect(inside).rejects.toBeInstanceOf(RangeError);
  });

  it('returns a promise when a plain-JS forward returns a prediction directly', async () => {
    class Plain extends Module {
      override forward(): Promise<Prediction> {
        return new Prediction({ answer: 'x' }) as unknown as Promise<Prediction>;
      }
    }
    const tracker = new UsageTracker();
    const run = contextWithUsage({}, tracker, () => new Plain().call({}));
    expect(run).toBeInstanceOf(Promise);
    expect((await run).answer).toBe('x');
  });
});
